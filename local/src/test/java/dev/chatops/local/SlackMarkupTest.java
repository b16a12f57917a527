package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import dev.chatops.testing.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code bin/chatops-local send} shows for a Slack message: mrkdwn as Slack's "Formatting text
 * for app surfaces" reference describes it, and the blocks in order — plain text when standard
 * output is not a terminal, ANSI styles when it is.
 */
class SlackMarkupTest {
    private final SlackMarkup plain = new SlackMarkup(false, ZoneOffset.UTC);
    private final SlackMarkup styled = new SlackMarkup(true, ZoneOffset.UTC);

    @Test
    void visual_styles_lose_their_marks_in_plain_text_and_become_ansi_styles_on_a_terminal() {
        String text = "*bold* and _italic_ and ~struck~ and `code` and *_both_*";

        assertThat(plain.inline(text)).isEqualTo("bold and italic and struck and code and both");
        assertThat(styled.inline(text))
                .isEqualTo("\u001B[1mbold\u001B[22m and \u001B[3mitalic\u001B[23m and \u001B[9mstruck\u001B[29m"
                        + " and \u001B[36mcode\u001B[39m and \u001B[1m\u001B[3mboth\u001B[23m\u001B[22m");
    }

    @Test
    void marks_inside_words_or_next_to_spaces_are_left_as_typed() {
        assertThat(plain.inline("my_flag_name, 2*3*4, a * b * c, snake_case_"))
                .isEqualTo("my_flag_name, 2*3*4, a * b * c, snake_case_");
    }

    @Test
    void nothing_inside_a_code_span_is_a_mark_an_emoji_or_a_link() {
        assertThat(plain.inline("run `*not bold* :x: _id_` now")).isEqualTo("run *not bold* :x: _id_ now");
    }

    @Test
    void links_show_their_text_then_the_url_a_click_would_open() {
        assertThat(plain.inline("see <http://www.example.com|the *docs*> or <https://example.com/a?b=1&amp;c=2>"))
                .isEqualTo("see the docs (http://www.example.com) or https://example.com/a?b=1&c=2");
        assertThat(plain.inline("<mailto:bob@example.com|Email Bob>")).isEqualTo("Email Bob (mailto:bob@example.com)");
        assertThat(styled.inline("<http://x.test/p|p>")).isEqualTo("\u001B[4mp\u001B[24m (http://x.test/p)");
    }

    @Test
    void mentions_show_as_slack_names_them() {
        assertThat(plain.inline(
                        "<@U024BE7LH> in <#C123ABC456>, <#C99|general>, <!subteam^SAZ94GDB8>, <!subteam^S1|@oncall>"))
                .isEqualTo("@U024BE7LH in #C123ABC456, #general, @SAZ94GDB8, @oncall");
        assertThat(plain.inline("<!here> <!channel> <!everyone>")).isEqualTo("@here @channel @everyone");
    }

    @Test
    void a_date_shows_its_fallback_text_or_else_the_time_itself() {
        assertThat(plain.inline("<!date^1392734382^Posted {date_num} {time_secs}|Posted 2014-02-18 6:39:42 AM PST>"))
                .isEqualTo("Posted 2014-02-18 6:39:42 AM PST");
        assertThat(plain.inline("<!date^1392734382^{date_num}>")).isEqualTo("2014-02-18 14:39");
    }

    @Test
    void the_three_entities_slack_decodes_are_decoded_and_nothing_else() {
        assertThat(plain.inline("a &lt;b&gt; &amp;amp; c &quot;d&quot;")).isEqualTo("a <b> &amp; c &quot;d&quot;");
    }

    /**
     * What a person typed comes back escaped (dev.chatops.shared.Text); the console shows it as
     * typed, as Slack does.
     */
    @Test
    void typed_markup_that_a_reply_escaped_shows_as_the_characters_typed_in_text_code_spans_code_blocks_and_fields() {
        String message = "{\"text\":\":warning: `&lt;!channel&gt;` is not a"
            + " command.\",\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"No account `a"
            + " &amp; b` for &lt;!here&gt;\"}},{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"```\\n"
            + "user find &lt;https://evil.example|click&gt;\\n"
            + "```\"}},{\"type\":\"section\",\"fields\":[{\"type\":\"mrkdwn\",\"text\":\"*Account*\\n"
            + "`&lt;@U123&gt;`, Bob &amp; Co\"}]}]}";

        assertThat(plain.message(Json.readObject(message))).containsExactly(
                "No account a & b for <!here>",
                "  user find <https://evil.example|click>",
                "Account",
                "  <@U123>, Bob & Co");
        assertThat(plain.message(Json.readObject("{\"text\":\":warning: `&lt;!channel&gt;` is not a command.\"}")))
                .containsExactly("\u26A0\uFE0F <!channel> is not a command.");
    }

