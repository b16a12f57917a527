package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.runtime.DeliveryRules.Course;
import dev.chatops.shared.runtime.DeliveryRules.Next;
import dev.chatops.shared.runtime.DeliveryRules.Settled;
import dev.chatops.shared.runtime.DeliveryRules.TakeOverActing;
import dev.chatops.shared.runtime.DeliveryRules.TakeOverReply;
import dev.chatops.shared.runtime.RequestClaims.Busy;
import dev.chatops.shared.runtime.RequestClaims.Completed;
import dev.chatops.shared.runtime.RequestRecord.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a delivery does with the record its claim met, at a given time: plain records and a clock,
 * no store. {@code claimed} is a claim whose conditional write went through over a record;
 * {@code refused} one whose write the record refused.
 */
class DeliveryRulesTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final String ME = "attempt-2";
    private static final List<Message> TWO_MESSAGES = twoMessages();

    @Test
    void a_request_never_seen_is_claimed_fresh_and_run() {
        assertThat(course(DeliveryRules.claimed(RequestRecord.none(), NOW))).isEqualTo(Course.RUN);
    }

    @Test
    void a_request_past_its_retention_is_forgotten_and_run_as_new_whatever_it_said() {
        for (Status status : List.of(Status.RUNNING, Status.ACTING, Status.COMPLETED)) {
            RequestRecord old = new RequestRecord(status, "attempt-1", Optional.of(NOW.minusSeconds(90_000)),
                    Optional.of(NOW.minusSeconds(60)), 1, true, TWO_MESSAGES);

            assertThat(course(DeliveryRules.claimed(old, NOW))).as(status.name()).isEqualTo(Course.RUN);
        }
    }

    @Test
    void a_delivery_that_ran_out_of_time_before_acting_is_taken_over_and_the_command_runs() {
        RequestRecord replaced = held(Status.RUNNING, "attempt-1", NOW.minusSeconds(1));

        RequestClaims.Claim claim = DeliveryRules.claimed(replaced, NOW);

        assertThat(claim)
                .isEqualTo(new RequestClaims.Acquired(Optional.of(new RequestClaims.Interrupted("attempt-1", false))));
        assertThat(course(claim)).isEqualTo(Course.RUN_AFTER_INTERRUPTION);
    }

    @Test
    void a_request_another_delivery_holds_waits_until_its_hold_ends() {
        Next next = DeliveryRules.refused(held(Status.RUNNING, "attempt-1", NOW.plusSeconds(20)), ME, NOW);

        assertThat(next).isEqualTo(new Settled(new Busy(NOW.plusSeconds(20))));
        assertThat(course(next)).isEqualTo(Course.WAIT);
    }

    @Test
    void an_acting_hold_ending_this_very_millisecond_still_holds_and_is_not_taken_over() {
        assertThat(DeliveryRules.refused(held(Status.ACTING, "attempt-1", NOW), ME, NOW))
                .isEqualTo(new Settled(new Busy(NOW)));
    }

    @Test
    void a_claim_the_sdk_sent_twice_finds_its_own_hold_and_runs() {
        assertThat(course(DeliveryRules.refused(held(Status.RUNNING, ME, NOW.plusSeconds(20)), ME, NOW)))
                .isEqualTo(Course.RUN);
    }

    @Test
    void a_delivery_that_ran_out_after_it_began_to_act_is_taken_over_and_reported_never_run_again() {
        Next next = DeliveryRules.refused(held(Status.ACTING, "attempt-1", NOW.minusSeconds(1)), ME, NOW);

        assertThat(next).isEqualTo(new TakeOverActing("attempt-1"));
        assertThat(((TakeOverActing) next).taken())
                .isEqualTo(new RequestClaims.Acquired(Optional.of(new RequestClaims.Interrupted("attempt-1", true))));
        assertThat(course(((TakeOverActing) next).taken())).isEqualTo(Course.REPORT_INTERRUPTED);
    }

    @Test
    void a_delivery_still_acting_within_its_hold_is_waited_for() {
        assertThat(course(DeliveryRules.refused(held(Status.ACTING, "attempt-1", NOW.plusSeconds(20)), ME, NOW)))
                .isEqualTo(Course.WAIT);
    }

    @Test
    void an_interrupted_change_whose_unrecorded_answer_all_reached_slack_leaves_nothing_to_say() {
        RequestRecord acting = new RequestRecord(Status.ACTING, "attempt-1", Optional.of(NOW.minusSeconds(1)),
                Optional.of(NOW.plusSeconds(86_000)), 1, true, List.of());

        Next next = DeliveryRules.refused(acting, ME, NOW);

        assertThat(next).isEqualTo(new Settled(new Completed(List.of(), 1, true)));
        assertThat(course(next)).isEqualTo(Course.SKIP);
    }

    @Test
    void an_answer_that_all_reached_slack_is_not_posted_again() {
        RequestRecord done = answered(NOW.plusSeconds(20), 2, true, TWO_MESSAGES);

        assertThat(course(DeliveryRules.refused(done, ME, NOW))).isEqualTo(Course.SKIP);
    }

    @Test
    void an_answer_still_being_posted_by_its_holder_is_waited_for_so_no_message_goes_twice() {
        RequestRecord posting = answered(NOW.plusSeconds(20), 1, false, TWO_MESSAGES);

        assertThat(DeliveryRules.refused(posting, ME, NOW)).isEqualTo(new Settled(new Busy(NOW.plusSeconds(20))));
    }

    @Test
    void an_answer_whose_poster_ran_out_of_time_is_taken_over_and_its_rest_posted() {
        RequestRecord abandoned = answered(NOW.minusSeconds(1), 1, false, TWO_MESSAGES);

        Next next = DeliveryRules.refused(abandoned, ME, NOW);

        assertThat(next).isEqualTo(new TakeOverReply(abandoned));
        assertThat(((TakeOverReply) next).taken()).isEqualTo(new Completed(TWO_MESSAGES, 1, false));
        assertThat(course(((TakeOverReply) next).taken())).isEqualTo(Course.REPLAY);
    }

    @Test
    void an_answer_too_large_to_keep_is_replaced_by_a_note_when_it_must_be_posted_again() {
        RequestRecord lost = answered(NOW.minusSeconds(1), 1, false, List.of());

        assertThat(course(((TakeOverReply) DeliveryRules.refused(lost, ME, NOW)).taken()))
                .isEqualTo(Course.REPLAY_LOST);
    }

    @Test
    void a_request_only_a_failure_notice_was_recorded_for_is_left_alone() {
        RequestRecord notice = new RequestRecord(Status.NOTICE_ONLY, "", Optional.empty(),
                Optional.of(NOW.plusSeconds(86_000)), 0, false, List.of());

        assertThat(course(DeliveryRules.refused(notice, ME, NOW))).isEqualTo(Course.SKIP);
    }

    @Test
    void a_record_gone_between_the_write_and_the_read_is_retried_later() {
        assertThat(DeliveryRules.refused(RequestRecord.none(), ME, NOW)).isEqualTo(new Settled(new Busy(NOW)));
    }

    @Test
    void a_takeover_lost_to_another_delivery_reads_the_record_as_it_stands_and_never_takes_an_acting_hold_again() {
        RequestRecord takenByOther = held(Status.ACTING, "attempt-3", NOW.minusSeconds(1));

        assertThat(course(DeliveryRules.asItStands(takenByOther, NOW))).isEqualTo(Course.WAIT);
    }

    private static Course course(Next next) {
        return DeliveryRules.course(((Settled) next).claim());
    }

    private static Course course(RequestClaims.Claim claim) {
        return DeliveryRules.course(claim);
    }

    private static RequestRecord held(Status status, String holder, Instant until) {
        return new RequestRecord(status, holder, Optional.of(until), Optional.of(NOW.plusSeconds(86_000)), 0, false,
                List.of());
    }

    private static RequestRecord answered(Instant heldUntil, int posted, boolean delivered, List<Message> reply) {
        return new RequestRecord(
                Status.COMPLETED,
                "attempt-1",
                Optional.of(heldUntil),
                Optional.of(NOW.plusSeconds(86_000)),
                posted,
                delivered,
                reply);
    }

    private static List<Message> twoMessages() {
        List<Message> messages = new ArrayList<>(Reply.line("first").messages());
        messages.addAll(Reply.line("second").messages());
        return List.copyOf(messages);
    }
}
