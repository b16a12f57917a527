package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.CommandRequest;
import dev.chatops.testing.CountedDynamoDb;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MotoExtension.class)
class RequestClaimsTest {
    private RequestClaims claims;
    private final Instant now = Instant.parse("2026-11-25T10:00:00Z");

    @BeforeEach
    void setUp(LocalAws aws) {
        claims = new RuntimeFixture(aws, Clock.systemUTC()).services.claims();
    }

    @Test
    void first_delivery_acquires_the_request() {
        assertThat(claims.claim(id(), "attempt-1", now, now.plusSeconds(30)))
                .isEqualTo(new RequestClaims.Acquired(Optional.empty()));
    }

    @Test
    void a_request_not_seen_before_is_claimed_with_its_audit_record_in_one_request_any_other_is_left_untouched(
            LocalAws aws) {
        CountedDynamoDb counted = new CountedDynamoDb();
        Services services = new RuntimeFixture(aws, Clock.systemUTC(), "http://127.0.0.1:9", counted.client()).services;
        RequestClaims together = services.claims();
        AuditLog audit = services.audit();
        CommandRequest request = RuntimeFixture.request("whoami", List.of(), "http://127.0.0.1:9/r");
        AuditLog.Begin first = audit.prepare(request, now);

        assertThat(together.claimFresh(request.requestId(), first.entry().attempt(), now, now.plusSeconds(30),
                audit.put(first))).contains(new RequestClaims.Acquired(Optional.empty()));
        assertThat(counted.requests()).containsExactly("TransactWriteItems");
        assertThat(together.state(request.requestId())).isPresent();

        AuditLog.Begin second = audit.prepare(request, now.plusSeconds(1));
        assertThat(together.claimFresh(request.requestId(), second.entry().attempt(), now.plusSeconds(1),
                now.plusSeconds(31), audit.put(second))).isEmpty();
        assertThat(together.claim(request.requestId(), second.entry().attempt(), now.plusSeconds(1),
                now.plusSeconds(31))).as("the first still holds it").isInstanceOf(RequestClaims.Busy.class);
        audit.finish(first.entry(), new AuditLog.Verdict(AuditLog.Decision.ALLOWED, AuditLog.Outcome.OK, "ran"),
                now.plusSeconds(2));
        assertThat(audit.recent(10, request.userId(), "whoami")).as("the second's record was not written with it")
                .singleElement().satisfies(record -> assertThat(record.decision()).isEqualTo("allowed"));
    }

