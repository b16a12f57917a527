package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Redactor;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Param;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * One audit record per attempt (each delivery of a request counts), written before anything is
 * done and finished with the decision and outcome: no command acts without its record existing.
 * Arguments are stored with secret-looking values redacted, and a secret parameter's not at all.
 */
public final class AuditLog {
    static final String REQUEST_ID = "requestId";
    static final String ATTEMPT = "attempt";
    /** Every record carries kind "attempt": the ByTime index lists them all, newest first. */
    static final String KIND = "kind";
    static final String ATTEMPT_KIND = "attempt";
    public static final String BY_TIME_INDEX = "ByTime";

    /** The key of one attempt's record. */
    public record Entry(String requestId, String attempt, Instant startedAt) {
    }

    /** What was decided about an attempt; stored (and shown by {@code audit}) in lower case. */
    public enum Decision {
        /** The caller may run it, and it ran (or began to). */
        ALLOWED,
        /** Refused before any check of the caller: not Slack's, or not possible. */
        REFUSED,
        /** The caller may not run it here. */
        DENIED,
        /** The call matches none of the command's forms. */
        USAGE,
        /** The command is not run by this function. */
        UNROUTABLE,
        /** Another delivery of the same request holds it, or answered it. */
        DUPLICATE,
        /** The stored answer of an earlier delivery was posted again. */
        REPLAYED,
        /** An earlier delivery was interrupted after it began to act; the person was told so. */
        REPORTED,
        /** This attempt stopped before finishing its record (set by the delivery that took its request over). */
        INTERRUPTED,
        /** A second person approved the change a request waits for (the record of their click). */
        APPROVED,
        /** A second person denied the change a request waits for (the record of their click). */
        REJECTED,
        /** The request failed in every delivery; the person was told (the failure notice). */
        FAILED,
        /** Nothing could be decided: the store failed first. */
        UNKNOWN;

        public String stored() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How an attempt ended, as its record stores it. */
    public enum Outcome {
        STARTED("started"),
        OK("ok"),
        REFUSED("refused"),
        ERROR("error"),
        /** Left for Lambda's retry: another delivery holds the request. */
        DEFERRED("deferred"),
        /** Nothing to do: already answered. */
        SKIPPED("skipped"),
        UNKNOWN("unknown"),
        AWAITING_CONFIRMATION("awaiting confirmation in Slack"),
        AWAITING_APPROVAL("awaiting approval"),
        NOT_LINKED("not linked"),
        LINKING_NOT_CONFIGURED("linking not configured"),
        NOTIFIED("notified"),
        NOTICE_NOT_DELIVERED("notice not delivered");

        private final String stored;

        Outcome(String stored) {
            this.stored = stored;
        }

        public String stored() {
            return stored;
        }

        /** How a command's reply says it ended: a failure is an error. */
        public static Outcome of(Reply.Outcome reply) {
            return switch (reply) {
                case OK -> OK;
                case REFUSED -> REFUSED;
                case FAILED -> ERROR;
            };
        }
    }

    /**
     * What a record is finished with: the decision, the outcome, why (redacted when stored), and
     * whether the answer then could not be posted (stored as "…, reply failed", with Slack's reason as
     * the detail).
     */
    public record Verdict(Decision decision, Outcome outcome, String detail, boolean replyFailed) {
        public Verdict(Decision decision, Outcome outcome, String detail) {
            this(decision, outcome, detail, false);
        }

        /** This verdict, but the answer could not be posted, for {@code reason}. */
        public Verdict replyFailed(String reason) {
            return new Verdict(decision, outcome, reason, true);
        }

        /** The outcome as stored. */
        public String storedOutcome() {
            return outcome.stored() + (replyFailed ? ", reply failed" : "");
        }
    }

    private static final String FINISH = "SET decision = :d, outcome = :o, detail = :t, durationMs = :ms";

    private final DynamoDbClient dynamo;
    private final String table;

    public AuditLog(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * An attempt's first record, made and not yet written: {@link #write} writes it alone, or a claim
     * writes it together with itself ({@link RequestClaims#claimFresh}).
     */
    public record Begin(Entry entry, Map<String, AttributeValue> item) {
    }

    /** Writes the attempt's first record: before anything is done. */
    public Entry begin(CommandRequest request, Instant now) {
        Begin begin = prepare(request, now);
        write(begin);
        return begin.entry();
    }

    /** The attempt's first record, not written. */
    Begin prepare(CommandRequest request, Instant now) {
        Entry entry = new Entry(request.requestId(), now + "#" + UUID.randomUUID().toString().substring(0, 8), now);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(REQUEST_ID, s(entry.requestId()));
        item.put(ATTEMPT, s(entry.attempt()));
        item.put(KIND, s(ATTEMPT_KIND));
        item.put("at", s(now.toString()));
        item.put("teamId", s(request.teamId()));
        item.put("enterpriseId", s(request.enterpriseId()));
        item.put("userId", s(request.userId()));
        item.put("userName", s(request.userName()));
        item.put("channelId", s(request.channelId()));
        item.put("command", s(request.command()));
        item.put("arguments", s(arguments(request)));
        item.put("receivedAt", s(request.receivedAt().toString()));
        item.put("outcome", s(Outcome.STARTED.stored()));
        return new Begin(entry, Map.copyOf(item));
    }

    /** Writes {@code begin} alone. */
    void write(Begin begin) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(begin.item()));
        } catch (SdkException e) {
            throw new StoreException("could not write the audit record of " + begin.entry().requestId(), e);
        }
    }

