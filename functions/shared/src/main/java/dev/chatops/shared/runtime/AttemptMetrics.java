package dev.chatops.shared.runtime;

import dev.chatops.shared.Metrics;
import dev.chatops.shared.Metrics.Metric;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One metrics document per attempt, written as its audit record is finished: {@code Attempts} (1),
 * {@code Duration} from the audit's start, {@code DynamoDbRequests} made meanwhile, and
 * {@code ReplyFailures} (1 when its answer could not be posted); by command, form and result, and by
 * command and result (what the alarms read).
 */
final class AttemptMetrics {
    /** The dimension sets of an attempt's metrics. */
    static final List<List<String>> DIMENSIONS = List.of(List.of("Command", "Form", "Result"),
            List.of("Command", "Result"));

    private AttemptMetrics() {
    }

    static void emit(Attempt attempt, Verdict verdict, Instant now) {
        String form = attempt.invocation() == null || attempt.invocation().form().subcommand() == null ? ""
                : attempt.invocation().form().subcommand();
        Metrics.emit(Map.of("Command", attempt.request.command(), "Form", form, "Result", result(verdict)),
                DIMENSIONS, List.of(
                        Metric.count("Attempts", 1),
                        Metric.millis("Duration", Duration.between(attempt.audit.startedAt(), now).toMillis()),
                        Metric.count("DynamoDbRequests", DynamoDbCalls.count() - attempt.dynamoCallsBefore),
                        Metric.count("ReplyFailures", verdict.replyFailed() ? 1 : 0)));
    }

    /**
     * The attempt's result as operators count them: ran, refused (not Slack's, no such form, the
     * command's own refusal), denied (the caller may not), failed, interrupted, awaiting approval or
     * confirmation, duplicate (another delivery's), approved or rejected (a second person's click).
     */
    static String result(Verdict verdict) {
        return switch (verdict.decision()) {
            case ALLOWED -> switch (verdict.outcome()) {
                case OK -> "ran";
                case REFUSED -> "refused";
                case AWAITING_APPROVAL -> "awaiting approval";
                case AWAITING_CONFIRMATION -> "awaiting confirmation";
                case UNKNOWN -> "interrupted";
                default -> "failed";
            };
            case REFUSED, USAGE, UNROUTABLE -> "refused";
            case DENIED -> verdict.outcome() == AuditLog.Outcome.ERROR ? "failed" : "denied";
            case DUPLICATE, REPLAYED -> "duplicate";
            case REPORTED, INTERRUPTED -> "interrupted";
            case APPROVED -> "approved";
            case REJECTED -> "rejected";
            case FAILED, UNKNOWN -> "failed";
        };
    }
}
