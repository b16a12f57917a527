package dev.chatops.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The Slack signing secret, fetched once per container and kept. When a signature does not match,
 * the secret may have been rotated: {@link #refreshed()} fetches it again, at most once a minute,
 * so forged requests cannot turn into a flood of Secrets Manager calls.
 */
public final class SigningSecret {
    static final Duration MIN_REFRESH_INTERVAL = Duration.ofMinutes(1);

    private final Supplier<String> source;
    private final Clock clock;
    private volatile String value;
    private volatile Instant fetchedAt;

    public SigningSecret(Supplier<String> source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    public String current() {
        String cached = value;
        if (cached == null) {
            synchronized (this) {
                if (value == null) {
                    fetch();
                }
                cached = value;
            }
        }
        return cached;
    }

    /**
     * A freshly fetched secret if it changed and the last attempt is a minute old; otherwise empty.
     * A failed fetch keeps the secret we have and counts as an attempt, so forged requests cannot
     * turn a Secrets Manager outage into a call per request.
     */
    public synchronized java.util.Optional<String> refreshed() {
        if (fetchedAt != null && Duration.between(fetchedAt, clock.instant()).compareTo(MIN_REFRESH_INTERVAL) < 0) {
            return java.util.Optional.empty();
        }
        String before = value;
        try {
            fetch();
        } catch (RuntimeException e) {
            fetchedAt = clock.instant();
            dev.chatops.shared.Log.error("signing_secret.refresh_failed", e);
            return java.util.Optional.empty();
        }
        return value.equals(before) ? java.util.Optional.empty() : java.util.Optional.of(value);
    }

    private void fetch() {
        String fetched = source.get();
        if (fetched == null || fetched.isEmpty()) {
            throw new IllegalStateException("the signing secret is empty");
        }
        value = fetched;
        fetchedAt = clock.instant();
    }
}