    @Test
    void a_claim_the_sdk_sent_twice_is_still_this_deliverys() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));

        assertThat(claims.claim(id, "attempt-1", now, now.plusSeconds(30)))
                .isEqualTo(new RequestClaims.Acquired(Optional.empty()));
    }

    @Test
    void second_delivery_while_the_first_runs_is_busy() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));

        RequestClaims.Claim second = claims.claim(id, "attempt-2", now.plusSeconds(1), now.plusSeconds(31));

        assertThat(second).isInstanceOf(RequestClaims.Busy.class);
        assertThat(((RequestClaims.Busy) second).until()).isEqualTo(now.plusSeconds(30));
    }

    @Test
    void delivery_after_the_holder_ran_out_of_time_takes_over() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));

        assertThat(claims.claim(id, "attempt-2", now.plusSeconds(61), now.plusSeconds(91)))
                .isEqualTo(new RequestClaims.Acquired(Optional.of(new RequestClaims.Interrupted("attempt-1", false))));
    }

    @Test
    void a_holder_interrupted_after_it_began_to_act_is_reported_as_acting_to_every_delivery_that_comes_after() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.markActing(id, "attempt-1");
        claims.markActing(id, "attempt-1"); // sent again by the SDK: still fine

        assertThat(claims.claim(id, "attempt-2", now.plusSeconds(5), now.plusSeconds(35)))
                .isInstanceOf(RequestClaims.Busy.class);
        assertThat(claims.state(id)).hasValueSatisfying(state -> assertThat(state.acting()).isTrue());
        assertThat(claims.claim(id, "attempt-2", now.plusSeconds(61), now.plusSeconds(91)))
                .isEqualTo(new RequestClaims.Acquired(Optional.of(new RequestClaims.Interrupted("attempt-1", true))));
        assertThat(claims.claim(id, "attempt-3", now.plusSeconds(62), now.plusSeconds(92)))
                .isInstanceOf(RequestClaims.Busy.class);
        // The delivery that took over is cut short too: the next one still knows a change may have been made.
        assertThat(claims.claim(id, "attempt-3", now.plusSeconds(120), now.plusSeconds(150)))
                .isEqualTo(new RequestClaims.Acquired(Optional.of(new RequestClaims.Interrupted("attempt-2", true))));
        assertThat(claims.state(id)).hasValueSatisfying(state -> assertThat(state.acting()).isTrue());
    }

    @Test
    void a_change_whose_answer_reached_slack_unrecorded_is_answered_not_interrupted() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.markActing(id, "attempt-1");
        claims.markPosted(id, 1, true);

        assertThat(claims.claim(id, "attempt-2", now.plusSeconds(61), now.plusSeconds(91)))
                .isInstanceOfSatisfying(RequestClaims.Completed.class, c -> assertThat(c.delivered()).isTrue());
    }

    @Test
    void of_two_deliveries_replaying_an_undelivered_reply_only_one_posts() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.complete(id, Reply.line("done").messages(), "ok");

        RequestClaims.Claim first = claims.claim(id, "attempt-2", now.plusSeconds(61), now.plusSeconds(91));
        RequestClaims.Claim second = claims.claim(id, "attempt-3", now.plusSeconds(62), now.plusSeconds(92));

        assertThat(first).isInstanceOfSatisfying(RequestClaims.Completed.class, c -> assertThat(c.reply()).hasSize(1));
        assertThat(second).isInstanceOf(RequestClaims.Busy.class);
        claims.releaseHold(id, "attempt-2", now.plusSeconds(63));
        assertThat(claims.claim(id, "attempt-3", now.plusSeconds(64), now.plusSeconds(94)))
                .isInstanceOf(RequestClaims.Completed.class);
    }

    @Test
    void an_answer_recorded_late_says_how_much_of_it_reached_slack() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        List<Message> reply = Reply.line("done").messages();

        claims.complete(id, reply, "ok", 1);

        assertThat(claims.state(id)).hasValueSatisfying(state -> {
            assertThat(state.completed()).isTrue();
            assertThat(state.posted()).isEqualTo(1);
            assertThat(state.delivered()).isTrue();
        });
    }

    @Test
    void only_the_holder_may_mark_a_request_as_acting_or_release_it() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.claim(id, "attempt-2", now.plusSeconds(61), now.plusSeconds(91));

        assertThatThrownBy(() -> claims.markActing(id, "attempt-1")).isInstanceOf(StoreException.class)
                .hasMessageContaining("no longer held");
        claims.releaseHold(id, "attempt-1", now.plusSeconds(62));

        assertThat(claims.state(id)).hasValueSatisfying(state -> assertThat(state.acting()).isFalse());
        assertThat(claims.claim(id, "attempt-3", now.plusSeconds(63), now.plusSeconds(93)))
                .isInstanceOf(RequestClaims.Busy.class);
        claims.releaseHold(id, "attempt-2", now.plusSeconds(64));
        assertThat(claims.claim(id, "attempt-3", now.plusSeconds(65), now.plusSeconds(95)))
                .isEqualTo(new RequestClaims.Acquired(Optional.of(new RequestClaims.Interrupted("attempt-2", false))));
    }

    @Test
    void a_change_past_its_retention_is_claimed_afresh_not_reported_as_interrupted() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.markActing(id, "attempt-1");
        Instant later = now.plus(RequestClaims.RETENTION).plusSeconds(60);

        assertThat(claims.claim(id, "attempt-2", later, later.plusSeconds(30)))
                .isEqualTo(new RequestClaims.Acquired(Optional.empty()));
        assertThat(claims.state(id)).hasValueSatisfying(state -> assertThat(state.acting()).isFalse());
    }

    @Test
    void a_completed_request_whose_holder_is_still_posting_its_reply_is_busy() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.complete(id, Reply.line("done").messages(), "ok");

        assertThat(claims.claim(id, "attempt-2", now.plusSeconds(5), now.plusSeconds(35)))
                .isInstanceOf(RequestClaims.Busy.class);
    }

    @Test
    void a_retry_learns_how_many_messages_already_reached_slack() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.complete(id, Reply.line("done").messages(), "ok");
        claims.markPosted(id, 1, false);

        assertThat(claims.claim(id, "attempt-2", now.plusSeconds(90), now.plusSeconds(120)))
                .isInstanceOfSatisfying(RequestClaims.Completed.class, c -> assertThat(c.posted()).isEqualTo(1));
    }

    @Test
    void a_reply_too_large_for_a_dynamodb_item_is_not_stored_yet_the_request_completes() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));

        claims.complete(id, RuntimeFixture.tooLargeToStore(), "ok");

        assertThat(claims.claim(id, "attempt-2", now.plusSeconds(90), now.plusSeconds(120)))
                .isInstanceOfSatisfying(RequestClaims.Completed.class, c -> {
                    assertThat(c.reply()).isEmpty();
                    assertThat(c.delivered()).isFalse();
                });
    }

    @Test
    void delivery_after_completion_gets_the_stored_reply_and_whether_it_was_delivered() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        List<Message> reply = Reply.line("done").messages();
        claims.complete(id, reply, "ok");

        RequestClaims.Claim undelivered = claims.claim(id, "attempt-2", now.plusSeconds(120), now.plusSeconds(150));
        claims.markPosted(id, 1, true);
        RequestClaims.Claim delivered = claims.claim(id, "attempt-3", now.plusSeconds(180), now.plusSeconds(210));

        assertThat(undelivered).isInstanceOfSatisfying(RequestClaims.Completed.class, c -> {
            assertThat(c.delivered()).isFalse();
            assertThat(c.posted()).isZero();
            assertThat(c.reply()).hasSize(1);
            assertThat(c.reply().get(0).text()).isEqualTo("done");
            assertThat(c.reply().get(0).blocks()).hasSize(1);
        });
        assertThat(delivered)
                .isInstanceOfSatisfying(
                        RequestClaims.Completed.class,
                        c -> assertThat(c.delivered()).isTrue());
    }

    @Test
    void a_completed_request_past_its_retention_is_claimed_afresh_even_before_ttl_deletes_it() {
        String id = id();
        claims.claim(id, "attempt-1", now, now.plusSeconds(30));
        claims.complete(id, Reply.line("done").messages(), "ok");

        Instant later = now.plus(RequestClaims.RETENTION).plus(Duration.ofMinutes(1));

        assertThat(claims.claim(id, "attempt-2", later, later.plusSeconds(30)))
                .isEqualTo(new RequestClaims.Acquired(Optional.empty()));
    }

    @Test
    void failure_notice_is_claimed_once_and_never_for_an_answered_request() {
        String failed = id();
        claims.claim(failed, "attempt-1", now, now.plusSeconds(30));
        String answered = id();
        claims.claim(answered, "attempt-1", now, now.plusSeconds(30));
        claims.complete(answered, Reply.line("ok").messages(), "ok");
        claims.markPosted(answered, 1, true);

        assertThat(claims.claimFailureNotice(failed, now)).isTrue();
        assertThat(claims.claimFailureNotice(failed, now)).isFalse();
        assertThat(claims.claimFailureNotice(answered, now)).isFalse();
        claims.releaseFailureNotice(failed);
        assertThat(claims.claimFailureNotice(failed, now)).isTrue();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
