package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code bin/chatops-local up} shows of the functions' logs: one readable line per event on
 * the console, every line whole in the log file, and with {@code --verbose} the whole lines on the
 * console too; nothing a function prints can restyle the terminal.
 */
class FunctionLogsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T08:20:30Z"), ZoneOffset.UTC);
    private static final String DONE =
            "{\"ts\":\"2026-12-02T08:20:16.123Z\",\"level\":\"INFO\",\"requestId\":\"sl-9682cc0dbb4c37f1d71111f8fbdfb"
                + "050\","
                + "\"event\":\"command.done\",\"command\":\"whoami\",\"outcome\":\"ok\"}";

    @Test
    void the_console_shows_one_readable_line_per_event_and_the_file_every_line_whole(@TempDir Path dir)
            throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path file = dir.resolve("logs/chatops-local.log");
        try (FunctionLogs logs =
                new FunctionLogs(new PrintStream(console, true, StandardCharsets.UTF_8), file, false, false, CLOCK)) {
            logs.accept("UserFunction", "Picked up JAVA_TOOL_OPTIONS: -XX:+TieredCompilation");
            logs.accept("UserFunction", "START RequestId: 3283c6bf-5a3f-440e-b49c-f1d61de62a01 Version: 1");
            logs.accept("UserFunction", DONE);
            logs.accept("UserFunction", "END RequestId: 3283c6bf-5a3f-440e-b49c-f1d61de62a01");
            logs.accept(
                    "UserFunction",
                    "REPORT RequestId: 3283c6bf-5a3f-440e-b49c-f1d61de62a01\tDuration: 335.41 ms\tBilled Duration: 336"
                            + " ms\tMemory Size: 1024 MB\tMax Memory Used: 117 MB\tRestore Duration: 549 ms");
        }

        assertThat(console.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "08:20:30 UserFunction         3283c6bf  START",
                "08:20:16 UserFunction         sl-9682cc command.done command=whoami outcome=ok",
                "08:20:30 UserFunction         3283c6bf  REPORT 335 ms, 117 of 1024 MB, cold start (restore 549 ms)");
        assertThat(Files.readAllLines(file)).hasSize(5).contains("[UserFunction] " + DONE);
    }

    @Test
    void warnings_and_errors_show_their_level_reason_and_error_type_but_not_the_message(@TempDir Path dir) {
        FunctionLogs logs = quiet(dir);

        assertThat(logs.readable(
                        "GatewayFunction",
                        "{\"ts\":\"2026-12-02T08:20:16Z\",\"level\":\"WARN\",\"event\":\"request.rejected\","
                                + "\"reason\":\"signature stale\"}"))
                .isEqualTo("08:20:16 GatewayFunction" + " ".repeat(16)
                        + "WARN request.rejected reason=\"signature stale\"");
        assertThat(logs.readable(
                        "FeatureFunction",
                        "{\"ts\":\"2026-12-02T08:20:16Z\",\"level\":\"ERROR\",\"requestId\":\"sl-0123456789\",\"event"
                            + "\":\"command.failed\",\"command\":\"feature\",\"error\":\"java.io.UncheckedIOException:"
                            + " connection refused\",\"stack\":\"  at a.b(C.java:1)\"}"))
                .isEqualTo("08:20:16 FeatureFunction      sl-012345 ERROR command.failed command=feature"
                        + " error=UncheckedIOException");
    }

    @Test
    void a_metrics_document_shows_as_the_metrics_cloudwatch_will_record(@TempDir Path dir) {
        assertThat(quiet(dir).readable("FeatureFunction", "{\"_aws\":{\"Timestamp\":1796200816000,"
                + "\"CloudWatchMetrics\":[{\"Namespace\":\"ChatOps\",\"Dimensions\":[[\"Command\",\"Form\",\"Result\"],"
                + "[\"Command\",\"Result\"]],\"Metrics\":[{\"Name\":\"Attempts\",\"Unit\":\"Count\"},{\"Name\":"
                + "\"Duration\",\"Unit\":\"Milliseconds\"}]}]},\"Command\":\"feature\",\"Form\":\"set\","
                + "\"Result\":\"awaiting approval\",\"Attempts\":1.0,\"Duration\":412.0}"))
                .isEqualTo("08:40:16 FeatureFunction" + " ".repeat(16) + "[metrics] Command=feature Form=set "
                        + "Result=\"awaiting approval\" Attempts=1 Duration=412ms");
    }

    @Test
    void anything_else_a_function_prints_shows_as_printed_after_the_time_and_function(@TempDir Path dir) {
        assertThat(quiet(dir).readable("UserFunction", "Exception in thread \"main\" java.lang.Error"))
                .isEqualTo("08:20:30 UserFunction" + " ".repeat(19) + "Exception in thread \"main\" java.lang.Error");
        assertThat(quiet(dir)
                        .readable(
                                "UserFunction", "2026-12-02T08:20:29Z 3283c6bf-5a3f Task timed out after 3.00 seconds"))
                .isEqualTo("08:20:30 UserFunction         3283c6bf  Task timed out after 3.00 seconds");
    }

    @Test
    void escape_sequences_and_control_characters_a_function_prints_never_reach_the_terminal_or_the_file(
            @TempDir Path dir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path file = dir.resolve("chatops-local.log");
        try (FunctionLogs logs =
                new FunctionLogs(new PrintStream(console, true, StandardCharsets.UTF_8), file, true, false, CLOCK)) {
            logs.accept("UserFunction", "\u001B[31mred\u001B[0m \u001B]0;title\u0007text\u0008\tend\u001B[2J");
        }

        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo("[UserFunction] red text\tend\n");
        assertThat(Files.readString(file)).isEqualTo("[UserFunction] red text\tend\n");
    }

    @Test
    void verbose_prints_every_line_whole(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (FunctionLogs logs = new FunctionLogs(new PrintStream(console, true, StandardCharsets.UTF_8),
                dir.resolve("chatops-local.log"), true, false, CLOCK)) {
            logs.accept("UserFunction", DONE);
            logs.accept("UserFunction", "END RequestId: 3283c6bf");
        }

        assertThat(console.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("[UserFunction] " + DONE, "[UserFunction] END RequestId: 3283c6bf");
    }

    private static FunctionLogs quiet(Path dir) {
        return new FunctionLogs(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                dir.resolve("chatops-local.log"), false, false, CLOCK);
    }
}
