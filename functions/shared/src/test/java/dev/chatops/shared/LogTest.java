package dev.chatops.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogTest {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Log.redirect(System.out);
        Log.clearRequest();
    }

    @Test
    void a_line_is_one_json_object_with_the_request_id() {
        Log.redirect(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Log.forRequest("req-42");

        Log.info("command.done", "command", "whoami", "ms", 12);

        String line = captured.toString(StandardCharsets.UTF_8).strip();
        assertThat(line).doesNotContain("\n");
        Map<String, Object> json = Json.readObject(line);
        assertThat(json).containsEntry("requestId", "req-42").containsEntry("event", "command.done")
                .containsEntry("command", "whoami").containsEntry("ms", 12).containsEntry("level", "INFO");
    }

    @Test
    void secrets_in_exception_messages_causes_and_fields_never_reach_the_log() {
        Log.redirect(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Exception error = new IllegalStateException("connect postgres://ops:hunter2@db.internal:5432/gitlab failed",
                new RuntimeException("token=glpat-abcdefghijklmnop1234 rejected"));

        Log.error("command.failed", error, "detail", "password=swordfish", "hook", "xoxb-1234567890-abcdefghij");

        String line = captured.toString(StandardCharsets.UTF_8);
        assertThat(line).doesNotContain("hunter2", "glpat-abcdef", "swordfish", "xoxb-1234567890")
                .contains("postgres://ops:[redacted]@db.internal", "IllegalStateException", "command.failed");
    }
}
