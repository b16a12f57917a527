package dev.chatops.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text we did not write, shown back in Slack: escaped exactly once, cut on what was typed. */
class TextTest {

    @Test
    void the_three_control_characters_become_slacks_entities_and_nothing_else_changes() {
        assertThat(Text.escape("<!channel> & <@U123> <https://evil.example|click> \"quoted\" 'it's' é 🌊"))
                .isEqualTo("&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt; \"quoted\" 'it's' é 🌊");
    }

    @Test
    void text_that_already_looks_escaped_is_escaped_once_more_so_it_shows_as_typed() {
        // A person who typed "&lt;" sees "&lt;", not "<".
        assertThat(Text.shown("&lt;!channel&gt; &amp;", 100)).isEqualTo("&amp;lt;!channel&amp;gt; &amp;amp;");
    }

    @Test
    void in_code_escapes_once_on_one_line_without_backticks() {
        assertThat(Text.inCode("a & b\n<!channel> `x`", 100)).isEqualTo("a &amp; b &lt;!channel&gt; 'x'");
    }

    @Test
    void the_limit_counts_the_characters_as_typed_not_the_entities() {
        assertThat(Text.inCode("<<<<<", 5)).isEqualTo("&lt;&lt;&lt;&lt;&lt;");
        assertThat(Text.shown("a&b&c", 5)).isEqualTo("a&amp;b&amp;c");
        assertThat(Text.shown("<<<<<<", 5)).isEqualTo("&lt;&lt;&lt;&lt;…");
    }

    @Test
    void a_cut_never_splits_an_entity() {
        for (int max = 1; max <= 12; max++) {
            String shown = Text.inCode("&&&&&&&&&&&&&&&&&&&&", max);
            assertThat(shown).as("max %d", max).isEqualTo("&amp;".repeat(max - 1) + "…");
            assertThat(Text.shown("x<y>z&".repeat(4), max).replaceAll("&(amp|lt|gt);", ""))
                    .as("max %d: every & left starts an entity", max).doesNotContain("&");
        }
    }

    @Test
    void a_table_cell_is_padded_by_what_was_typed_so_columns_line_up_as_slack_shows_them() {
        assertThat(Text.column("a<b", 6)).isEqualTo("a&lt;b   ");
        assertThat(Text.column("x\n`<!here>`", 20)).isEqualTo("x '&lt;!here&gt;'" + " ".repeat(9));
        assertThat(Text.column("<<<<<<<<", 4)).isEqualTo("&lt;&lt;&lt;…");
    }

    @Test
    void shorten_is_for_our_own_strings_and_does_not_escape() {
        assertThat(Text.shorten("<https://gitlab.example|MR 1>", 100)).isEqualTo("<https://gitlab.example|MR 1>");
        assertThat(Text.shorten("abcdef", 3)).isEqualTo("ab…");
    }

    @Test
    void a_shortened_text_is_never_longer_than_its_limit_the_ellipsis_included() {
        for (int max = 1; max <= 8; max++) {
            assertThat(Text.shorten("abcdefghij", max)).as("max %d", max).hasSize(max).endsWith("…");
        }
        assertThat(Text.shorten("ab\uD83D\uDE00cd", 4)).as("not inside a surrogate pair").isEqualTo("ab…");
    }
}
