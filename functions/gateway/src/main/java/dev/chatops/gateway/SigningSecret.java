package dev.chatops.gateway;

import dev.chatops.shared.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Slack signing secret, read from Secrets Manager and kept per container, read again so that a
 * rotated secret takes over in a warm container without waiting for it to be recycled:
 * <ul>
 *   <li>when the last read is {@link #REFRESH_INTERVAL} old, on the next request (checked there,
 *       no thread), so the old secret stops working even if only requests signed with it arrive;
 *   <li>when a signature does not match, at most once every {@link #MIN_REFRESH_INTERVAL}, so a
 *       new secret works from its first request and forged requests cannot turn into a flood of
 *       Secrets Manager calls.
 * </ul>
 * When a read finds a new secret, the previous one is still accepted for {@link #GRACE}, for
 * requests Slack signed just before the secret was regenerated, and never after: counted from when
 * the change was seen, or from when the timer was due if no request came then, so the old secret
 * is refused at the latest {@code REFRESH_INTERVAL + GRACE} after the secret changed. A failed read
 * keeps the secret held and counts as an attempt (an outage is not a call per request).
 */
public final class SigningSecret {
    /** A warm container reads the secret again at least this often. */
    static final Duration REFRESH_INTERVAL = Duration.ofMinutes(2);
    /** After a mismatch, a read at most this often. */
    static final Duration MIN_REFRESH_INTERVAL = Duration.ofMinutes(1);
    /** How long the previous secret is still accepted after a read finds a new one. */
    static final Duration GRACE = Duration.ofSeconds(30);
    /** The longest one read of the secret may take (see GatewayFunction). */
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);

    private final Supplier<String> source;
    private final Clock clock;
    private String value;
    private String previous;
    private Instant previousUntil;
    private Instant readAt;
    private Instant attemptedAt;

    public SigningSecret(Supplier<String> source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    /**
     * The secrets a request may be signed with now: the current one, then the previous one during
     * its grace. Reads the secret first when none
     * is held (failing if it cannot be read) or when the last read is {@link #REFRESH_INTERVAL} old.
     */
    public synchronized List<String> accepted() {
        if (value == null) {
            fetch();
        } else if (age(attemptedAt).compareTo(REFRESH_INTERVAL) >= 0) {
            tryFetch();
        }
        return previous != null && clock.instant().isBefore(previousUntil) ? List.of(value, previous) : List.of(value);
    }

    /**
     * After a signature that matched none of {@link #accepted()}: reads the secret again unless the
     * last attempt is less than {@link #MIN_REFRESH_INTERVAL} old. True when it found a new one.
     */
    public synchronized boolean refreshedAfterMismatch() {
        if (value != null && age(attemptedAt).compareTo(MIN_REFRESH_INTERVAL) < 0) {
            return false;
        }
        return tryFetch();
    }

    private boolean tryFetch() {
        String before = value;
        try {
            fetch();
        } catch (RuntimeException e) {
            attemptedAt = clock.instant();
            Log.error("signing_secret.refresh_failed", e);
            return false;
        }
        return !value.equals(before);
    }

    private void fetch() {
        String fetched = source.get();
        if (fetched == null || fetched.isEmpty()) {
            throw new IllegalStateException("the signing secret is empty");
        }
        Instant now = clock.instant();
        if (value != null && !value.equals(fetched)) {
            // The grace runs from when the change was seen, or should have been: a container idle
            // since long before the change must not give the old secret a fresh grace on the first
            // request, which may be an attacker's signed with it.
            Instant dueBy = readAt.plus(REFRESH_INTERVAL);
            previous = value;
            previousUntil = (now.isBefore(dueBy) ? now : dueBy).plus(GRACE);
            Log.info("signing_secret.changed", "previousAcceptedUntil", previousUntil.toString());
        }
        value = fetched;
        readAt = now;
        attemptedAt = now;
    }

    private Duration age(Instant then) {
        return Duration.between(then, clock.instant());
    }
}
