package dev.chatops.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CaptureServer#textOf} reads every field of a message Slack can show a person. */
class CaptureServerTest {
    private static CaptureServer.Post post(String body) {
        return new CaptureServer.Post("/r", Map.of(), body, "/r");
    }

    @Test
    void the_top_level_text_is_read_even_when_blocks_are_present_since_notifications_show_it() {
        String text = CaptureServer.textOf(post("{\"text\":\"in the notification\",\"blocks\":[{\"type\":\"section\","
                + "\"text\":{\"type\":\"mrkdwn\",\"text\":\"in the message\"}}]}"));

        assertThat(text).contains("in the notification", "in the message");
    }

    @Test
    void every_shown_part_of_blocks_and_attachments_is_read() {
        String text = CaptureServer.textOf(
                post("{\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":\"a"
                    + " header\"}},{\"type\":\"section\",\"fields\":[{\"type\":\"mrkdwn\",\"text\":\"a"
                    + " field\"}]},{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":\"a"
                    + " context\"},{\"type\":\"image\",\"image_url\":\"https://img.example/an-image\",\"alt_text\":\"an"
                    + " alt text\"}]},{\"type\":\"actions\",\"elements\":[{\"type\":\"button\",\"text\":{\"type\":\"p"
                    + "lain_text\",\"text\":\"a"
                    + " button\"},"
                    + "\"url\":\"https://example.com/a-url\",\"action_id\":\"not-shown-id\"}]}],\"attachments\":[{\"fallback\":\"a"
                    + " fallback\",\"pretext\":\"a pretext\",\"title\":\"a"
                    + " title\",\"title_link\":\"https://example.com/a-title-link\",\"text\":\"an attachment"
                    + " text\",\"fields\":[{\"title\":\"a field title\",\"value\":\"a field value\"}],\"footer\":\"a"
                    + " footer\"}]}"));

        assertThat(text).contains("a header", "a field", "a context", "an-image", "an alt text", "a button",
                "https://example.com/a-url", "a fallback", "a pretext", "a title", "a-title-link", "an attachment text",
                "a field title", "a field value", "a footer").doesNotContain("not-shown-id", "mrkdwn");
    }

    @Test
    void a_message_of_text_alone_reads_as_its_text_once() {
        assertThat(CaptureServer.textOf(post("{\"text\":\"just this\",\"response_type\":\"ephemeral\"}")))
                .isEqualTo("just this");
        assertThat(CaptureServer.textOf(post("{\"text\":\"same\",\"blocks\":[{\"type\":\"section\","
                + "\"text\":{\"type\":\"mrkdwn\",\"text\":\"same\"}}]}"))).isEqualTo("same");
    }
}
