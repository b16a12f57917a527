package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * API Gateway's throttle of a route as the local stack applies it: a token bucket of {@code burst}
 * tokens that starts full and refills at {@code rate} a second, on a clock the test moves; and each
 * route of template.yaml's HTTP API with the bucket its deploy parameters give it.
 */
class TokenBucketTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T10:00:00Z"));
    private final InstantSource clock = now::get;

    private int taken(TokenBucket bucket, int tries) {
        int taken = 0;
        for (int i = 0; i < tries; i++) {
            taken += bucket.take() ? 1 : 0;
        }
        return taken;
    }

    @Test
    void a_full_bucket_takes_a_burst_of_requests_then_refuses_until_time_refills_it_at_the_rate() {
        TokenBucket bucket = new TokenBucket(5, 2, clock);

        assertThat(taken(bucket, 8)).as("the burst, then nothing").isEqualTo(5);

        now.set(now.get().plusMillis(499));
        assertThat(bucket.take()).as("not yet a whole token after 499 ms at 2 a second").isFalse();
        now.set(now.get().plusMillis(1));
        assertThat(bucket.take()).as("one token after 500 ms").isTrue();
        assertThat(bucket.take()).isFalse();

        now.set(now.get().plus(Duration.ofHours(1)));
        assertThat(taken(bucket, 8)).as("an idle hour fills the bucket to its burst, no further").isEqualTo(5);
    }

    @Test
    void a_rate_below_one_a_second_still_refills_and_a_burst_of_zero_refuses_everything() {
        TokenBucket slow = new TokenBucket(1, 0.5, clock);
        assertThat(slow.take()).isTrue();
        now.set(now.get().plusSeconds(1));
        assertThat(slow.take()).as("half a token").isFalse();
        now.set(now.get().plusSeconds(1));
        assertThat(slow.take()).isTrue();

        TokenBucket none = new TokenBucket(0, 100, clock);
        now.set(now.get().plusSeconds(60));
        assertThat(none.take()).as("a bucket that holds no token").isFalse();
    }

    @Test
    void a_clock_that_steps_back_takes_no_token_away_and_gives_none() {
        TokenBucket bucket = new TokenBucket(2, 1, clock);
        assertThat(taken(bucket, 2)).isEqualTo(2);
        now.set(now.get().minusSeconds(30));
        assertThat(bucket.take()).isFalse();
        now.set(now.get().plusSeconds(31));
        assertThat(bucket.take()).as("refilled from the latest time seen").isTrue();
    }

    @Test
    void every_route_of_the_template_gets_a_bucket_of_its_own_from_the_deploy_parameters_and_their_defaults() {
        Map<String, TokenBucket> defaults = RouteThrottles.of(
                LocalAws.planned(LocalAws.projectTemplate(), MotoExtension.parameters()), clock);

        assertThat(defaults.keySet())
                .containsExactlyInAnyOrder(
                        "POST /slack/commands", "POST /slack/interactions", "GET /link/start", "GET /link/callback");
        assertThat(defaults.values()).allSatisfy(bucket -> {
            assertThat(bucket.burst()).isEqualTo(100);
            assertThat(bucket.rate()).isEqualTo(50.0);
        });
        assertThat(defaults.values()).doesNotHaveDuplicates();

        Map<String, String> parameters = new HashMap<>(MotoExtension.parameters());
        parameters.put("ApiThrottlingBurstLimit", "3");
        parameters.put("ApiThrottlingRateLimit", "0.5");
        Map<String, TokenBucket> set =
                RouteThrottles.of(LocalAws.planned(LocalAws.projectTemplate(), parameters), clock);
        for (String slack : List.of("POST /slack/commands", "POST /slack/interactions")) {
            assertThat(set.get(slack).burst()).as(slack).isEqualTo(3);
            assertThat(set.get(slack).rate()).as(slack).isEqualTo(0.5);
        }
    }
}
