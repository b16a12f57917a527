package dev.chatops.shared.runtime;

import dev.chatops.shared.runtime.DeliveryRules.Next;
import dev.chatops.shared.runtime.DeliveryRules.Settled;
import dev.chatops.shared.runtime.DeliveryRules.TakeOverActing;
import dev.chatops.shared.runtime.DeliveryRules.TakeOverReply;
import dev.chatops.shared.runtime.RequestClaims.Busy;
import dev.chatops.shared.runtime.RequestClaims.Claim;
import dev.chatops.shared.runtime.RequestClaims.Completed;
import dev.chatops.shared.runtime.RequestRecord.Status;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The writes of a claim that found an earlier delivery's hold run out ({@link RequestClaims#claim}):
 * each takes the hold over with a conditional write, so that of two deliveries racing for it one
 * wins, and the other reads the record again as it stands.
 */
final class ClaimTakeovers {
    private static final String ID = RequestClaims.ID;
    private static final String STATUS = RequestClaims.STATUS;
    private static final String HOLDER = RequestClaims.HOLDER;
    private static final String IN_PROGRESS_UNTIL = RequestClaims.IN_PROGRESS_UNTIL;
    private static final String DELIVERED = RequestClaims.DELIVERED;
    private static final String ACTING = Status.ACTING.stored();
    private static final String DONE = Status.COMPLETED.stored();

    private final DynamoDbClient dynamo;
    private final String table;
    private final Function<String, Optional<Map<String, AttributeValue>>> read;

    ClaimTakeovers(DynamoDbClient dynamo, String table, Function<String, Optional<Map<String, AttributeValue>>> read) {
        this.dynamo = dynamo;
        this.table = table;
        this.read = read;
    }

    /** Does what {@link DeliveryRules} says the claim does next. */
    Claim follow(Next next, String requestId, String holder, Instant now, Instant holdUntil) {
        if (next instanceof TakeOverActing acting) {
            return takeOverActing(requestId, holder, acting, now, holdUntil);
        }
        if (next instanceof TakeOverReply) {
            return takeOverReply(requestId, holder, next, now, holdUntil);
        }
        return ((Settled) next).claim();
    }

    /**
     * Takes over a request whose holder began to act and ran out of time: it stays ACTING (so that
     * whoever comes after this delivery knows too), only its holder and hold change, and only if
     * nobody took it over in between.
     */
    private Claim takeOverActing(String requestId, String holder, TakeOverActing next, Instant now, Instant holdUntil) {
        String earlier = next.earlier();
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(ID, s(requestId)))
                    .updateExpression("SET #holder = :me, #until = :until")
                    .conditionExpression("#status = :acting AND #holder = :earlier AND #until < :nowMs")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#holder", HOLDER, "#until", IN_PROGRESS_UNTIL))
                    .expressionAttributeValues(Map.of(":acting", s(ACTING), ":me", s(holder), ":earlier", s(earlier),
                            ":until", n(holdUntil.toEpochMilli()), ":nowMs", n(now.toEpochMilli()))));
            return next.taken();
        } catch (ConditionalCheckFailedException e) {
            RequestRecord latest = RequestRecord.of(read.apply(requestId).orElse(Map.of()));
            if (latest.heldBy(holder)) {
                return next.taken(); // ours, applied before a retry
            }
            return follow(DeliveryRules.asItStands(latest, now), requestId, holder, now, holdUntil);
        } catch (SdkException e) {
            throw new StoreException("could not take over request " + requestId, e);
        }
    }

    /**
     * A completed request whose reply did not all reach Slack and whose holder's time ran out: this
     * delivery takes the hold before posting what is left, so that two deliveries never post it
     * both. A record that changed in between is read again as it stands (three times at most).
     */
    private Claim takeOverReply(String requestId, String holder, Next first, Instant now, Instant holdUntil) {
        Next next = first;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (!(next instanceof TakeOverReply reply)) {
                return ((Settled) next).claim();
            }
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Map.of(ID, s(requestId)))
                        .updateExpression("SET #holder = :me, #until = :until")
                        .conditionExpression("#status = :done AND #until < :nowMs AND NOT #delivered = :true")
                        .expressionAttributeNames(Map.of(
                                "#status",
                                STATUS,
                                "#holder",
                                HOLDER,
                                "#until",
                                IN_PROGRESS_UNTIL,
                                "#delivered",
                                DELIVERED))
                        .expressionAttributeValues(Map.of(
                                ":done",
                                s(DONE),
                                ":me",
                                s(holder),
                                ":true",
                                AttributeValue.fromBool(true),
                                ":until",
                                n(holdUntil.toEpochMilli()),
                                ":nowMs",
                                n(now.toEpochMilli()))));
                return reply.taken();
            } catch (ConditionalCheckFailedException e) {
                RequestRecord latest = RequestRecord.of(read.apply(requestId).orElse(Map.of()));
                if (latest.heldBy(holder) && latest.status() == Status.COMPLETED) {
                    return new Completed(latest.reply(), latest.posted(), latest.delivered());
                }
                next = DeliveryRules.asItStands(latest, now);
            } catch (SdkException e) {
                throw new StoreException("could not take over the reply of request " + requestId, e);
            }
        }
        return new Busy(now);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
