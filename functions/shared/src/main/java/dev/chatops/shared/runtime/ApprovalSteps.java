package dev.chatops.shared.runtime;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.Authorizer;
import dev.chatops.shared.access.Caller;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.approval.ApprovalMessages;
import dev.chatops.shared.approval.ApprovalStore;
import dev.chatops.shared.command.ApprovalPolicy;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The second person, for the runtime. A call that must wait runs its form's checks through the
 * handler's preview and, instead of acting, asks: the approval is stored once per request and
 * posted in the channel with its buttons. A click on them is decided by its own proof — the
 * clicker linked, with 2FA and the role the change needs, in the requester's workspace, not the
 * requester — and by one conditional write: of every click, Slack retry and concurrent delivery,
 * exactly one decides. An approval runs the original request again, as its requester (role and
 * checks read again), under an id of its own, so it runs at most once. {@code --emergency} lets an
 * owner of the chatops project skip the wait, and nobody else.
 */
final class ApprovalSteps {
    private final Approvals approvals;
    private final ChannelRule channels;
    private final Authorizer authorizer;
    private final AuditLog audit;
    private final ResponseUrlClient replies;
    private final String project;
    private final Clock clock;

    ApprovalSteps(Approvals approvals, ChannelRule channels, Authorizer authorizer, AuditLog audit,
                  ResponseUrlClient replies, String project, Clock clock) {
        this.approvals = approvals;
        this.channels = channels;
        this.authorizer = authorizer;
        this.audit = audit;
        this.replies = replies;
        this.project = project;
        this.clock = clock;
    }

    /**
     * At start-up: a function whose forms can wait needs the table they wait in; a form that always
     * waits ({@code access request}) needs it whatever {@code APPROVALS} says.
     */
    void checkConfigured(List<Command> commands) {
        List<Form> forms = commands.stream().flatMap(c -> c.spec().forms().stream()).toList();
        boolean always = forms.stream().anyMatch(f -> f.waits() == Form.Waits.ALWAYS);
        boolean byPolicy = forms.stream().anyMatch(Form::approvable) && approvals.policy() != ApprovalPolicy.NONE;
        if ((always || byPolicy) && approvals.store().isEmpty()) {
            throw new ConfigurationException(RuntimeConfig.APPROVALS_TABLE + " is needed: changes here wait for "
                    + "approval (" + (always ? "some forms here always wait"
                    : RuntimeConfig.APPROVALS + "=" + approvals.policy().stored()) + ")");
        }
    }

    /** Whether this call must wait for a second person: its form needs one here, it has none, and no emergency. */
    boolean waits(Attempt attempt, Command.Handler handler) {
        return needed(attempt.invocation(), handler) && attempt.approval.isEmpty()
                && !attempt.invocation().has(Form.EMERGENCY);
    }

    /**
     * Whether a call needs a second person: as the policy says for its form, or — under any policy but
     * none — because its handler says this call changes who may approve.
     */
    boolean needed(Invocation invocation, Command.Handler handler) {
        return approvals.policy().needs(invocation.form(), channels.changesProduction(invocation))
                || approvals.policy() != ApprovalPolicy.NONE && handler instanceof Command.Approvable approvable
                && approvable.waitsWhatever(invocation);
    }

    /**
     * Why {@code --emergency} cannot be used on this call, when it cannot: the call would not wait,
     * the reason is missing, or the caller is not an owner of the chatops project.
     */
    Optional<String> emergencyRefusal(Attempt attempt, Command.Handler handler) {
        Invocation invocation = attempt.invocation();
        if (!invocation.has(Form.EMERGENCY)) {
            return Optional.empty();
        }
        if (!needed(invocation, handler)) {
            return Optional.of("`--emergency` skips a second person's approval, and this change needs none.");
        }
        if (invocation.option(Form.EMERGENCY).orElse("").isBlank()) {
            return Optional.of("`--emergency` needs its reason: `--emergency \"why it cannot wait\"`.");
        }
        int level = attempt.caller().map(Caller::accessLevel).orElse(0);
        if (level < Role.OWNER.accessLevel()) {
            return Optional.of("Only an owner of `" + Text.inCode(project, 100) + "` may skip the approval with "
                    + "`--emergency`; you are " + (level <= 0 ? "not a member" : Role.ofAccessLevel(level).label())
                    + ".");
        }
        return Optional.empty();
    }

