package dev.chatops.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SnapStart hook every function registers: what it does before the snapshot and after a
 * restore, as Lambda's runtime client calls it.
 */
class PrimingTest {
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @AfterEach
    void tearDown() {
        Log.redirect(System.out);
    }

    @Test
    void before_the_snapshot_the_warm_up_runs_once_and_its_lines_are_dropped() {
        capture();
        AtomicInteger runs = new AtomicInteger();
        Priming priming = Priming.register("SomeFunction", () -> {
            runs.incrementAndGet();
            Log.info("sample.request", "user", "U00PRIMING");
            Metrics.emit(Map.of("Command", "whoami"), List.of(List.of("Command")),
                    List.of(Metrics.Metric.count("Attempts", 1)));
        });

        priming.beforeCheckpoint(null);

        assertThat(runs).hasValue(1);
        assertThat(priming.primed()).isTrue();
        assertThat(lines()).isEmpty();
        Log.info("after.priming");
        assertThat(lines()).contains("\"event\":\"after.priming\"");
    }

    @Test
    void a_warm_up_that_fails_is_logged_and_the_function_goes_on_unprimed() {
        capture();
        Priming priming = Priming.register("SomeFunction", () -> {
            throw new IllegalStateException("sample not dispatched");
        });

        priming.beforeCheckpoint(null);
        priming.afterRestore(null);

        assertThat(priming.primed()).isFalse();
        assertThat(lines()).contains("\"event\":\"snapstart.priming_failed\"", "sample not dispatched",
                "\"function\":\"SomeFunction\"", "\"event\":\"snapstart.restored\"", "\"primed\":false");
    }

    @Test
    void a_class_missing_from_the_runtime_leaves_the_function_unprimed_and_the_version_publishable() {
        capture();
        Priming priming = Priming.register("SomeFunction", () -> {
            throw new NoClassDefFoundError("com/sun/net/httpserver/HttpServer");
        });

        priming.beforeCheckpoint(null);

        assertThat(priming.primed()).isFalse();
        assertThat(lines()).contains("\"event\":\"snapstart.priming_failed\"", "com/sun/net/httpserver/HttpServer");
    }

    @Test
    void an_error_is_not_swallowed_and_logging_comes_back() {
        capture();
        Priming priming = Priming.register("SomeFunction", () -> {
            throw new OutOfMemoryError("sample");
        });

        assertThatThrownBy(() -> priming.beforeCheckpoint(null)).isInstanceOf(OutOfMemoryError.class);
        Log.info("after.error");
        assertThat(lines()).contains("\"event\":\"after.error\"");
    }

    @Test
    void after_a_restore_the_line_says_the_snapshot_was_primed() {
        capture();
        Priming priming = Priming.register("SomeFunction", () -> { });

        priming.beforeCheckpoint(null);
        priming.afterRestore(null);

        assertThat(lines()).contains("\"event\":\"snapstart.restored\"", "\"function\":\"SomeFunction\"",
                "\"primed\":true");
    }

    private void capture() {
        Log.redirect(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    private String lines() {
        return logged.toString(StandardCharsets.UTF_8);
    }
}
