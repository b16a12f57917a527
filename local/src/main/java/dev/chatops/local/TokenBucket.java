package dev.chatops.local;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * API Gateway's throttle of one route, a token bucket: it holds at most {@code burst} tokens, starts
 * full, and gains {@code rate} tokens a second; each request takes one, and a request that finds
 * none is refused (429). Time is read from a clock the caller gives, so a test can move it.
 */
final class TokenBucket {
    private final int burst;
    private final double rate;
    private final InstantSource clock;
    private double tokens;
    private Instant filled;

    TokenBucket(int burst, double rate, InstantSource clock) {
        if (burst < 0 || rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(
                    "a throttle needs a burst and a rate of 0 or more, not " + burst + " and " + rate);
        }
        this.burst = burst;
        this.rate = rate;
        this.clock = clock;
        this.tokens = burst;
        this.filled = clock.instant();
    }

    int burst() {
        return burst;
    }

    double rate() {
        return rate;
    }

    /** Takes a token for one request: false when the bucket is empty (the request is throttled). */
    synchronized boolean take() {
        Instant now = clock.instant();
        if (now.isAfter(filled)) {
            double seconds = Duration.between(filled, now).toNanos() / 1e9;
            tokens = Math.min(burst, tokens + seconds * rate);
            filled = now;
        }
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
