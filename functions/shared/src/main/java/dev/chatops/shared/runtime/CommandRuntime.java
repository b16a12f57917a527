package dev.chatops.shared.runtime;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.Authorizer;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.UsageException;
import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import dev.chatops.shared.runtime.DeliveryRules.Course;
import dev.chatops.shared.runtime.RequestClaims.Busy;
import dev.chatops.shared.runtime.RequestClaims.Completed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one delivery of a command request as named steps over one {@link Attempt}: <b>audit</b> the
 * attempt and <b>claim</b> the request once (one transaction for a request not seen before),
 * <b>resolve</b> the call to the command's form, <b>authorise</b> the caller, <b>act</b>,
 * <b>record</b> the reply, <b>deliver</b> it to the response_url message by message (finishing the
 * audit). What the claim found decides which steps
 * run ({@link DeliveryRules}).
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
    private final AuditLog auditLog;
    private final Bookkeeping books;
    private final AnswerPoster poster;
    private final Admission admission;
    private final ApprovalSteps approvals;
    private final ActStep actStep;
    private final Set<String> instances;
    private final Clock clock;

    public CommandRuntime(List<Command> commands, RequestClaims claims, AuditLog audit, ResponseUrlClient replies,
                          Authorizer authorizer, LinkState links, Set<String> instances, ChannelRule channels,
                          Clock clock) {
        this(commands, claims, audit, replies, authorizer, links, instances, channels, Approvals.none(), "", clock);
    }

    /** @param project the chatops project, whose roles approvers need (named in approval requests) */
    public CommandRuntime(List<Command> commands, RequestClaims claims, AuditLog audit, ResponseUrlClient replies,
                          Authorizer authorizer, LinkState links, Set<String> instances, ChannelRule channels,
                          Approvals approvals, String project, Clock clock) {
        for (Command command : commands) {
            this.commands.put(command.spec().name(), command);
            this.handlers.put(command.spec().name(), Command.handlersOf(command));
        }
        this.claims = claims;
        this.auditLog = audit;
        this.books = new Bookkeeping(audit, claims, clock);
        this.poster = new AnswerPoster(replies, claims, clock);
        this.admission = new Admission(authorizer, links, channels);
        this.approvals = new ApprovalSteps(approvals, channels, authorizer, audit, replies, project, clock);
        this.approvals.checkConfigured(commands);
        this.actStep = new ActStep(handlers, claims, poster, this.approvals, clock);
        this.instances = instances;
        this.clock = clock;
    }

    public CommandRuntime(List<Command> commands, Services services) {
        this(commands, services.claims(), services.audit(), services.replies(), services.authorizer(),
                services.linkState(), services.gitlabConfig().instances().keySet(), services.channelRule(),
                services.approvals(), services.gitlabConfig().chatopsProject(), services.clock());
    }

    public void handle(CommandRequest request, Duration remaining) {
        Log.forRequest(request.requestId());
        try {
            attend(request, remaining, Optional.empty());
        } finally {
            Log.clearRequest();
        }
    }

    /**
     * A click on one of this function's approval buttons: decided by its own proof, and when it
     * approves, the waiting request runs as its requester, approved ({@link ApprovalSteps}).
     */
    public void handle(ClickRequest click, Duration remaining) {
        Log.forRequest(click.requestId());
        Instant started = clock.instant();
        try {
            approvals.click(click, (request, approval) -> {
                Log.forRequest(request.requestId());
                attend(request, remaining.minus(Duration.between(started, clock.instant())), Optional.of(approval));
            });
        } finally {
            Log.clearRequest();
        }
    }

    /** The steps, in order; what the claim found decides which of them run. */
    private void attend(CommandRequest request, Duration remaining, Optional<Approval> approval) {
        long callsBefore = DynamoDbCalls.count();
        AuditLog.Begin begin = auditLog.prepare(request, clock.instant());
        Attempt attempt = new Attempt(request, begin.entry(), remaining, SAFETY_MARGIN, approval, callsBefore);
        if (!answerable(attempt, begin)) {
            return;
        }
        claim(attempt, begin);
        switch (attempt.course()) {
            case WAIT -> throw waitForHolder(attempt);
            case SKIP -> {
                skip(attempt);
                return;
            }
            case REPLAY, REPLAY_LOST -> replay(attempt);
            case REPORT_INTERRUPTED -> reportInterrupted(attempt);
            case RUN_AFTER_INTERRUPTION -> runAfterInterruption(attempt);
            case RUN -> run(attempt);
        }
        deliver(attempt);
        if (attempt.isUnrecorded()) {
            books.recordLate(attempt);
        }
    }

    /** Nothing can be answered, and a request with a foreign response_url is not Slack's. */
    private boolean answerable(Attempt attempt, AuditLog.Begin begin) {
        if (poster.allows(attempt.request.responseUrl())) {
            return true;
        }
        auditLog.write(begin);
        books.finish(attempt, new Verdict(Decision.REFUSED, Outcome.REFUSED, "response_url not on the allow-list"));
        Log.warn("command.refused", "reason", "response_url not on the allow-list",
                "command", attempt.request.command());
        return false;
    }

    /**
     * Audit and claim: the attempt's record is written before anything is done, and this delivery
     * holds the request, or learns who does or what was answered. A request no delivery has seen is
     * claimed in one transaction with the audit record; any other, or when that transaction does not
     * go through, the record is written first, then the claim.
     */
    private void claim(Attempt attempt, AuditLog.Begin begin) {
        Optional<RequestClaims.Claim> fresh = claims.claimFresh(attempt.requestId(), attempt.holder(),
                attempt.audit.startedAt(), attempt.holdUntil, auditLog.put(begin));
        if (fresh.isPresent()) {
            attempt.claimed(fresh.get());
            return;
        }
        auditLog.write(begin);
        try {
            attempt.claimed(claims.claim(attempt.requestId(), attempt.holder(), attempt.audit.startedAt(),
                    attempt.holdUntil));
        } catch (StoreException e) {
            books.finish(attempt, new Verdict(Decision.UNKNOWN, Outcome.ERROR, "the request could not be claimed"));
            throw e;
        }
    }

    private RequestInProgressException waitForHolder(Attempt attempt) {
        Busy busy = (Busy) attempt.claim();
        books.finish(attempt, new Verdict(Decision.DUPLICATE, Outcome.DEFERRED,
                "another delivery holds it until " + busy.until()));
        Log.info("command.busy", "until", busy.until());
        return new RequestInProgressException(attempt.requestId());
    }

    private void skip(Attempt attempt) {
        books.finish(attempt, new Verdict(Decision.DUPLICATE, Outcome.SKIPPED, "already answered"));
        Log.info("command.duplicate", "command", attempt.request.command());
    }

    /**
     * Answered before: what is left of the stored reply is posted; a reply too large to keep is lost,
     * and whatever part of it reached Slack, the person hears that the rest is.
     */
    private void replay(Attempt attempt) {
        Completed done = (Completed) attempt.claim();
        if (attempt.course() == Course.REPLAY_LOST) {
            attempt.answer(RuntimeReplies.replyLost(attempt.request), new Verdict(Decision.REPLAYED, Outcome.OK,
                    "the stored reply was too large to keep; a note was posted instead"));
            return;
        }
        attempt.answer(done.reply(), Math.min(done.posted(), done.reply().size()), new Verdict(Decision.REPLAYED,
                Outcome.OK, "stored reply posted again from message " + (done.posted() + 1)));
    }

    /**
     * The earlier delivery had begun to change things: running the command again could make the
     * change twice, or undo what someone did since. The person is told instead.
     */
    private void reportInterrupted(Attempt attempt) {
        books.closeInterrupted(attempt);
        attempt.answer(RuntimeReplies.interruptedWhileActing(attempt.request), new Verdict(Decision.REPORTED,
                Outcome.UNKNOWN, "an earlier delivery began to change things and was interrupted; not run again"));
        record(attempt);
    }

    /** The earlier delivery stopped before it began to act: the command runs. */
    private void runAfterInterruption(Attempt attempt) {
        books.closeInterrupted(attempt);
        run(attempt);
    }

    /**
     * Resolve, authorise, act, record. A failure before the command acts (the store unreachable while
     * reading a link or marking the request as acting; the command's own failures are replies) leaves
     * nothing done: the hold is given back and Lambda's retry starts afresh.
     */
    private void run(Attempt attempt) {
        try {
            if (resolve(attempt) && authorise(attempt)) {
                act(attempt);
            }
        } catch (RuntimeException e) {
            books.finish(attempt, new Verdict(Decision.UNKNOWN, Outcome.ERROR,
                    "failed before the command acted: " + e.getClass().getSimpleName()));
            books.releaseHold(attempt);
            throw e;
        }
        record(attempt);
    }

    /** Resolve: the command this function runs under that name, and the form the call matches. */
    private boolean resolve(Attempt attempt) {
        CommandRequest request = attempt.request;
        Command command = commands.get(request.command());
        if (command == null) {
            Log.warn("command.unroutable", "command", request.command());
            attempt.answer(RuntimeReplies.unroutable(request),
                    new Verdict(Decision.UNROUTABLE, Outcome.REFUSED, "no such command here"));
            return false;
        }
        try {
            attempt.resolved(command, Usage.resolve(command.spec(), request.args(), request.options(), instances));
            return true;
        } catch (UsageException e) {
            attempt.answer(RuntimeReplies.usage(command.spec(), request, e.getMessage()),
                    new Verdict(Decision.USAGE, Outcome.REFUSED, e.getMessage()));
            return false;
        }
    }

    /** Authorise: the caller may run this form, from this channel ({@link Admission}). */
    private boolean authorise(Attempt attempt) {
        return admission.admit(attempt);
    }

    /** Act: the {@link ActStep}. */
    private void act(Attempt attempt) {
        actStep.act(attempt);
    }

    /**
     * Record: the reply is stored before it is posted, so a retry re-posts it instead of acting again.
     * The command ran: if the store fails now, a retry must not run it again, so the answer goes out
     * unrecorded, with a note, and the logs keep what the audit record may not.
     */
    private void record(Attempt attempt) {
        Verdict verdict = attempt.verdict();
        try {
            claims.complete(attempt.requestId(), attempt.answer(), verdict.outcome().stored());
        } catch (StoreException e) {
            Log.error("command.unrecorded", e, "command", attempt.request.command(), "userId", attempt.request.userId(),
                    "arguments", AuditLog.arguments(attempt.request), "decision", verdict.decision().stored(),
                    "outcome", verdict.outcome().stored(), "detail", verdict.detail());
            attempt.unrecorded(RuntimeReplies.unrecorded(attempt.answer(), attempt.requestId()));
        }
    }

    /**
     * Deliver: posts the answer from where the last delivery stopped, then finishes the audit. When
     * Slack asks for a retry, the hold is given back and the failure thrown.
     */
    private void deliver(Attempt attempt) {
        try {
            poster.post(attempt);
        } catch (ReplyException e) {
            Log.error("reply.failed", e, "retryable", e.retryable());
            books.finish(attempt, attempt.verdict().replyFailed(e.getMessage()));
            if (e.retryable()) {
                books.releaseHold(attempt);
                throw e;
            }
            return;
        }
        books.finish(attempt, attempt.verdict());
    }
}
