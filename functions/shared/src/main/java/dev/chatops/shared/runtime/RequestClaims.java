package dev.chatops.shared.runtime;

import com.google.gson.Gson;
import com.slack.api.util.json.GsonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

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
 * assumed from the item's absence.
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
    private static final String RUNNING = "IN_PROGRESS";
    private static final String ACTING = "ACTING";
    private static final String DONE = "COMPLETED";
    /** How long a request id is remembered: longer than Lambda keeps retrying an async event (6 h). */
    public static final Duration RETENTION = Duration.ofDays(1);
    /** DynamoDB items hold 400 KB; a stored reply above this is replaced by a note. */
    static final int MAX_STORED_REPLY_BYTES = 300 * 1024;

    /** What a delivery found when it tried to claim its request. */
    public sealed interface Claim permits Acquired, Completed, Busy {
    }

    /** This delivery owns the request; {@code interrupted} is the holder whose hold ran out before it finished, if any. */
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
    private final Gson gson = GsonFactory.createSnakeCase();

    public RequestClaims(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** Claims {@code requestId} for the delivery whose audit attempt is {@code holder}, until {@code holdUntil}. */
    public Claim claim(String requestId, String holder, Instant now, Instant holdUntil) {
        Map<String, AttributeValue> item = Map.of(
                ID, s(requestId),
                STATUS, s(RUNNING),
                HOLDER, s(holder),
                IN_PROGRESS_UNTIL, n(holdUntil.toEpochMilli()),
                EXPIRES_AT, n(now.plus(RETENTION).getEpochSecond()));
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
            Map<String, AttributeValue> found = e.hasItem() ? e.item() : read(requestId).orElse(Map.of());
            if (holder.equals(text(found, HOLDER)) && RUNNING.equals(text(found, STATUS))) {
                // Our own write, applied before the SDK retried it.
                return new Acquired(Optional.empty());
            }
            if (ACTING.equals(text(found, STATUS)) && !expired(found, now)
                    && Long.parseLong(found.get(IN_PROGRESS_UNTIL).n()) < now.toEpochMilli()) {
                if (Boolean.TRUE.equals(bool(found, DELIVERED))) {
                    // Its answer reached Slack though it was never recorded: nothing is left to say.
                    return new Completed(List.of(), intOf(found, POSTED), true);
                }
                return takeOverActing(requestId, holder, found, now, holdUntil);
            }
            return replayOrInterpret(requestId, holder, found, now, holdUntil);
        } catch (SdkException e) {
            throw new StoreException("could not claim request " + requestId, e);
        }
        boolean interrupted = RUNNING.equals(text(old, STATUS)) && !expired(old, now);
        return new Acquired(interrupted ? Optional.of(new Interrupted(text(old, HOLDER), false)) : Optional.empty());
    }

    /**
     * Takes over a request whose holder began to act and ran out of time: it stays ACTING (so that
     * whoever comes after this delivery knows too), only its holder and hold change, and only if
     * nobody took it over in between.
     */
    private Claim takeOverActing(String requestId, String holder, Map<String, AttributeValue> found, Instant now,
                                 Instant holdUntil) {
        String earlier = text(found, HOLDER);
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #holder = :me, #until = :until")
                    .conditionExpression("#status = :acting AND #holder = :earlier AND #until < :nowMs")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#holder", HOLDER, "#until", IN_PROGRESS_UNTIL))
                    .expressionAttributeValues(Map.of(":acting", s(ACTING), ":me", s(holder), ":earlier", s(earlier),
                            ":until", n(holdUntil.toEpochMilli()), ":nowMs", n(now.toEpochMilli()))));
            return new Acquired(Optional.of(new Interrupted(earlier, true)));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> latest = read(requestId).orElse(Map.of());
            if (holder.equals(text(latest, HOLDER))) {
                return new Acquired(Optional.of(new Interrupted(earlier, true))); // ours, applied before a retry
            }
            return replayOrInterpret(requestId, holder, latest, now, holdUntil);
        } catch (SdkException e) {
            throw new StoreException("could not take over request " + requestId, e);
        }
    }

    /**
     * A completed request whose reply did not all reach Slack and whose holder's time ran out: this
     * delivery takes the hold before posting what is left, so that two deliveries never post it
     * both. Anything else is read as it stands.
     */
    private Claim replayOrInterpret(String requestId, String holder, Map<String, AttributeValue> found, Instant now,
                                    Instant holdUntil) {
        Map<String, AttributeValue> item = found;
        for (int attempt = 0; attempt < 3; attempt++) {
            boolean replayable = DONE.equals(text(item, STATUS)) && !Boolean.TRUE.equals(bool(item, DELIVERED))
                    && item.containsKey(IN_PROGRESS_UNTIL) && Long.parseLong(item.get(IN_PROGRESS_UNTIL).n()) < now.toEpochMilli();
            if (!replayable) {
                return interpret(item, now);
            }
            try {
                dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                        .updateExpression("SET #holder = :me, #until = :until")
                        .conditionExpression("#status = :done AND #until < :nowMs AND NOT #delivered = :true")
                        .expressionAttributeNames(Map.of("#status", STATUS, "#holder", HOLDER, "#until", IN_PROGRESS_UNTIL,
                                "#delivered", DELIVERED))
                        .expressionAttributeValues(Map.of(":done", s(DONE), ":me", s(holder), ":true", AttributeValue.fromBool(true),
                                ":until", n(holdUntil.toEpochMilli()), ":nowMs", n(now.toEpochMilli()))));
                return new Completed(replyOf(item), intOf(item, POSTED), false);
            } catch (ConditionalCheckFailedException e) {
                item = read(requestId).orElse(Map.of());
                if (holder.equals(text(item, HOLDER)) && DONE.equals(text(item, STATUS))) {
                    return new Completed(replyOf(item), intOf(item, POSTED), Boolean.TRUE.equals(bool(item, DELIVERED)));
                }
            } catch (SdkException e) {
                throw new StoreException("could not take over the reply of request " + requestId, e);
            }
        }
        return new Busy(now);
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.s() == null ? "" : value.s();
    }

    /** Past retention: whatever the record said is forgotten, as if TTL had deleted it. */
    private static boolean expired(Map<String, AttributeValue> item, Instant now) {
        AttributeValue expires = item.get(EXPIRES_AT);
        return expires != null && Long.parseLong(expires.n()) < now.getEpochSecond();
    }

    /**
     * Marks the request as acting, just before a command that changes things starts: from now on,
     * an interruption means "may have taken effect". Only the delivery that holds it may do so.
     */
    public void markActing(String requestId, String holder) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #status = :acting")
                    .conditionExpression("#status = :running AND #holder = :holder")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#holder", HOLDER))
                    .expressionAttributeValues(Map.of(":acting", s(ACTING), ":running", s(RUNNING), ":holder", s(holder)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> found = e.hasItem() ? e.item() : Map.of();
            if (holder.equals(text(found, HOLDER)) && ACTING.equals(text(found, STATUS))) {
                return; // our own update, applied before the SDK retried it
            }
            throw new StoreException("request " + requestId + " is no longer held by this delivery", e);
        } catch (SdkException e) {
            throw new StoreException("could not mark request " + requestId + " as acting", e);
        }
    }

    private Claim interpret(Map<String, AttributeValue> old, Instant now) {
        if (old.isEmpty()) {
            // Deleted between our write and our read (TTL): report busy, Lambda's retry will claim it.
            return new Busy(now);
        }
        AttributeValue status = old.get(STATUS);
        if (status == null) {
            // Only a failure notice was recorded for this id: the person was told; nothing is left to do.
            return new Completed(List.of(), 0, true);
        }
        Instant heldUntil = Instant.ofEpochMilli(Long.parseLong(old.get(IN_PROGRESS_UNTIL).n()));
        if (!DONE.equals(status.s())) {
            return new Busy(heldUntil);
        }
        boolean delivered = Boolean.TRUE.equals(bool(old, DELIVERED));
        if (!delivered && heldUntil.isAfter(now)) {
            // The holder is still posting its reply: a second poster would duplicate messages.
            return new Busy(heldUntil);
        }
        return new Completed(replyOf(old), intOf(old, POSTED), delivered);
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
        byte[] stored = gzip(gson.toJson(reply));
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#delivered", DELIVERED,
                "#outcome", OUTCOME, "#posted", POSTED, "#size", REPLY_SIZE));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":done", s(DONE),
                ":delivered", AttributeValue.fromBool(posted >= reply.size()),
                ":outcome", s(outcome), ":posted", n(posted), ":size", n(reply.size())));
        String update = "SET #status = :done, #delivered = :delivered, #outcome = :outcome, #posted = :posted, #size = :size";
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
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #posted = :posted, #delivered = :delivered")
                    .expressionAttributeNames(Map.of("#posted", POSTED, "#delivered", DELIVERED))
                    .expressionAttributeValues(Map.of(":posted", n(posted), ":delivered", AttributeValue.fromBool(delivered))));
        } catch (SdkException e) {
            throw new StoreException("could not count the posts of request " + requestId, e);
        }
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

    /**
     * What is known of a request: whether it ran to completion, whether a command that changes things
     * began to act without completing ({@code acting}), and how many messages reached Slack.
     */
    public record State(boolean completed, boolean acting, int posted, boolean delivered) {
    }

    public Optional<State> state(String requestId) {
        return read(requestId).map(item -> {
            String status = item.get(STATUS) == null ? "" : item.get(STATUS).s();
            return new State(DONE.equals(status), ACTING.equals(status), intOf(item, POSTED),
                    Boolean.TRUE.equals(bool(item, DELIVERED)));
        });
    }

    private Optional<Map<String, AttributeValue>> read(String requestId) {
        try {
            GetItemResponse response = dynamo.getItem(b -> b.tableName(table).key(Map.of(ID, s(requestId))).consistentRead(true));
            return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not read request " + requestId, e);
        }
    }

    private List<Message> replyOf(Map<String, AttributeValue> item) {
        AttributeValue reply = item.get(REPLY);
        if (reply == null || reply.b() == null) {
            return List.of();
        }
        return Arrays.asList(gson.fromJson(gunzip(reply.b().asByteArray()), Message[].class));
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String gunzip(byte[] data) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Boolean bool(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.bool();
    }

    private static int intOf(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Integer.parseInt(value.n());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
