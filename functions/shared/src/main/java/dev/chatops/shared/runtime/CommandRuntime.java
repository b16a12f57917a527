package dev.chatops.shared.runtime;

import com.slack.api.model.block.Blocks;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.BlockCompositions;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.Authorizer;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.UsageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one delivery of a command request: audit the attempt, claim the request once, match the
 * call to the command's form, check the caller may run it, run it, store the reply, post it to the
 * response_url message by message, finish the audit.
 *
 * <p>What is thrown out of {@link #handle} makes Lambda retry the event: a failure before the
 * command acts (the store unreachable, say), a request another delivery still holds, a reply Slack
 * did not take yet. A retry never acts again once the command ran: it posts what is left of the
 * stored reply. A command that changes things is never run twice: if a delivery is cut short after
 * it began to act and before its reply was stored, every delivery after it says so instead of
 * acting; and a store lost after acting is not by itself a reason to retry (the answer is posted,
 * unrecorded).
 * Everything a person should hear about becomes a reply carrying the request id; details stay in
 * the logs.
 */
public final class CommandRuntime {
    /** Kept free at the end of an invocation to store and post the outcome. */
    static final Duration SAFETY_MARGIN = Duration.ofSeconds(2);

    private final Map<String, Command> commands = new LinkedHashMap<>();
    /** Each command's handlers by form, checked against its declaration at start-up. */
    private final Map<String, Map<String, Command.Handler>> handlers = new LinkedHashMap<>();
    private final RequestClaims claims;
    private final AuditLog audit;
    private final ResponseUrlClient replies;
    private final Authorizer authorizer;
    private final LinkState links;
    private final java.util.Set<String> instances;
    private final ChannelRule channels;
    private final Clock clock;

    public CommandRuntime(List<Command> commands, RequestClaims claims, AuditLog audit, ResponseUrlClient replies,
                          Authorizer authorizer, LinkState links, java.util.Set<String> instances, ChannelRule channels,
                          Clock clock) {
        for (Command command : commands) {
            this.commands.put(command.spec().name(), command);
            this.handlers.put(command.spec().name(), Command.handlersOf(command));
        }
        this.claims = claims;
        this.audit = audit;
        this.replies = replies;
        this.authorizer = authorizer;
        this.links = links;
        this.instances = instances;
        this.channels = channels;
        this.clock = clock;
    }

    public CommandRuntime(List<Command> commands, Services services) {
        this(commands, services.claims(), services.audit(), services.replies(), services.authorizer(), services.linkState(),
                services.gitlabConfig().instances().keySet(), services.channelRule(), services.clock());
    }

    public void handle(CommandRequest request, Duration remaining) {
        Log.forRequest(request.requestId());
        try {
            handleClaimed(request, remaining);
        } finally {
            Log.clearRequest();
        }
    }

    private void handleClaimed(CommandRequest request, Duration remaining) {
        Instant start = clock.instant();
        Instant deadline = start.plus(remaining).minus(SAFETY_MARGIN);
        AuditLog.Entry entry = audit.begin(request, start);
        if (!replies.allows(request.responseUrl())) {
            // Nothing can be answered, and a request with a foreign response_url is not Slack's.
            finish(entry, "refused", "refused", "response_url not on the allow-list");
            Log.warn("command.refused", "reason", "response_url not on the allow-list", "command", request.command());
            return;
        }
        RequestClaims.Claim claim;
        try {
            claim = claims.claim(request.requestId(), entry.attempt(), start, start.plus(remaining));
        } catch (StoreException e) {
            finish(entry, "unknown", "error", "the request could not be claimed");
            throw e;
        }
        if (claim instanceof RequestClaims.Busy busy) {
            finish(entry, "duplicate", "deferred", "another delivery holds it until " + busy.until());
            Log.info("command.busy", "until", busy.until());
            throw new RequestInProgressException(request.requestId());
        }
        if (claim instanceof RequestClaims.Completed done) {
            if (done.delivered()) {
                finish(entry, "duplicate", "skipped", "already answered");
                Log.info("command.duplicate", "command", request.command());
                return;
            }
            if (done.reply().isEmpty()) {
                // Too large to keep: whatever part reached Slack, the person hears that the rest is lost.
                deliver(request, entry, Reply.error(":warning: `" + Text.inCode(request.display(), 200) + "` ran, but its "
                        + "answer could not be kept for a retry. Request id: `" + request.requestId() + "`.").messages(), 0,
                        deadline, "replayed", "ok", "the stored reply was too large to keep; a note was posted instead");
                return;
            }
            deliver(request, entry, done.reply(), Math.min(done.posted(), done.reply().size()), deadline, "replayed", "ok",
                    "stored reply posted again from message " + (done.posted() + 1));
            return;
        }
        Optional<RequestClaims.Interrupted> interrupted = ((RequestClaims.Acquired) claim).interrupted();
        Outcome outcome;
        if (interrupted.isPresent()) {
            outcome = takeOver(request, interrupted.get(), entry, deadline);
        } else {
            outcome = runReleasingOnFailure(request, entry, deadline);
        }
        List<Message> messages = outcome.reply().messages();
        try {
            claims.complete(request.requestId(), messages, outcome.outcome());
        } catch (StoreException e) {
            // The command ran: a retry must not run it again, so the answer goes out unrecorded, and the
            // logs keep what the audit record may not.
            Log.error("command.unrecorded", e, "command", request.command(), "userId", request.userId(),
                    "arguments", AuditLog.arguments(request),
                    "decision", outcome.decision(), "outcome", outcome.outcome(), "detail", outcome.detail());
            List<Message> noted = withNote(messages, "_ChatOps could not record this answer (its store did not respond), "
                    + "so `audit` may not show how it ended; the operators have it in the logs under request id `"
                    + request.requestId() + "`._");
            int posted = deliver(request, entry, noted, 0, deadline, outcome.decision(), outcome.outcome(), outcome.detail());
            recordLate(request, messages, outcome.outcome(), posted);
            return;
        }
        deliver(request, entry, messages, 0, deadline, outcome.decision(), outcome.outcome(), outcome.detail());
    }

    /**
     * After an unrecorded answer reached Slack, one more try at recording it as answered: if the store
     * is back, a later delivery of the request finds it answered rather than interrupted.
     */
    private void recordLate(CommandRequest request, List<Message> messages, String outcome, int posted) {
        try {
            claims.complete(request.requestId(), messages, outcome, posted);
            Log.info("command.recorded_late", "posted", posted);
        } catch (StoreException e) {
            Log.warn("command.still_unrecorded", "error", e.getMessage());
        }
    }

    /**
     * An earlier delivery held this request and stopped before recording its reply. If it had begun
     * to change things, running the command again could make the change twice, or undo what someone
     * did since: the person is told instead. If it had not, the command runs.
     */
    private Outcome takeOver(CommandRequest request, RequestClaims.Interrupted earlier, AuditLog.Entry entry,
                             Instant deadline) {
        Log.warn("command.takeover", "command", request.command(), "acting", earlier.acting());
        try {
            audit.interrupted(request.requestId(), earlier.holder(), "unknown", earlier.acting()
                    ? "stopped after it began to change things, before its outcome was recorded"
                    : "stopped before recording its outcome; a later delivery ran the command again");
        } catch (StoreException e) {
            Log.error("audit.interrupted_failed", e);
        }
        if (!earlier.acting()) {
            return runReleasingOnFailure(request, entry, deadline);
        }
        return new Outcome(Reply.failure(":warning: `" + Text.inCode(request.display(), 200) + "` was interrupted after it "
                + "began to change things, before its outcome was recorded. It may or may not have taken effect: check "
                + "before you run it again. If ChatOps already answered this request above, that answer stands. "
                + "Request id: `" + request.requestId() + "`."),
                "reported", "unknown", "an earlier delivery began to change things and was interrupted; not run again");
    }

    /**
     * Runs the command. A failure before it acts (the store unreachable while reading a link or
     * marking the request as acting; the command's own failures are replies) leaves nothing done: the
     * hold is given back and Lambda's retry starts afresh.
     */
    private Outcome runReleasingOnFailure(CommandRequest request, AuditLog.Entry entry, Instant deadline) {
        try {
            return run(request, entry, deadline);
        } catch (RuntimeException e) {
            finish(entry, "unknown", "error", "failed before the command acted: " + e.getClass().getSimpleName());
            try {
                claims.releaseHold(request.requestId(), entry.attempt(), clock.instant());
            } catch (StoreException releaseFailed) {
                Log.error("claim.release_failed", releaseFailed);
            }
            throw e;
        }
    }

    /** {@code messages} with {@code markdown} as a last context line (no extra post: Slack counts them). */
    private static List<Message> withNote(List<Message> messages, String markdown) {
        List<Message> noted = new ArrayList<>(messages);
        Message last = noted.get(noted.size() - 1);
        if (last.blocks().size() >= Reply.BLOCKS_PER_MESSAGE) {
            return messages;
        }
        List<LayoutBlock> blocks = new ArrayList<>(last.blocks());
        blocks.add(Blocks.context(List.of(BlockCompositions.markdownText(markdown))));
        noted.set(noted.size() - 1, new Message(last.responseType(), last.replaceOriginal(), last.text(), blocks));
        return noted;
    }

    private record Outcome(Reply reply, String decision, String outcome, String detail) {
    }

    private Outcome run(CommandRequest request, AuditLog.Entry entry, Instant deadline) {
        Command command = commands.get(request.command());
        if (command == null) {
            Log.warn("command.unroutable", "command", request.command());
            return new Outcome(Reply.error("`" + Text.inCode(request.command(), 40) + "` is not run by this function. "
                    + "Request id: `" + request.requestId() + "`."), "unroutable", "refused", "no such command here");
        }
        Invocation invocation;
        try {
            invocation = Usage.resolve(command.spec(), request.args(), request.options(), instances);
        } catch (UsageException e) {
            return new Outcome(Reply.error(":warning: " + e.getMessage() + "\nUsage:\n```"
                    + command.spec().usage(request.slashCommand()) + "```"), "usage", "refused", e.getMessage());
        }
        boolean production = channels.changesProduction(invocation);
        Role needed = invocation.form().roleFor(production);
        Authorizer.Decision decision = authorizer.decide(request, needed,
                production && needed != invocation.form().role() ? "to change " + channels.productionInstance() : "");
        if (!decision.allowed()) {
            Log.info("command.denied", "command", request.command(), "needs", needed.label(),
                    "missing", decision.missing());
            return new Outcome(denial(request, decision), "denied", "refused", decision.reason());
        }
        java.util.Optional<String> wrongChannel = channels.refusal(invocation, request.channelId());
        if (wrongChannel.isPresent()) {
            return new Outcome(Reply.error(":no_entry: " + wrongChannel.get()), "denied", "refused", "not a production channel");
        }
        if (invocation.form().changes()) {
            claims.markActing(request.requestId(), entry.attempt());
        }
        try {
            Command.Handler handler = handlers.get(command.spec().name()).get(Command.keyOf(invocation.form()));
            Reply reply = handler.handle(new CommandCall(request, invocation, markdown -> progress(request, markdown),
                    decision.caller(), deadline, clock));
            String outcome = reply.outcome().name().toLowerCase(java.util.Locale.ROOT);
            Log.info("command.done", "command", request.command(), "outcome", outcome);
            return new Outcome(reply, "allowed", outcome.equals("failed") ? "error" : outcome, reply.auditDetail());
        } catch (RuntimeException e) {
            Log.error("command.failed", e, "command", request.command());
            return new Outcome(Reply.error(":x: `" + Text.inCode(request.display(), 200) + "` failed. Request id: `"
                    + request.requestId() + "` — the operators can find what happened in the logs."),
                    "allowed", "error", e.getClass().getSimpleName());
        }
    }

    /**
     * A line posted ahead of the reply, while the command works. It is not stored: a retry after the
     * command ran posts the reply only. It takes one of the response_url's five posts.
     */
    private void progress(CommandRequest request, String markdown) {
        try {
            replies.post(request.responseUrl(), Reply.error(markdown).messages(),
                    clock.instant().plus(java.time.Duration.ofSeconds(5)), count -> { });
        } catch (ReplyException e) {
            Log.warn("reply.progress_failed", "error", e.getMessage());
        }
    }

    /** The refusal; one for a person who is not linked yet carries their "Connect your GitLab account" button. */
    private Reply denial(CommandRequest request, Authorizer.Decision decision) {
        Reply.Builder reply = Reply.ephemeral(decision.reason()).text(":no_entry: " + decision.reason());
        if (decision.missing() == Authorizer.Missing.LINK) {
            links.startUrl(request).ifPresent(url -> reply.linkButton("Connect your GitLab account", url)
                    .context("Do not forward it: it works once, for 10 minutes, and the code it ends with links "
                            + "whoever types it. GitLab will ask you to let ChatOps read your account (read_user)."));
        }
        return reply.build();
    }

    /**
     * Posts {@code messages} from index {@code from}, counting each one that reaches Slack; returns
     * how many of them have (unless Slack asks for a retry, which is thrown).
     */
    private int deliver(CommandRequest request, AuditLog.Entry entry, List<Message> messages, int from, Instant deadline,
                        String decision, String outcome, String detail) {
        int total = messages.size();
        AtomicInteger reached = new AtomicInteger(from);
        try {
            replies.post(request.responseUrl(), messages.subList(from, total), deadline, count -> {
                reached.set(from + count);
                try {
                    claims.markPosted(request.requestId(), from + count, from + count == total);
                } catch (StoreException e) {
                    // The message is in Slack; a retry may post it again, which beats failing the command.
                    Log.error("reply.count_failed", e);
                }
            });
        } catch (ReplyException e) {
            Log.error("reply.failed", e, "retryable", e.retryable());
            finish(entry, decision, outcome + ", reply failed", e.getMessage());
            if (e.retryable()) {
                try {
                    claims.releaseHold(request.requestId(), entry.attempt(), clock.instant());
                } catch (StoreException releaseFailed) {
                    Log.error("claim.release_failed", releaseFailed);
                }
                throw e;
            }
            return reached.get();
        }
        finish(entry, decision, outcome, detail);
        return reached.get();
    }

    /** Completes the audit record; a store failure here is logged, never turned into a retry that could act again. */
    private void finish(AuditLog.Entry entry, String decision, String outcome, String detail) {
        try {
            audit.finish(entry, decision, outcome, detail, clock.instant());
        } catch (StoreException e) {
            Log.error("audit.finish_failed", e, "decision", decision, "outcome", outcome);
        }
    }
}