    @Test
    void emoji_shortcodes_become_their_characters_and_unknown_ones_stay_as_typed() {
        assertThat(plain.inline(":white_check_mark: done :x: failed :no_such_emoji: at 12:30:45"))
                .isEqualTo("\u2705 done \u274C failed :no_such_emoji: at 12:30:45");
    }

    @Test
    void every_emoji_shortcode_a_function_replies_with_has_its_character() throws IOException {
        // A shortcode in a reply's text: in a string literal, after a quote, a space or "\n", before a space.
        Pattern shortcode = Pattern.compile("(?:[\"\\s]|\\\\n):([a-z0-9_+-]+):(?=\\s)");
        Set<String> used = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Template.projectRoot().resolve("functions"))) {
            for (Path source : sources.filter(
                            p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
                    .toList()) {
                Matcher matcher = shortcode.matcher(Files.readString(source));
                while (matcher.find()) {
                    used.add(matcher.group(1));
                }
            }
        }

        assertThat(used).contains("white_check_mark", "warning", "hourglass_flowing_sand");
        assertThat(SlackMarkup.EMOJI.keySet()).containsAll(used);
    }

    @Test
    void code_blocks_keep_their_lines_and_quotes_get_a_bar() {
        assertThat(plain.mrkdwn("Plan:\n"
                        + "```\n"
                        + "Seq Scan on issues\n"
                        + "  Filter: (title ~~ '%42%'::text) *x*\n"
                        + "```\n"
                        + "> quoted _text_\n"
                        + "after"))
                .containsExactly(
                        "Plan:",
                        "  Seq Scan on issues",
                        "    Filter: (title ~~ '%42%'::text) *x*",
                        "\u2502 quoted text",
                        "after");
    }

    @Test
    void a_message_shows_its_blocks_in_order_with_fields_context_header_and_buttons() {
        String message = """
            {"text":"fallback, not shown when there are blocks","blocks":[
              {"type":"header","text":{"type":"plain_text","text":"Deploy :warning:"}},
              {"type":"section","text":{"type":"mrkdwn","text":"*Who* is <@U1>"},
               "accessory":{"type":"button","text":{"type":"plain_text","text":"Open"},"url":"http://o.test/"}},
              {"type":"section","fields":[{"type":"mrkdwn","text":"*Role*\\nowner"},{"type":"mrkdwn",\
            "text":"*2FA*\\n:white_check_mark: on"}]},
              {"type":"divider"},
              {"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Connect"},"url":"http://c.test/start"},
                                             {"type":"button","text":{"type":"plain_text","text":"Cancel"},\
            "value":"cancel"}]},
              {"type":"context","elements":[{"type":"mrkdwn","text":"_small print_"},{"type":"image","image_url":"http://i.test/a.png","alt_text":"logo"}]}
            ]}\
            """;

        assertThat(plain.message(Json.readObject(message))).containsExactly(
                "Deploy \u26A0\uFE0F",
                "Who is @U1",
                "button: Open \u2192 http://o.test/",
                "Role", "  owner",
                "2FA", "  \u2705 on",
                "\u2500".repeat(24),
                "button: Connect \u2192 http://c.test/start",
                "button: Cancel  (value cancel)",
                "small print  [logo]");
    }

    @Test
    void a_button_shows_what_a_click_sends_its_action_id_and_value_after_the_url_it_opens() {
        String message = """
            {"blocks":[{"type":"actions","elements":[
              {"type":"button","text":{"type":"plain_text","text":"Approve"},"style":"primary",\
            "action_id":"feature.approve","value":"ap-0123456789abcdef0123456789abcdef",\
            "confirm":{"title":{"type":"plain_text","text":"Approve this change?"}}},
              {"type":"button","text":{"type":"plain_text","text":"Connect your GitLab account"},\
            "url":"http://127.0.0.1:3000/link/start?state=s","action_id":"link-gitlab"}]}]}\
            """;

        assertThat(plain.message(Json.readObject(message))).containsExactly(
                "button: Approve  (action_id feature.approve, value ap-0123456789abcdef0123456789abcdef)",
                "button: Connect your GitLab account \u2192 http://127.0.0.1:3000/link/start?state=s"
                        + "  (action_id link-gitlab)");
    }

    @Test
    void a_message_without_blocks_shows_its_text() {
        assertThat(plain.message(Json.readObject(
                        "{\"text\":\":hourglass_flowing_sand: running `/chatops run whoami` \u2026\"}")))
                .isEqualTo(List.of("\u23F3 running /chatops run whoami \u2026"));
    }
}
