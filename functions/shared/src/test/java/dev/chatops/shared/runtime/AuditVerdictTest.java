package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The words the audit table keeps for decisions and outcomes: `audit` shows them, and old records hold them
 * (those of approvals added with them).
 */
class AuditVerdictTest {
    @Test
    void decisions_are_stored_as_the_words_audit_has_always_shown() {
        assertThat(Arrays.stream(Decision.values()).map(Decision::stored))
                .containsExactly(
                        "allowed",
                        "refused",
                        "denied",
                        "usage",
                        "unroutable",
                        "duplicate",
                        "replayed",
                        "reported",
                        "interrupted",
                        "approved",
                        "rejected",
                        "failed",
                        "unknown");
    }

    @Test
    void outcomes_are_stored_as_the_words_audit_has_always_shown() {
        assertThat(Arrays.stream(Outcome.values()).map(Outcome::stored))
                .containsExactly(
                        "started",
                        "ok",
                        "refused",
                        "error",
                        "deferred",
                        "skipped",
                        "unknown",
                        "awaiting confirmation in Slack",
                        "awaiting approval",
                        "not linked",
                        "linking not configured",
                        "notified",
                        "notice not delivered");
    }

    @Test
    void a_command_that_failed_is_audited_as_an_error() {
        assertThat(Outcome.of(Reply.Outcome.OK)).isEqualTo(Outcome.OK);
        assertThat(Outcome.of(Reply.Outcome.REFUSED)).isEqualTo(Outcome.REFUSED);
        assertThat(Outcome.of(Reply.Outcome.FAILED)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void an_answer_slack_did_not_take_keeps_its_outcome_and_says_the_reply_failed_with_slacks_reason() {
        Verdict posted = new Verdict(Decision.ALLOWED, Outcome.OK, "flag set");

        Verdict failed = posted.replyFailed("response_url kept failing: status 500");

        assertThat(posted.storedOutcome()).isEqualTo("ok");
        assertThat(failed.storedOutcome()).isEqualTo("ok, reply failed");
        assertThat(failed.decision()).isEqualTo(Decision.ALLOWED);
        assertThat(failed.detail()).isEqualTo("response_url kept failing: status 500");
    }
}
