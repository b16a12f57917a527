package dev.chatops.shared.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** A verbatim argument: SQL keeps its quotes and comments; only known options at the very end are options. */
class RawTextTest {
    private static final Set<String> KNOWN = Set.of("production", "staging", "no-analyze", "help");

    @Test
    void the_body_is_kept_as_typed_and_trailing_known_options_are_taken_off() {
        RawText raw = RawText.split(
                "SELECT * FROM \"Users\" WHERE name = 'it''s' -- a comment\nAND id = 1 --staging --no-analyze", KNOWN);

        assertThat(raw.body()).isEqualTo("SELECT * FROM \"Users\" WHERE name = 'it''s' -- a comment\nAND id = 1");
        assertThat(raw.options()).containsOnlyKeys("staging", "no-analyze");
    }

    @Test
    void options_inside_the_statement_or_unknown_ones_stay_sql() {
        assertThat(RawText.split("SELECT 1 --production\n, 2", KNOWN).body()).isEqualTo("SELECT 1 --production\n, 2");
        assertThat(RawText.split("SELECT 1 --comment", KNOWN).body()).isEqualTo("SELECT 1 --comment");
        assertThat(RawText.split("SELECT 1 --comment", KNOWN).options()).isEmpty();
        assertThat(RawText.split("SELECT 1 --production --comment", KNOWN).options()).isEmpty();
    }

    @Test
    void slacks_escapes_links_and_dashes_are_undone_and_smart_quotes_in_strings_kept() {
        RawText raw = RawText.split("SELECT * FROM t WHERE a &lt;&gt; 1 AND b &amp; 2 = 0 AND c = 'don\u2019t' AND "
                + "u = <http://example.com|example.com> AND m = <mailto:a@b.c|a@b.c> \u2014production", KNOWN);

        assertThat(raw.body())
                .isEqualTo("SELECT * FROM t WHERE a <> 1 AND b & 2 = 0 AND c = 'don\u2019t' AND u = example.com AND m ="
                        + " a@b.c");
        assertThat(raw.options()).containsOnlyKeys("production");
        assertThat(RawText.unslack("a &amp;lt; b")).isEqualTo("a &lt; b");
    }

    @Test
    void an_option_given_twice_is_refused_and_an_empty_body_is_empty() {
        assertThatThrownBy(() -> RawText.split("SELECT 1 --staging --staging", KNOWN))
                .hasMessageContaining("given twice");
        assertThat(RawText.split("  --production ", KNOWN).body()).isEmpty();
    }
}
