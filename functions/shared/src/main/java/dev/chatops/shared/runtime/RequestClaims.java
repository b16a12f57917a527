package dev.chatops.shared.runtime;

import dev.chatops.shared.Log;
import dev.chatops.shared.runtime.RequestRecord.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Makes each command request run once, whatever Lambda delivers (the Powertools idempotency
 * pattern, on one DynamoDB item per request id):
 * <ul>
 *   <li>The first delivery claims the request with a conditional write and holds it until its own
 *       deadline ({@code inProgressUntil}, the invocation's timeout), naming itself (its audit attempt).</li>
 *   <li>A command that changes things is marked as acting before it starts: a delivery that finds it
 *       interrupted after that (the holder crashed, or lost its store, before recording the reply)
 *       does not act again, since nothing can tell whether the change was made; one interrupted
 *       before acting runs it.</li>
 *   <li>The reply is stored (gzipped) before it is posted, and each message posted is counted, so a
 *       later delivery posts what is left instead of acting again, and never posts a message twice.</li>
 *   <li>A delivery that finds the request held (running, or still posting its reply) backs off:
 *       Lambda retries it later. One that finds an expired hold (the holder crashed) takes over.</li>
 * </ul>
 * DynamoDB's TTL deletes items lazily, so expiry is checked in the write's condition, never
 * assumed from the item's absence. What an item found says is read once ({@link RequestRecord}) and
 * decided over plain values ({@link DeliveryRules}); this class and {@link ClaimTakeovers} make the
 * writes.
 */
public final class RequestClaims {
    static final String ID = "requestId";
    static final String STATUS = "status";
    static final String IN_PROGRESS_UNTIL = "inProgressUntil";
    static final String EXPIRES_AT = "expiresAt";
    static final String REPLY = "replyGz";
    static final String REPLY_SIZE = "replyMessages";
    static final String POSTED = "posted";
    static final String DELIVERED = "delivered";
    static final String OUTCOME = "outcome";
    static final String FAILURE_NOTIFIED = "failureNotified";
    static final String HOLDER = "holder";
    private static final String RUNNING = Status.RUNNING.stored();
    private static final String ACTING = Status.ACTING.stored();
    private static final String DONE = Status.COMPLETED.stored();
    /** How long a request id is remembered: longer than Lambda keeps retrying an async event (6 h). */
    public static final Duration RETENTION = Duration.ofDays(1);
    private static final String POSTED_UPDATE = "SET #posted = :posted, #delivered = :delivered";
    private static final Map<String, String> POSTED_NAMES = Map.of("#posted", POSTED, "#delivered", DELIVERED);
    /** DynamoDB items hold 400 KB; a stored reply above this is replaced by a note. */
    static final int MAX_STORED_REPLY_BYTES = 300 * 1024;

    /** What a delivery found when it tried to claim its request. */
    public sealed interface Claim permits Acquired, Completed, Busy {
    }

    /**
     * This delivery owns the request; {@code interrupted} is the holder whose hold ran out before
     * it finished, if any.
     */
    public record Acquired(Optional<Interrupted> interrupted) implements Claim {
    }

    /** A delivery that held the request and stopped before recording a reply; {@code acting} if it had begun to act. */
    public record Interrupted(String holder, boolean acting) {
    }

    /**
     * Done before. {@code reply} is what was answered (empty when it could not be kept), {@code posted}
     * how many of its messages reached Slack, {@code delivered} whether all of them did.
     */
    public record Completed(List<Message> reply, int posted, boolean delivered) implements Claim {
    }

    /** Another delivery holds the request and has not run out of time. */
    public record Busy(Instant until) implements Claim {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final ClaimTakeovers takeovers;

    public RequestClaims(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
        this.takeovers = new ClaimTakeovers(dynamo, table, this::read);
    }

    /**
     * The common case in one request: {@code requestId} has no record yet, and is claimed for the
     * delivery whose audit attempt is {@code holder} in one transaction with {@code audit}, that
     * attempt's first record. Empty when the request has a record already, or the transaction did not
     * go through: then nothing was written, and the caller writes the audit record alone and claims
     * with {@link #claim}, which knows every other case (a hold to take over, a reply to post again).
     */
    public Optional<Claim> claimFresh(String requestId, String holder, Instant now, Instant holdUntil,
                                      TransactWriteItem audit) {
        Map<String, AttributeValue> item = claimItem(requestId, holder, now, holdUntil);
        try {
            dynamo.transactWriteItems(b -> b.transactItems(audit, TransactWriteItem.builder()
                    .put(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(#id)")
                            .expressionAttributeNames(Map.of("#id", ID)))
                    .build()));
        } catch (TransactionCanceledException e) {
            return Optional.empty();
        } catch (SdkException e) {
            // Perhaps applied, its answer lost: the two writes that follow find it so (our own claim).
            Log.warn("claim.together_failed", "error", e.getClass().getSimpleName());
            return Optional.empty();
        }
        return Optional.of(DeliveryRules.claimed(RequestRecord.none(), now));
    }

    /** Claims {@code requestId} for the delivery whose audit attempt is {@code holder}, until {@code holdUntil}. */
    public Claim claim(String requestId, String holder, Instant now, Instant holdUntil) {
        Map<String, AttributeValue> item = claimItem(requestId, holder, now, holdUntil);
        Map<String, AttributeValue> old;
        try {
            // A fresh request, one whose holder ran out of time before it acted, or one past retention. An
            // expired ACTING hold is not overwritten here: it stays ACTING whoever takes it over (below).
            old = dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#id)"
                            + " OR (#status = :running AND #until < :nowMs)"
                            + " OR #expires < :nowS")
                    .expressionAttributeNames(Map.of("#id", ID, "#status", STATUS,
                            "#until", IN_PROGRESS_UNTIL, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":running", s(RUNNING),
                            ":nowMs", n(now.toEpochMilli()), ":nowS", n(now.getEpochSecond())))
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD))
                    .attributes();
        } catch (ConditionalCheckFailedException e) {
            RequestRecord found = RequestRecord.of(e.hasItem() ? e.item() : read(requestId).orElse(Map.of()));
            return takeovers.follow(DeliveryRules.refused(found, holder, now), requestId, holder, now, holdUntil);
        } catch (SdkException e) {
            throw new StoreException("could not claim request " + requestId, e);
        }
        return DeliveryRules.claimed(RequestRecord.of(old), now);
    }

    private static Map<String, AttributeValue> claimItem(String requestId, String holder, Instant now,
                                                         Instant holdUntil) {
        return Map.of(
                ID, s(requestId),
                STATUS, s(RUNNING),
                HOLDER, s(holder),
                IN_PROGRESS_UNTIL, n(holdUntil.toEpochMilli()),
                EXPIRES_AT, n(now.plus(RETENTION).getEpochSecond()));
    }

    /**
     * Marks the request as acting, just before a command that changes things starts: from now on,
     * an interruption means "may have taken effect". Only the delivery that holds it may do so.
     */
    public void markActing(String requestId, String holder) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #status = :acting")
                    .conditionExpression("#status = :running AND #holder = :holder")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#holder", HOLDER))
                    .expressionAttributeValues(
                            Map.of(":acting", s(ACTING), ":running", s(RUNNING), ":holder", s(holder)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            RequestRecord found = RequestRecord.of(e.hasItem() ? e.item() : Map.of());
            if (found.heldBy(holder) && found.status() == Status.ACTING) {
                return; // our own update, applied before the SDK retried it
            }
            throw new StoreException("request " + requestId + " is no longer held by this delivery", e);
        } catch (SdkException e) {
            throw new StoreException("could not mark request " + requestId + " as acting", e);
        }
    }

    /** Records the outcome and the reply before it is posted, so a retry can re-post it instead of acting again. */
    public void complete(String requestId, List<Message> reply, String outcome) {
        complete(requestId, reply, outcome, 0);
    }

    /**
     * Records the outcome and the reply of which {@code posted} messages already reached Slack, in one
     * write (an answer posted while the store was away, recorded once it is back).
     */
    public void complete(String requestId, List<Message> reply, String outcome, int posted) {
        byte[] stored = RequestRecord.encode(reply);
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#delivered", DELIVERED,
                "#outcome", OUTCOME, "#posted", POSTED, "#size", REPLY_SIZE));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":done", s(DONE),
                ":delivered", AttributeValue.fromBool(posted >= reply.size()),
                ":outcome", s(outcome), ":posted", n(posted), ":size", n(reply.size())));
        String update =
                "SET #status = :done, #delivered = :delivered, #outcome = :outcome, #posted = :posted, #size = :size";
        if (stored.length <= MAX_STORED_REPLY_BYTES) {
            names.put("#reply", REPLY);
            values.put(":reply", AttributeValue.fromB(SdkBytes.fromByteArray(stored)));
            update += ", #reply = :reply";
        }
        String expression = update;
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression(expression).expressionAttributeNames(names).expressionAttributeValues(values));
        } catch (SdkException e) {
            throw new StoreException("could not complete request " + requestId, e);
        }
    }

    /** Counts the messages of the reply that reached Slack; {@code delivered} when that is all of them. */
    public void markPosted(String requestId, int posted, boolean delivered) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(ID, s(requestId)))
                    .updateExpression(POSTED_UPDATE)
                    .expressionAttributeNames(POSTED_NAMES)
                    .expressionAttributeValues(postedValues(posted, delivered)));
        } catch (SdkException e) {
            throw new StoreException("could not count the posts of request " + requestId, e);
        }
    }

    /** {@link #markPosted} as one write of a transaction. */
    TransactWriteItem posted(String requestId, int posted, boolean delivered) {
        return TransactWriteItem.builder().update(u -> u.tableName(table)
                .key(Map.of(ID, s(requestId)))
                .updateExpression(POSTED_UPDATE)
                .expressionAttributeNames(POSTED_NAMES)
                .expressionAttributeValues(postedValues(posted, delivered))).build();
    }

    private static Map<String, AttributeValue> postedValues(int posted, boolean delivered) {
        return Map.of(":posted", n(posted), ":delivered", AttributeValue.fromBool(delivered));
    }

    /**
     * Ends this delivery's hold early: it is giving up (its reply could not be posted, or its store
     * failed before it acted), so the next delivery may carry on at once instead of waiting for the
     * hold to run out. Another delivery's hold is left alone.
     */
    public void releaseHold(String requestId, String holder, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #until = :now")
                    .conditionExpression("attribute_exists(#status) AND #holder = :holder")
                    .expressionAttributeNames(Map.of("#until", IN_PROGRESS_UNTIL, "#status", STATUS, "#holder", HOLDER))
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli()), ":holder", s(holder))));
        } catch (ConditionalCheckFailedException e) {
            // Nothing is held, or another delivery holds it now.
        } catch (SdkException e) {
            throw new StoreException("could not release the hold on request " + requestId, e);
        }
    }

    /**
     * Whether the user still needs to be told that {@code requestId} failed, claiming that notice so
     * it is sent once: false when the request was answered or a notice was already claimed.
     */
    public boolean claimFailureNotice(String requestId, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #notified = :now, #expires = if_not_exists(#expires, :expires)")
                    .conditionExpression("attribute_not_exists(#notified) AND NOT (#delivered = :true)")
                    .expressionAttributeNames(
                            Map.of("#notified", FAILURE_NOTIFIED, "#delivered", DELIVERED, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(
                            ":now",
                            n(now.toEpochMilli()),
                            ":true",
                            AttributeValue.fromBool(true),
                            ":expires",
                            n(now.plus(RETENTION).getEpochSecond()))));
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

    /**
     * What is known of a request: whether it ran to completion, whether a command that changes things
     * began to act without completing ({@code acting}), and how many messages reached Slack.
     */
    public record State(boolean completed, boolean acting, int posted, boolean delivered) {
    }

    public Optional<State> state(String requestId) {
        return read(requestId).map(RequestRecord::of).map(found -> new State(found.status() == Status.COMPLETED,
                found.status() == Status.ACTING, found.posted(), found.delivered()));
    }

    Optional<Map<String, AttributeValue>> read(String requestId) {
        try {
            GetItemResponse response = dynamo.getItem(
                    b -> b.tableName(table).key(Map.of(ID, s(requestId))).consistentRead(true));
            return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not read request " + requestId, e);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
