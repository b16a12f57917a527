package dev.chatops.shared.runtime;

import com.google.gson.Gson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One request's item in the requests table, as {@link RequestClaims} reads it: read here and
 * nowhere else, so that what a delivery makes of it ({@link DeliveryRules}) is decided over plain
 * values.
 *
 * @param status     where the request stands
 * @param holder     the audit attempt of the delivery that holds it, or held it last ("" when none)
 * @param heldUntil  until when that delivery holds it (its invocation's end); empty when never held
 * @param expiresAt  when the request id is forgotten (its retention); empty when not known
 * @param posted     how many messages of the reply reached Slack
 * @param delivered  whether all of them did
 * @param reply      the stored reply; empty when there is none, or it was too large to keep
 */
public record RequestRecord(Status status, String holder, Optional<Instant> heldUntil, Optional<Instant> expiresAt,
                            int posted, boolean delivered, List<Message> reply) {

    /** Where a request stands; {@code stored} is the value of the item's {@code status} attribute. */
    public enum Status {
        /** No item: never claimed, or deleted by TTL. */
        NONE(null),
        /** An item without a status: only a failure notice was recorded for this id. */
        NOTICE_ONLY(null),
        /** Held by a delivery that has not begun to change anything. */
        RUNNING("IN_PROGRESS"),
        /** Held by a delivery whose command began to change things and has not recorded its reply. */
        ACTING("ACTING"),
        /** The reply is recorded (some of it may still have to reach Slack). */
        COMPLETED("COMPLETED");

        private final String stored;

        Status(String stored) {
            this.stored = stored;
        }

        /** The attribute's value; only for a status that is written. */
        String stored() {
            if (stored == null) {
                throw new IllegalStateException(this + " is never written as a status");
            }
            return stored;
        }

        static Status of(AttributeValue value) {
            if (value == null) {
                return NOTICE_ONLY;
            }
            for (Status status : values()) {
                if (status.stored != null && status.stored.equals(value.s())) {
                    return status;
                }
            }
            throw new IllegalStateException("a request item has an unknown status: " + value.s());
        }
    }

    private static final Gson GSON = SlackJson.GSON;

    /** No item for the request. */
    public static RequestRecord none() {
        return new RequestRecord(Status.NONE, "", Optional.empty(), Optional.empty(), 0, false, List.of());
    }

    /** Past retention: whatever the record said is forgotten, as if TTL had deleted it. */
    public boolean forgotten(Instant now) {
        return expiresAt.map(expires -> expires.getEpochSecond() < now.getEpochSecond()).orElse(false);
    }

    /** The delivery that held it ran out of time (its hold ended before {@code now}). */
    public boolean holdRanOut(Instant now) {
        return heldUntil.map(until -> until.toEpochMilli() < now.toEpochMilli()).orElse(false);
    }

    public boolean heldBy(String attempt) {
        return holder.equals(attempt);
    }

    /** The record of a DynamoDB item (the empty map when there is none). */
    static RequestRecord of(Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return none();
        }
        AttributeValue until = item.get(RequestClaims.IN_PROGRESS_UNTIL);
        AttributeValue expires = item.get(RequestClaims.EXPIRES_AT);
        AttributeValue posted = item.get(RequestClaims.POSTED);
        AttributeValue delivered = item.get(RequestClaims.DELIVERED);
        AttributeValue holder = item.get(RequestClaims.HOLDER);
        AttributeValue reply = item.get(RequestClaims.REPLY);
        return new RequestRecord(Status.of(item.get(RequestClaims.STATUS)),
                holder == null || holder.s() == null ? "" : holder.s(),
                until == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(Long.parseLong(until.n()))),
                expires == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(Long.parseLong(expires.n()))),
                posted == null || posted.n() == null ? 0 : Integer.parseInt(posted.n()),
                delivered != null && Boolean.TRUE.equals(delivered.bool()),
                reply == null || reply.b() == null ? List.of() : decode(reply.b()));
    }

    /** A reply as it is stored: its messages' JSON, gzipped. */
    static byte[] encode(List<Message> reply) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(GSON.toJson(reply).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<Message> decode(SdkBytes stored) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored.asByteArray()))) {
            return Arrays.asList(GSON.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), Message[].class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
