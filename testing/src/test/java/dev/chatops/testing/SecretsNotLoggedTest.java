package dev.chatops.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The secret-logging check as the build sees it, each case a small test class run through JUnit's
 * own launcher: a class that prints a secret fails, one that ran and logged nothing fails (the
 * check would prove nothing), one that logged cleanly passes, and one skipped as a whole — a
 * browser test on a machine without Chromium — stays skipped.
 */
class SecretsNotLoggedTest {

    @Test
    void a_class_skipped_in_before_all_stays_skipped() {
        TestExecutionSummary summary = run(SkippedInBeforeAll.class);
        assertThat(summary.getContainersFailedCount()).isZero();
        assertThat(summary.getContainersAbortedCount()).isEqualTo(1);
        assertThat(summary.getTestsSucceededCount()).isZero();
    }

    @Test
    void a_class_that_ran_and_logged_nothing_fails() {
        TestExecutionSummary summary = run(RanAndLoggedNothing.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getContainersFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException()).hasMessageContaining("logged nothing");
    }

    @Test
    void a_class_that_printed_a_secret_fails_naming_only_its_first_letters() {
        TestExecutionSummary summary = run(PrintedASecret.class);
        assertThat(summary.getContainersFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException()).hasMessageContaining("a secret was printed")
                .hasMessageNotContaining(MotoExtension.SIGNING_SECRET);
    }

    @Test
    void a_class_that_logged_cleanly_passes() {
        TestExecutionSummary summary = run(LoggedCleanly.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getContainersFailedCount()).isZero();
        assertThat(summary.getFailures()).isEmpty();
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(testClass))
                                .build(),
                        listener);
        return listener.getSummary();
    }

    @ExtendWith(SecretsNotLogged.class)
    static class SkippedInBeforeAll {
        @BeforeAll
        static void needsATool() {
            Assumptions.assumeTrue(false, "chromium is not installed");
        }

        @Test
        void uses_it() {
        }
    }

    @ExtendWith(SecretsNotLogged.class)
    static class RanAndLoggedNothing {
        @Test
        void runs_quietly() {
        }
    }

    @ExtendWith(SecretsNotLogged.class)
    static class PrintedASecret {
        @Test
        void prints_it() {
            System.out.println("{\"ts\":\"2026-12-02T00:00:00Z\",\"secret\":\"" + MotoExtension.SIGNING_SECRET + "\"}");
        }
    }

    @ExtendWith(SecretsNotLogged.class)
    static class LoggedCleanly {
        @Test
        void logs() {
            System.out.println("{\"ts\":\"2026-12-02T00:00:00Z\",\"level\":\"INFO\",\"event\":\"command.done\"}");
        }
    }
}
