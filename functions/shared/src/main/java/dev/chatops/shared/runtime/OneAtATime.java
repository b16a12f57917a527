package dev.chatops.shared.runtime;

import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * At most one command of a kind running per person ({@code explain}: each holds a database session on the
 * replica). One item per person and kind in the requests table, beside {@link RequestClaims}' items
 * (its key, {@code running#<kind>#<team>#<user>}, cannot be a request id), naming the request that
 * holds it and until when: the holder's own deadline. A holder frees it when it has its answer; one
 * that crashed holds it no longer than its deadline, checked in the write's condition (TTL deletes
 * late). A redelivery of the holding request is not refused by its own hold.
 */
public final class OneAtATime {
    private final DynamoDbClient dynamo;
    private final String table;

    public OneAtATime(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Runs {@code work} if the caller has no other command of this kind running, freeing the hold after;
     * otherwise answers which request is running and runs nothing.
     */
    public Reply run(CommandCall call, Supplier<Reply> work) {
        String kind = call.request().command();
        // Per person, not per workspace: on Enterprise Grid one person spans the enterprise's workspaces.
        String team = call.request().workspace();
        String user = call.request().userId();
        String requestId = call.request().requestId();
        Optional<String> running = take(kind, team, user, requestId, call.clock().instant(), call.deadline());
        if (running.isPresent()) {
            return Reply.refusal(":hourglass: You already have an `" + kind + "` running (request `"
                    + Text.inCode(running.get(), 80) + "`); wait for its answer before you start another.");
        }
        try {
            return work.get();
        } finally {
            try {
                release(kind, team, user, requestId, call.clock().instant());
            } catch (StoreException e) {
                // It runs out at the deadline by itself.
                Log.warn("one_at_a_time.release_failed", "error", e.getMessage());
            }
        }
    }

    /** Holds the slot for {@code requestId} until {@code until}; empty when held, else the request that holds it. */
    public Optional<String> take(String kind, String team, String user, String requestId, Instant now, Instant until) {
        Map<String, AttributeValue> item = Map.of(
                RequestClaims.ID, s(key(kind, team, user)),
                RequestClaims.HOLDER, s(requestId),
                RequestClaims.IN_PROGRESS_UNTIL, n(until.toEpochMilli()),
                RequestClaims.EXPIRES_AT, n(until.plus(RequestClaims.RETENTION).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#id) OR #until < :nowMs OR #holder = :me")
                    .expressionAttributeNames(Map.of("#id", RequestClaims.ID, "#until", RequestClaims.IN_PROGRESS_UNTIL,
                            "#holder", RequestClaims.HOLDER))
                    .expressionAttributeValues(Map.of(":nowMs", n(now.toEpochMilli()), ":me", s(requestId)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            AttributeValue holder = e.hasItem() ? e.item().get(RequestClaims.HOLDER) : null;
            return Optional.of(holder == null || holder.s() == null ? "unknown" : holder.s());
        } catch (SdkException e) {
            throw new StoreException("could not check the " + kind + " commands running for " + user, e);
        }
    }

    /** Frees the slot if {@code requestId} holds it; another request's hold is left alone. */
    public void release(String kind, String team, String user, String requestId, Instant now) {
        try {
            // An update, not a delete: the functions' roles may already put and update items of this table.
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(RequestClaims.ID, s(key(kind, team, user))))
                    .updateExpression("SET #until = :now")
                    .conditionExpression("#holder = :me")
                    .expressionAttributeNames(
                            Map.of("#until", RequestClaims.IN_PROGRESS_UNTIL, "#holder", RequestClaims.HOLDER))
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli() - 1), ":me", s(requestId))));
        } catch (ConditionalCheckFailedException e) {
            // Another request holds it now, or nobody does.
        } catch (SdkException e) {
            throw new StoreException("could not free the " + kind + " slot of " + user, e);
        }
    }

    private static String key(String kind, String team, String user) {
        return "running#" + kind + "#" + team + "#" + user;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
