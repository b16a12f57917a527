package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import dev.chatops.testing.MutableClock;
import org.junit.jupiter.api.Test;

class SigningSecretTest {
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicReference<String> stored = new AtomicReference<>("first");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final SigningSecret secret = new SigningSecret(() -> {
        fetches.incrementAndGet();
        return stored.get();
    }, clock);

    @Test
    void the_secret_is_fetched_once_and_kept_until_the_refresh_interval() {
        assertThat(secret.accepted()).containsExactly("first");
        clock.advance(SigningSecret.REFRESH_INTERVAL.minusSeconds(1));
        assertThat(secret.accepted()).containsExactly("first");
        assertThat(fetches).hasValue(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(secret.accepted()).containsExactly("first");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void after_rotation_a_mismatch_refreshes_it_but_at_most_once_a_minute() {
        secret.accepted();
        stored.set("rotated");

        assertThat(secret.refreshedAfterMismatch()).isFalse();
        clock.advance(Duration.ofSeconds(59));
        assertThat(secret.refreshedAfterMismatch()).isFalse();
        assertThat(fetches).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(secret.refreshedAfterMismatch()).isTrue();
        assertThat(secret.accepted()).containsExactly("rotated", "first");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void the_previous_secret_is_accepted_only_during_the_grace_after_the_change_is_seen() {
        secret.accepted();
        stored.set("rotated");
        clock.advance(SigningSecret.REFRESH_INTERVAL);

        assertThat(secret.accepted()).containsExactly("rotated", "first");
        clock.advance(SigningSecret.GRACE.minusSeconds(1));
        assertThat(secret.accepted()).containsExactly("rotated", "first");
        clock.advance(Duration.ofSeconds(1));
        assertThat(secret.accepted()).containsExactly("rotated");
    }

    @Test
    void a_change_seen_late_gives_the_previous_secret_no_more_than_the_grace_after_the_read_was_due() {
        secret.accepted();
        stored.set("rotated");
        clock.advance(SigningSecret.REFRESH_INTERVAL.plus(SigningSecret.GRACE).minusSeconds(1));

        assertThat(secret.accepted()).containsExactly("rotated", "first");
        clock.advance(Duration.ofSeconds(1));
        assertThat(secret.accepted()).containsExactly("rotated");
    }

    @Test
    void a_refresh_that_finds_the_same_secret_reports_nothing_new() {
        secret.accepted();
        clock.advance(Duration.ofMinutes(1));

        assertThat(secret.refreshedAfterMismatch()).isFalse();
        assertThat(secret.accepted()).containsExactly("first");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void a_failed_refresh_keeps_the_secret_and_waits_before_trying_again() {
        AtomicInteger calls = new AtomicInteger();
        SigningSecret failing = new SigningSecret(() -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("Secrets Manager is down");
            }
            return "first";
        }, clock);
        failing.accepted();
        clock.advance(SigningSecret.REFRESH_INTERVAL);

        assertThat(failing.accepted()).containsExactly("first");
        assertThat(failing.refreshedAfterMismatch()).isFalse();
        assertThat(failing.accepted()).containsExactly("first");
        assertThat(calls).hasValue(2);
    }
}
