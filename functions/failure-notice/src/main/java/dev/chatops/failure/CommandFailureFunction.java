package dev.chatops.failure;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.Priming;
import dev.chatops.shared.Text;
import dev.chatops.shared.runtime.AuditLog;
import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import dev.chatops.shared.runtime.ReplyException;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.RequestClaims;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.Services;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Consumes the command functions' on-failure destination: after Lambda's last retry of a command
 * request fails, tells the person that their command failed, with the request id, once, and
 * audits it. Requests that were answered after all (a late retry won) get no notice.
 */
public final class CommandFailureFunction implements RequestHandler<SQSEvent, SQSBatchResponse> {
    /** SnapStart's hook (a reply and the SDK's requests, to loopback), held: Lambda keeps it by weak reference. */
    private final Priming priming;
    private final RequestClaims claims;
    private final AuditLog audit;
    private final ResponseUrlClient replies;
    private final Clock clock;

    /** Lambda's constructor: configuration from the process environment. */
    public CommandFailureFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public CommandFailureFunction(Env env) {
        this(Services.fromEnvironment(env));
    }

    public CommandFailureFunction(Services services) {
        this.claims = services.claims();
        this.audit = services.audit();
        this.replies = services.replies();
        this.clock = services.clock();
        this.priming = services.registerPriming("CommandFailureFunction");
    }

    /** The SnapStart hook this function registered. */
    Priming priming() {
        return priming;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            if (!notify(message.getBody())) {
                failures.add(SQSBatchResponse.BatchItemFailure.builder()
                        .withItemIdentifier(message.getMessageId())
                        .build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /** False when the notice should be tried again later. */
    @SuppressWarnings("unchecked")
    private boolean notify(String body) {
        CommandRequest request;
        Map<String, Object> context;
        try {
            Map<String, Object> record = Json.readObject(body);
            request = CommandRequest.fromMap((Map<String, Object>) record.get("requestPayload"));
            context = record.get("requestContext") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        } catch (RuntimeException e) {
            Log.error("failure.unreadable", e);
            return true;
        }
        Log.forRequest(request.requestId());
        try {
            return notify(request, context);
        } catch (RuntimeException e) {
            // The store or Slack failed us: give the notice back so the queue's next delivery can send it.
            Log.error("failure.notice_failed", e);
            try {
                claims.releaseFailureNotice(request.requestId());
            } catch (RuntimeException releaseFailed) {
                Log.error("failure.release_failed", releaseFailed);
            }
            return false;
        } finally {
            Log.clearRequest();
        }
    }

    private boolean notify(CommandRequest request, Map<String, Object> context) {
        Optional<RequestClaims.State> state = claims.state(request.requestId());
        if (state.map(s -> s.posted() >= Reply.MAX_MESSAGES).orElse(false)) {
            Log.warn("failure.skipped", "reason", "the response_url's posts are used up");
            return true;
        }
        if (!claims.claimFailureNotice(request.requestId(), clock.instant())) {
            Log.info("failure.skipped", "reason", "answered or already notified");
            return true;
        }
        String condition = String.valueOf(context.getOrDefault("condition", "RetriesExhausted"));
        Object attempts = context.getOrDefault("approximateInvokeCount", "several");
        String shown = "`" + Text.inCode(request.display(), 200) + "`";
        String what;
        if (state.map(RequestClaims.State::completed).orElse(false)) {
            what = ":warning: " + shown + " ran, but its answer could not be delivered to Slack";
        } else if (state.map(RequestClaims.State::acting).orElse(false)) {
            what = ":warning: " + shown + " was interrupted after it began to change things, before its outcome was "
                    + "recorded. It may or may not have taken effect: check before you run it again";
        } else if ("EventAgeExceeded".equals(condition)) {
            what = ":x: " + shown + " did not complete: it could not start in time";
        } else {
            what = ":x: " + shown + " did not complete: it failed " + attempts + " times";
        }
        AuditLog.Entry entry = audit.begin(request, clock.instant());
        try {
            replies.post(
                    request.responseUrl(),
                    Reply.line(what + ". Request id: `" + request.requestId()
                            + "` — the operators can find what happened in the logs."),
                    clock.instant().plus(Duration.ofSeconds(20)));
        } catch (ReplyException e) {
            Log.error("failure.notice_failed", e, "retryable", e.retryable());
            audit.finish(
                    entry, new Verdict(Decision.FAILED, Outcome.NOTICE_NOT_DELIVERED, e.getMessage()), clock.instant());
            if (e.retryable()) {
                claims.releaseFailureNotice(request.requestId());
                return false;
            }
            return true;
        }
        audit.finish(entry, new Verdict(Decision.FAILED, Outcome.NOTIFIED, condition), clock.instant());
        Log.info("failure.notified", "condition", condition);
        return true;
    }
}
