package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One command of a kind running per person at a time, against moto's DynamoDB; time is given, never waited for. */
@ExtendWith(MotoExtension.class)
class OneAtATimeTest {
    private final Instant now = Instant.parse("2026-11-25T10:00:00Z");
    private OneAtATime running;
    private String team;

    @BeforeEach
    void setUp(LocalAws aws) {
        running = new RuntimeFixture(aws, Clock.systemUTC()).services.oneAtATime();
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void a_second_request_by_the_same_person_while_the_first_runs_is_told_which_one_runs() {
        assertThat(running.take("explain", team, "U1", "first", now, now.plusSeconds(60))).isEmpty();

        assertThat(running.take("explain", team, "U1", "second", now.plusSeconds(1), now.plusSeconds(61)))
                .contains("first");
    }

    @Test
    void other_people_and_other_commands_are_not_held_up() {
        running.take("explain", team, "U1", "first", now, now.plusSeconds(60));

        assertThat(running.take("explain", team, "U2", "theirs", now, now.plusSeconds(60))).isEmpty();
        assertThat(running.take("explain", "T-other", "U1", "elsewhere", now, now.plusSeconds(60))).isEmpty();
        assertThat(running.take("audit", team, "U1", "another-kind", now, now.plusSeconds(60))).isEmpty();
    }

    @Test
    void a_redelivery_of_the_running_request_is_not_refused_by_its_own_slot() {
        running.take("explain", team, "U1", "first", now, now.plusSeconds(60));

        assertThat(running.take("explain", team, "U1", "first", now.plusSeconds(5), now.plusSeconds(65))).isEmpty();
    }

    @Test
    void the_slot_is_free_again_once_the_first_has_answered() {
        running.take("explain", team, "U1", "first", now, now.plusSeconds(60));

        running.release("explain", team, "U1", "first", now.plusSeconds(2));

        assertThat(running.take("explain", team, "U1", "second", now.plusSeconds(3), now.plusSeconds(63))).isEmpty();
    }

    @Test
    void a_request_that_does_not_hold_the_slot_cannot_free_it() {
        running.take("explain", team, "U1", "first", now, now.plusSeconds(60));

        running.release("explain", team, "U1", "second", now.plusSeconds(2));

        assertThat(running.take("explain", team, "U1", "third", now.plusSeconds(3), now.plusSeconds(63)))
                .contains("first");
    }

    @Test
    void a_holder_that_crashed_without_freeing_it_holds_it_only_until_its_own_deadline() {
        running.take("explain", team, "U1", "crashed", now, now.plusSeconds(60));

        assertThat(running.take("explain", team, "U1", "second", now.plusSeconds(59), now.plusSeconds(119)))
                .contains("crashed");
        assertThat(running.take("explain", team, "U1", "second", now.plusSeconds(61), now.plusSeconds(121))).isEmpty();
    }
}
