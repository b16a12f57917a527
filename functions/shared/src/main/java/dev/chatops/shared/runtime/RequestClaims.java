package dev.chatops.shared.runtime;

import com.google.gson.Gson;
import com.slack.api.util.json.GsonFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Makes each command request run once, whatever Lambda delivers (the Powertools idempotency
 * pattern, on one DynamoDB item per request id):
 * <ul>
 *   <li>The first delivery claims the request with a conditional write and holds it until its own
 *       deadline ({@code inProgressUntil}, the invocation's timeout).</li>
 *   <li>A delivery that finds the request completed does nothing but re-post the stored reply when
 *       the first one could not deliver it.</li>
 *   <li>A delivery that finds it in progress backs off (Lambda retries it later); one that finds an
 *       expired claim (the holder crashed) takes over.</li>
 * </ul>
 * DynamoDB's TTL deletes items lazily, so expiry is checked in the write's condition, never
 * assumed from the item's absence.
 */
public final class RequestClaims {
    static final String ID = "requestId";
    static final String STATUS = "status";
    static final String IN_PROGRESS_UNTIL = "inProgressUntil";
    static final String EXPIRES_AT = "expiresAt";
    static final String REPLY = "reply";
    static final String DELIVERED = "delivered";
    static final String OUTCOME = "outcome";
    static final String FAILURE_NOTIFIED = "failureNotified";
    private static final String RUNNING = "IN_PROGRESS";
    private static final String DONE = "COMPLETED";
    /** How long a request id is remembered: longer than Lambda keeps retrying an async event (6 h). */
    public static final Duration RETENTION = Duration.ofDays(1);

    /** What a delivery found when it tried to claim its request. */
    public sealed interface Claim permits Acquired, Completed, Busy {
    }

    /** This delivery owns the request; {@code takeover} when it took it from an expired holder. */
    public record Acquired(boolean takeover) implements Claim {
    }

    /** Done before; {@code reply} is what was answered, {@code delivered} whether it reached Slack. */
    public record Completed(List<Message> reply, boolean delivered) implements Claim {
    }

    /** Another delivery holds the request and has not run out of time. */
    public record Busy(Instant until) implements Claim {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Gson gson = GsonFactory.createSnakeCase();

    public RequestClaims(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public Claim claim(String requestId, Instant now, Instant holdUntil) {
        Map<String, AttributeValue> item = Map.of(
                ID, s(requestId),
                STATUS, s(RUNNING),
                IN_PROGRESS_UNTIL, n(holdUntil.toEpochMilli()),
                EXPIRES_AT, n(now.plus(RETENTION).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#id)"
                            + " OR (#status = :running AND #until < :nowMs)"
                            + " OR #expires < :nowS")
                    .expressionAttributeNames(Map.of("#id", ID, "#status", STATUS,
                            "#until", IN_PROGRESS_UNTIL, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":running", s(RUNNING),
                            ":nowMs", n(now.toEpochMilli()), ":nowS", n(now.getEpochSecond())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Acquired(false);
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> old = e.hasItem() ? e.item() : read(requestId).orElse(Map.of());
            return interpret(old, now);
        } catch (SdkException e) {
            throw new StoreException("could not claim request " + requestId, e);
        }
    }

    private Claim interpret(Map<String, AttributeValue> old, Instant now) {
        if (old.isEmpty()) {
            // Deleted between our write and our read (TTL): report busy, Lambda's retry will claim it.
            return new Busy(now);
        }
        if (DONE.equals(old.get(STATUS).s())) {
            return new Completed(replyOf(old), old.containsKey(DELIVERED) && Boolean.TRUE.equals(old.get(DELIVERED).bool()));
        }
        return new Busy(Instant.ofEpochMilli(Long.parseLong(old.get(IN_PROGRESS_UNTIL).n())));
    }

    /** Records the outcome and the reply before it is posted, so a retry can re-post it instead of acting again. */
    public void complete(String requestId, List<Message> reply, String outcome) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #status = :done, #reply = :reply, #delivered = :false, #outcome = :outcome")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#reply", REPLY,
                            "#delivered", DELIVERED, "#outcome", OUTCOME))
                    .expressionAttributeValues(Map.of(":done", s(DONE), ":reply", s(gson.toJson(reply)),
                            ":false", AttributeValue.fromBool(false), ":outcome", s(outcome))));
        } catch (SdkException e) {
            throw new StoreException("could not complete request " + requestId, e);
        }
    }

    public void markDelivered(String requestId) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #delivered = :true")
                    .expressionAttributeNames(Map.of("#delivered", DELIVERED))
                    .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true))));
        } catch (SdkException e) {
            throw new StoreException("could not mark request " + requestId + " delivered", e);
        }
    }

    /**
     * Whether the user still needs to be told that {@code requestId} failed, claiming that notice so
     * it is sent once: false when the request was answered or a notice was already claimed.
     */
    public boolean claimFailureNotice(String requestId, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #notified = :now, #expires = if_not_exists(#expires, :expires)")
                    .conditionExpression("attribute_not_exists(#notified) AND NOT (#delivered = :true)")
                    .expressionAttributeNames(Map.of("#notified", FAILURE_NOTIFIED, "#delivered", DELIVERED,
                            "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli()), ":true", AttributeValue.fromBool(true),
                            ":expires", n(now.plus(RETENTION).getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new StoreException("could not claim the failure notice of request " + requestId, e);
        }
    }

    /** Gives the failure notice back when it could not be posted, so that a later try may send it. */
    public void releaseFailureNotice(String requestId) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("REMOVE #notified")
                    .expressionAttributeNames(Map.of("#notified", FAILURE_NOTIFIED)));
        } catch (SdkException e) {
            throw new StoreException("could not release the failure notice of request " + requestId, e);
        }
    }

    /** The stored state of a request, for operators and tests: status, outcome, delivered. */
    public Optional<Map<String, AttributeValue>> read(String requestId) {
        try {
            GetItemResponse response = dynamo.getItem(b -> b.tableName(table).key(Map.of(ID, s(requestId))).consistentRead(true));
            return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not read request " + requestId, e);
        }
    }

    private List<Message> replyOf(Map<String, AttributeValue> item) {
        AttributeValue reply = item.get(REPLY);
        if (reply == null || reply.s() == null) {
            return List.of();
        }
        return Arrays.asList(gson.fromJson(reply.s(), Message[].class));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
