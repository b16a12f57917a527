package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.command.UsageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one delivery of a command request: claim it once, audit the attempt, match the call to the
 * command's form, run the command, store the reply, post it to the response_url, finish the audit.
 *
 * <p>What is thrown out of {@link #handle} makes Lambda retry the event: a store that cannot be
 * reached, a request another delivery is still running, a reply Slack did not take yet. Everything
 * a person should hear about becomes a reply carrying the request id; details stay in the logs.
 */
public final class CommandRuntime {
    /** Kept free at the end of an invocation to store and post the outcome. */
    static final Duration SAFETY_MARGIN = Duration.ofSeconds(2);

    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final RequestClaims claims;
    private final AuditLog audit;
    private final ResponseUrlClient replies;
    private final Clock clock;

    public CommandRuntime(List<Command> commands, RequestClaims claims, AuditLog audit, ResponseUrlClient replies, Clock clock) {
        for (Command command : commands) {
            this.commands.put(command.spec().name(), command);
        }
        this.claims = claims;
        this.audit = audit;
        this.replies = replies;
        this.clock = clock;
    }

    public CommandRuntime(List<Command> commands, Services services) {
        this(commands, services.claims(), services.audit(), services.replies(), services.clock());
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
        if (!replies.allows(request.responseUrl())) {
            // Nothing can be answered, and a request with a foreign response_url is not Slack's.
            AuditLog.Entry entry = audit.begin(request, start);
            audit.finish(entry, "refused", "refused", "response_url not on the allow-list", clock.instant());
            Log.warn("command.refused", "reason", "response_url not on the allow-list", "command", request.command());
            return;
        }
        RequestClaims.Claim claim = claims.claim(request.requestId(), start, start.plus(remaining));
        AuditLog.Entry entry = audit.begin(request, start);
        if (claim instanceof RequestClaims.Busy busy) {
            audit.finish(entry, "duplicate", "deferred", "another delivery holds it until " + busy.until(), clock.instant());
            Log.info("command.busy", "until", busy.until());
            throw new RequestInProgressException(request.requestId());
        }
        if (claim instanceof RequestClaims.Completed done) {
            if (done.delivered()) {
                audit.finish(entry, "duplicate", "skipped", "already answered", clock.instant());
                Log.info("command.duplicate", "command", request.command());
                return;
            }
            deliver(request, entry, done.reply(), deadline, "replayed", "ok", "stored reply posted again");
            return;
        }
        if (((RequestClaims.Acquired) claim).takeover()) {
            Log.warn("command.takeover", "command", request.command());
        }
        Outcome outcome = run(request);
        List<Message> messages = outcome.reply().messages();
        claims.complete(request.requestId(), messages, outcome.outcome());
        deliver(request, entry, messages, deadline, outcome.decision(), outcome.outcome(), outcome.detail());
    }

    private record Outcome(Reply reply, String decision, String outcome, String detail) {
    }

    private Outcome run(CommandRequest request) {
        Command command = commands.get(request.command());
        if (command == null) {
            Log.warn("command.unroutable", "command", request.command());
            return new Outcome(Reply.error("`" + request.command() + "` is not run by this function. Request id: `"
                    + request.requestId() + "`."), "unroutable", "refused", "no such command here");
        }
        Invocation invocation;
        try {
            invocation = Catalog.resolve(command.spec(), request.args(), request.options());
        } catch (UsageException e) {
            return new Outcome(Reply.error(e.getMessage() + "\nUsage:\n```" + command.spec().usage(request.slashCommand()) + "```"),
                    "usage", "refused", e.getMessage());
        }
        try {
            Reply reply = command.run(new CommandCall(request, invocation));
            Log.info("command.done", "command", request.command());
            return new Outcome(reply, "allowed", "ok", "");
        } catch (RuntimeException e) {
            Log.error("command.failed", e, "command", request.command());
            return new Outcome(Reply.error(":x: `" + request.display() + "` failed. Request id: `" + request.requestId()
                    + "` — the operators can find what happened in the logs."), "allowed", "error", e.getClass().getSimpleName());
        }
    }

    private void deliver(CommandRequest request, AuditLog.Entry entry, List<Message> messages, Instant deadline,
                         String decision, String outcome, String detail) {
        try {
            replies.post(request.responseUrl(), messages, deadline);
        } catch (ReplyException e) {
            Log.error("reply.failed", e, "retryable", e.retryable());
            audit.finish(entry, decision, outcome + ", reply failed", e.getMessage(), clock.instant());
            if (e.retryable()) {
                throw e;
            }
            return;
        }
        claims.markDelivered(request.requestId());
        audit.finish(entry, decision, outcome, detail, clock.instant());
    }
}