    /** {@code begin} as one write of a transaction. */
    TransactWriteItem put(Begin begin) {
        return TransactWriteItem.builder().put(p -> p.tableName(table).item(begin.item())).build();
    }

    /**
     * A request's arguments and options as audit records and logs keep them: secret-looking values
     * redacted, and every argument masked when its command declares a {@linkplain Param#secret secret}
     * parameter (the code of {@code link}, good for 10 minutes and for whoever types it).
     */
    static String arguments(CommandRequest request) {
        boolean secret = Catalog.standard().find(request.command()).stream().flatMap(spec -> spec.forms().stream())
                .flatMap(form -> form.params().stream()).anyMatch(Param::secret);
        return Redactor.redact(secret ? Collections.nCopies(request.args().size(), Redactor.MASK) : request.args(),
                request.options());
    }

    /** Completes the record: what was decided (allowed, denied, usage, duplicate…), how it ended, why. */
    public void finish(Entry entry, Verdict verdict, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(entry)).updateExpression(FINISH)
                    .expressionAttributeValues(finishValues(entry, verdict, now)));
        } catch (SdkException e) {
            throw new StoreException("could not finish the audit record of " + entry.requestId(), e);
        }
    }

    /** As {@link #finish(Entry, Verdict, Instant)}, in one transaction with {@code with}. */
    void finish(Entry entry, Verdict verdict, Instant now, TransactWriteItem with) {
        TransactWriteItem finish = TransactWriteItem.builder().update(u -> u.tableName(table).key(key(entry))
                .updateExpression(FINISH).expressionAttributeValues(finishValues(entry, verdict, now))).build();
        try {
            dynamo.transactWriteItems(b -> b.transactItems(finish, with));
        } catch (SdkException e) {
            throw new StoreException("could not finish the audit record of " + entry.requestId(), e);
        }
    }

    private static Map<String, AttributeValue> key(Entry entry) {
        return Map.of(REQUEST_ID, s(entry.requestId()), ATTEMPT, s(entry.attempt()));
    }

    private static Map<String, AttributeValue> finishValues(Entry entry, Verdict verdict, Instant now) {
        long durationMs = now.toEpochMilli() - entry.startedAt().toEpochMilli();
        return Map.of(":d", s(verdict.decision().stored()), ":o", s(verdict.storedOutcome()),
                ":t", s(Redactor.redactText(verdict.detail())), ":ms", AttributeValue.fromN(Long.toString(durationMs)));
    }

    /**
     * Ends the record of an earlier attempt that stopped without finishing it (its invocation was cut
     * short, or lost its store): found by the delivery that took its request over. A record that was
     * finished after all is left as it is.
     */
    public void interrupted(String requestId, String attempt, Outcome outcome, String detail) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(REQUEST_ID, s(requestId), ATTEMPT, s(attempt)))
                    .updateExpression("SET decision = :d, outcome = :o, detail = :t")
                    .conditionExpression("outcome = :started")
                    .expressionAttributeValues(Map.of(":d", s(Decision.INTERRUPTED.stored()), ":o", s(outcome.stored()),
                            ":t", s(detail), ":started", s(Outcome.STARTED.stored()))));
        } catch (ConditionalCheckFailedException e) {
            // Finished after all, or never written: nothing to correct.
        } catch (SdkException e) {
            throw new StoreException("could not mark an interrupted audit record of " + requestId, e);
        }
    }

    /** One audit record, as {@code audit} shows it. */
    public record Record(String at, String userId, String userName, String command, String arguments, String decision,
                         String outcome, String detail, long durationMs) {
    }

    /**
     * The latest records, newest first, at most {@code limit}, optionally only one Slack user's or one
     * command's (filters read at most 20 pages of the time index).
     */
    public List<Record> recent(int limit, String userId, String command) {
        List<Record> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        for (int page = 0; page < 20 && found.size() < limit; page++) {
            Map<String, AttributeValue> from = start;
            Map<String, String> names = new HashMap<>(Map.of("#kind", KIND));
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":kind", s(ATTEMPT_KIND)));
            List<String> filters = new ArrayList<>();
            if (userId != null) {
                filters.add("userId = :user");
                values.put(":user", s(userId));
            }
            if (command != null) {
                filters.add("command = :command");
                values.put(":command", s(command));
            }
            QueryResponse response;
            try {
                response = dynamo.query(b -> {
                    b.tableName(table).indexName(BY_TIME_INDEX).keyConditionExpression("#kind = :kind")
                            .expressionAttributeNames(names).expressionAttributeValues(values)
                            .scanIndexForward(false).limit(100);
                    if (!filters.isEmpty()) {
                        b.filterExpression(String.join(" AND ", filters));
                    }
                    if (from != null) {
                        b.exclusiveStartKey(from);
                    }
                });
            } catch (SdkException e) {
                throw new StoreException("could not read the audit records", e);
            }
            for (Map<String, AttributeValue> item : response.items()) {
                if (found.size() < limit) {
                    found.add(new Record(
                            text(item, "at"),
                            text(item, "userId"),
                            text(item, "userName"),
                            text(item, "command"),
                            text(item, "arguments"),
                            text(item, "decision"),
                            text(item, "outcome"),
                            text(item, "detail"),
                            item.containsKey("durationMs")
                                    ? Long.parseLong(item.get("durationMs").n())
                                    : -1));
                }
            }
            if (!response.hasLastEvaluatedKey() || response.lastEvaluatedKey().isEmpty()) {
                break;
            }
            start = response.lastEvaluatedKey();
        }
        return found;
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.s() == null ? "" : value.s();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value == null || value.isEmpty() ? "-" : value);
    }
}
