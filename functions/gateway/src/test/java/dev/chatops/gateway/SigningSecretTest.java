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
    void the_secret_is_fetched_once_and_kept() {
        assertThat(secret.current()).isEqualTo("first");
        assertThat(secret.current()).isEqualTo("first");
        assertThat(fetches).hasValue(1);
    }

    @Test
    void after_rotation_a_mismatch_refreshes_it_but_at_most_once_a_minute() {
        secret.current();
        stored.set("rotated");

        assertThat(secret.refreshed()).isEmpty();
        clock.advance(Duration.ofSeconds(59));
        assertThat(secret.refreshed()).isEmpty();
        assertThat(fetches).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(secret.refreshed()).contains("rotated");
        assertThat(secret.current()).isEqualTo("rotated");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void a_refresh_that_finds_the_same_secret_reports_nothing_new() {
        secret.current();
        clock.advance(Duration.ofMinutes(2));

        assertThat(secret.refreshed()).isEmpty();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void a_failed_refresh_keeps_the_secret_and_waits_a_minute_before_trying_again() {
        AtomicInteger calls = new AtomicInteger();
        SigningSecret failing = new SigningSecret(() -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("Secrets Manager is down");
            }
            return "first";
        }, clock);
        failing.current();
        clock.advance(Duration.ofMinutes(2));

        assertThat(failing.refreshed()).isEmpty();
        assertThat(failing.refreshed()).isEmpty();
        assertThat(failing.current()).isEqualTo("first");
        assertThat(calls).hasValue(2);
    }
}