    /** What asking answered: the approval's message (waiting), or the preview's refusal (not waiting). */
    record Asked(Reply reply, boolean waiting) {
    }

    /** Ask: the form's checks through its preview, then the approval stored once and its message. */
    Asked ask(Attempt attempt, Command.Approvable handler, CommandCall call) {
        Command.Preview preview = handler.preview(call);
        if (preview instanceof Command.Preview.Refused refused) {
            return new Asked(refused.reply(), false);
        }
        Command.Preview.Change change = (Command.Preview.Change) preview;
        String summary = change.summary();
        Caller caller = change.requester().or(attempt::caller)
                .orElseThrow(() -> new IllegalStateException("an approval needs its requester's GitLab account"));
        Role asked = change.approverRole()
                .orElseGet(() -> attempt.invocation().form().roleFor(channels.changesProduction(attempt.invocation())));
        // Never fewer rights than a developer's decide a change, whatever a form declares.
        Role needed = asked.accessLevel() < Role.DEVELOPER.accessLevel() ? Role.DEVELOPER : asked;
        Instant now = clock.instant();
        Approval candidate = new Approval(Approval.idFor(attempt.requestId()), Approval.Status.PENDING,
                attempt.request, caller.gitlabUserId(), caller.gitlabUsername(), needed.accessLevel(), summary, now,
                now.plus(change.expiresAfter().orElse(approvals.ttl())), Optional.empty());
        Approval stored = store().ask(candidate);
        if (stored.status() != Approval.Status.PENDING) {
            // An earlier delivery asked, and it was decided since: no buttons to post again.
            return new Asked(Reply.line(":information_source: " + ApprovalMessages.tooLate(stored)), false);
        }
        Log.info("approval.asked", "command", attempt.request.command(), "approval", stored.id());
        Reply message = ApprovalMessages.request(stored, project, now);
        if (stored == candidate) {
            // Asked now, not by an earlier delivery of the same request: copies go out once.
            handler.asked(stored, message);
        }
        return new Asked(message, true);
    }

    /**
     * A click on an approval's button, audited as an attempt of its own. {@code execute} runs the
     * approved request (it is the runtime's {@code handle}, under the approval).
     */
    void click(ClickRequest click, BiConsumer<CommandRequest, Approval> execute) {
        CommandRequest asRequest = asRequest(click);
        AuditLog.Entry entry = audit.begin(asRequest, clock.instant());
        Verdict verdict;
        try {
            verdict = decide(click, asRequest, execute);
        } catch (RuntimeException e) {
            audit.finish(entry, new Verdict(Decision.UNKNOWN, Outcome.ERROR, e.getClass().getSimpleName()),
                    clock.instant());
            throw e;
        }
        audit.finish(entry, verdict, clock.instant());
    }

