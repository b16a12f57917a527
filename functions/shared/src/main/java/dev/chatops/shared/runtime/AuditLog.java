package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Redactor;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One audit record per attempt (each delivery of a request counts), written before anything is
 * done and finished with the decision and outcome: no command acts without its record existing.
 * Arguments are stored with secret-looking values redacted.
 */
public final class AuditLog {
    static final String REQUEST_ID = "requestId";
    static final String ATTEMPT = "attempt";

    /** The key of one attempt's record. */
    public record Entry(String requestId, String attempt, Instant startedAt) {
    }

    private final DynamoDbClient dynamo;
    private final String table;

    public AuditLog(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public Entry begin(CommandRequest request, Instant now) {
        Entry entry = new Entry(request.requestId(), now + "#" + UUID.randomUUID().toString().substring(0, 8), now);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(REQUEST_ID, s(entry.requestId()));
        item.put(ATTEMPT, s(entry.attempt()));
        item.put("at", s(now.toString()));
        item.put("teamId", s(request.teamId()));
        item.put("enterpriseId", s(request.enterpriseId()));
        item.put("userId", s(request.userId()));
        item.put("userName", s(request.userName()));
        item.put("channelId", s(request.channelId()));
        item.put("command", s(request.command()));
        item.put("arguments", s(Redactor.redact(request.args(), request.options())));
        item.put("receivedAt", s(request.receivedAt().toString()));
        item.put("outcome", s("started"));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item));
        } catch (SdkException e) {
            throw new StoreException("could not write the audit record of " + request.requestId(), e);
        }
        return entry;
    }

    /** Completes the record: what was decided (allowed, denied, usage, duplicate…), how it ended, why. */
    public void finish(Entry entry, String decision, String outcome, String detail, Instant now) {
        long durationMs = now.toEpochMilli() - entry.startedAt().toEpochMilli();
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(REQUEST_ID, s(entry.requestId()), ATTEMPT, s(entry.attempt())))
                    .updateExpression("SET decision = :d, outcome = :o, detail = :t, durationMs = :ms")
                    .expressionAttributeValues(Map.of(":d", s(decision), ":o", s(outcome),
                            ":t", s(Redactor.redactText(detail)), ":ms", AttributeValue.fromN(Long.toString(durationMs)))));
        } catch (SdkException e) {
            throw new StoreException("could not finish the audit record of " + entry.requestId(), e);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value == null || value.isEmpty() ? "-" : value);
    }
}