    private Verdict decide(ClickRequest click, CommandRequest asRequest, BiConsumer<CommandRequest, Approval> execute) {
        if (!replies.allows(click.responseUrl())) {
            return new Verdict(Decision.REFUSED, Outcome.REFUSED, "response_url not on the allow-list");
        }
        boolean approving = click.action().equals(ApprovalMessages.APPROVE);
        if (!approving && !click.action().equals(ApprovalMessages.DENY)) {
            return tell(click, "That button is not one ChatOps knows.", Decision.REFUSED, "unknown action");
        }
        Optional<Approval> found = store().find(click.command(), click.value());
        if (found.isEmpty()) {
            return tell(click, "This approval request is unknown: it may have expired a while ago.",
                    Decision.REFUSED, "unknown approval " + click.value());
        }
        Approval approval = found.get();
        String about = "approval " + approval.id() + " of " + approval.request().requestId();
        if (approval.decision().map(d -> d.clickId().equals(click.requestId())).orElse(false)) {
            // This very click decided it, in a delivery cut short: its clicker was proven then.
            return outcome(click, approval, about, execute);
        }
        if (!click.workspace().equals(approval.request().workspace())) {
            return tell(click, "This request was made in another Slack workspace.", Decision.DENIED,
                    about + ": another workspace");
        }
        if (click.userId().equals(approval.request().userId())) {
            return tell(click, "You asked for this change: a second person decides it.", Decision.DENIED,
                    about + ": the requester's own click");
        }
        Role needed = Role.ofAccessLevel(approval.approverLevel());
        Authorizer.Decision proof = authorizer.decide(asRequest, needed, "to decide this change");
        if (!proof.allowed()) {
            return tell(click, proof.reason(), Decision.DENIED, about + ": " + proof.reason());
        }
        Caller clicker = proof.caller().orElseThrow();
        if (clicker.gitlabUserId() == approval.requesterGitlabId()) {
            return tell(click, "Your Slack account is linked to the GitLab account that asked for this change: a "
                    + "second person decides it.", Decision.DENIED, about + ": the requester's GitLab account");
        }
        Approval.Decision by = new Approval.Decision(click.userId(), clicker.gitlabUserId(), clicker.gitlabUsername(),
                clock.instant(),
                click.requestId());
        Optional<Approval> decided = approval.status() == Approval.Status.PENDING && !approval.expired(by.at())
                ? store().decide(approval, approving ? Approval.Status.APPROVED : Approval.Status.DENIED, by)
                : Optional.empty();
        if (decided.isEmpty()) {
            // Another click won, or it expired; or this very click decided it in a delivery cut short.
            Approval now = store().find(click.command(), click.value()).orElse(approval);
            boolean mine = now.decision().map(d -> d.clickId().equals(click.requestId())).orElse(false);
            if (!mine) {
                return tell(click, ApprovalMessages.tooLate(now), Decision.REFUSED, about + ": too late ("
                        + now.status().name().toLowerCase(Locale.ROOT) + ")");
            }
            decided = Optional.of(now);
        }
        return outcome(click, decided.get(), about, execute);
    }

    /** What a decision does: a denial replaces the request; an approval runs it. */
    private Verdict outcome(ClickRequest click, Approval done, String about,
                            BiConsumer<CommandRequest, Approval> execute) {
        if (done.status() == Approval.Status.DENIED) {
            post(click, ApprovalMessages.denied(done));
            Log.info("approval.denied", "approval", done.id(), "by", click.userId());
            return new Verdict(Decision.REJECTED, Outcome.OK, about + " denied");
        }
        Log.info("approval.approved", "approval", done.id(), "by", click.userId());
        CommandRequest original = done.request();
        execute.accept(new CommandRequest(done.executionRequestId(), original.teamId(), original.enterpriseId(),
                original.userId(), original.userName(), original.channelId(), original.channelName(),
                original.slashCommand(), original.command(), original.args(), original.options(), original.text(),
                click.responseUrl(), original.receivedAt(), original.publicBaseUrl()), done);
        return new Verdict(Decision.APPROVED, Outcome.OK, about + " approved; the change runs under the request id "
                + "with /approved");
    }

    /** Tells the clicker alone why their click decided nothing. */
    private Verdict tell(ClickRequest click, String why, Decision decision, String detail) {
        post(click, ApprovalMessages.refused(why));
        Log.info("approval.click_refused", "reason", detail);
        return new Verdict(decision, Outcome.REFUSED, detail);
    }

    private void post(ClickRequest click, Reply reply) {
        try {
            replies.post(click.responseUrl(), reply, clock.instant().plus(Duration.ofSeconds(10)));
        } catch (ReplyException e) {
            Log.warn("approval.reply_failed", "error", e.getMessage());
        }
    }

    private ApprovalStore store() {
        return approvals.store().orElseThrow(() -> new ConfigurationException(RuntimeConfig.APPROVALS_TABLE
                + " is not set"));
    }

    /** The click as the audit and the authoriser read a request: who, where, which button on what. */
    private static CommandRequest asRequest(ClickRequest click) {
        return new CommandRequest(click.requestId(), click.teamId(), click.enterpriseId(), click.userId(),
                click.userName(), click.channelId(), "", "(button)", click.command(),
                List.of(click.action(), click.value()), Map.of(), click.action() + " " + click.value(),
                click.responseUrl(), click.receivedAt());
    }
}
