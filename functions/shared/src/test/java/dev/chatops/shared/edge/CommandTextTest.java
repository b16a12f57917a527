package dev.chatops.shared.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTextTest {

    /** Options in order; a name followed by {@code null} is a switch. */
    private static Map<String, String> opts(String... nameValue) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            options.put(nameValue[i], nameValue[i + 1]);
        }
        return options;
    }

    private static Map<String, String> none() {
        return Map.of();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // plain words and white space
                arguments("", List.of(), none()),
                arguments("   \t\n ", List.of(), none()),
                arguments("run whoami", List.of("run", "whoami"), none()),
                arguments("  run \t whoami\n", List.of("run", "whoami"), none()),
                arguments("run\u00A0whoami", List.of("run", "whoami"), none()),
                arguments(
                        "run\u202Fwhoami\u2007--ops\u3000x\u2003y",
                        List.of("run", "whoami", "x", "y"),
                        opts("ops", null)),
                arguments("run\u200Bwhoami", List.of("run\u200Bwhoami"), none()),
                arguments("run -5 -x", List.of("run", "-5", "-x"), none()),
                // options
                arguments("run deploy --production", List.of("run", "deploy"), opts("production", null)),
                arguments("--production run deploy", List.of("run", "deploy"), opts("production", null)),
                arguments("run --production deploy", List.of("run", "deploy"), opts("production", null)),
                arguments("run deploy --env=staging", List.of("run", "deploy"), opts("env", "staging")),
                arguments("run deploy --env=", List.of("run", "deploy"), opts("env", "")),
                arguments("run deploy --env=a=b", List.of("run", "deploy"), opts("env", "a=b")),
                arguments("run x --a --b=1 y", List.of("run", "x", "y"), opts("a", null, "b", "1")),
                arguments(
                        "run x --PRODUCTION --Env=Prod", List.of("run", "x"), opts("production", null, "env", "Prod")),
                arguments(
                        "run x --dry_run --max-age=3 --2fa",
                        List.of("run", "x"),
                        opts("dry_run", null, "max-age", "3", "2fa", null)),
                arguments("run deploy --match=\"a b\"", List.of("run", "deploy"), opts("match", "a b")),
                arguments("run deploy --match='a b'", List.of("run", "deploy"), opts("match", "a b")),
                arguments("run deploy --match=\u201Ca b\u201D", List.of("run", "deploy"), opts("match", "a b")),
                arguments("run deploy --match=\u2018a b\u2019", List.of("run", "deploy"), opts("match", "a b")),
                arguments("run deploy --match=\"a &amp; b\"", List.of("run", "deploy"), opts("match", "a & b")),
                arguments("run x --user=<@U123|alice>", List.of("run", "x"), opts("user", "<@U123>")),
                // quotes
                arguments("run say \"hello world\" 'foo bar'", List.of("run", "say", "hello world", "foo bar"), none()),
                arguments("run say \u201Chello world\u201D", List.of("run", "say", "hello world"), none()),
                arguments("run say \u2018hello world\u2019", List.of("run", "say", "hello world"), none()),
                arguments("run say \"\"", List.of("run", "say", ""), none()),
                arguments("run say ''", List.of("run", "say", ""), none()),
                arguments("run say a\"b c\"d", List.of("run", "say", "ab cd"), none()),
                arguments("run say \"it's\"", List.of("run", "say", "it's"), none()),
                arguments("run say 'say \"hi\"'", List.of("run", "say", "say \"hi\""), none()),
                arguments("run say \"a \\\"b\\\" \\\\ c\"", List.of("run", "say", "a \"b\" \\ c"), none()),
                arguments("run say \"a\\nb\"", List.of("run", "say", "a\\nb"), none()),
                arguments("run say don't", List.of("run", "say", "don't"), none()),
                arguments("run say don\u2019t stop", List.of("run", "say", "don\u2019t", "stop"), none()),
                arguments("run say 'don't stop'", List.of("run", "say", "don't stop"), none()),
                arguments("run say \u2018don\u2019t stop\u2019", List.of("run", "say", "don\u2019t stop"), none()),
                arguments("run say users' rock", List.of("run", "say", "users'", "rock"), none()),
                // Slack's escapes
                arguments("a&amp;b &lt;x&gt;", List.of("a&b", "<x>"), none()),
                arguments("&amp;lt;", List.of("&lt;"), none()),
                arguments("AT&T & co &nbsp;", List.of("AT&T", "&", "co", "&nbsp;"), none()),
                arguments("\"&lt;&gt;\" '&amp;'", List.of("<>", "&"), none()),
                // Slack's forms
                arguments("<@U123|alice>", List.of("<@U123>"), none()),
                arguments("<@U123>", List.of("<@U123>"), none()),
                arguments("<@W123|alice smith>", List.of("<@W123>"), none()),
                arguments("<#C1|general>", List.of("<#C1>"), none()),
                arguments("<#C1>", List.of("<#C1>"), none()),
                arguments("<mailto:a@b.c|a@b.c>", List.of("a@b.c"), none()),
                arguments("<http://example.com|example.com>", List.of("example.com"), none()),
                arguments("<http://example.com/|example.com>", List.of("example.com"), none()),
                arguments("<https://x.y/z|label>", List.of("https://x.y/z"), none()),
                arguments("<https://x.y/z>", List.of("https://x.y/z"), none()),
                arguments("<https://x.y/z?a=1&amp;b=2>", List.of("https://x.y/z?a=1&b=2"), none()),
                arguments("<!here>", List.of("@here"), none()),
                arguments("<!channel> <!everyone>", List.of("@channel", "@everyone"), none()),
                arguments("<!subteam^S123|@team>", List.of("<!subteam^S123>"), none()),
                arguments("<!date^1392734382^{date}|Feb 18th>", List.of("Feb 18th"), none()),
                arguments(
                        "run member add <@U1|bob> <#C2|ops>",
                        List.of("run", "member", "add", "<@U1>", "<#C2>"),
                        none()),
                arguments("\"<@U1|bob smith> here\"", List.of("<@U1> here"), none()),
                arguments("a < b", List.of("a", "<", "b"), none()),
                // Slack's autocorrected dashes
                arguments("run deploy \u2014production", List.of("run", "deploy"), opts("production", null)),
                arguments("run deploy \u2013production", List.of("run", "deploy"), opts("production", null)),
                arguments("run deploy \u2013\u2013production", List.of("run", "deploy"), opts("production", null)),
                arguments("run deploy \u2014env=prod", List.of("run", "deploy"), opts("env", "prod")),
                arguments("run say \"\u2014production\"", List.of("run", "say", "\u2014production"), none()),
                arguments("run say a\u2014b", List.of("run", "say", "a\u2014b"), none()),
                arguments("run say \u2014 --x", List.of("run", "say", "--x"), none()),
                // end of options, quoted words are words
                arguments("run say -- --x", List.of("run", "say", "--x"), none()),
                arguments("run say --a -- --b -- c", List.of("run", "say", "--b", "--", "c"), opts("a", null)),
                arguments("run say \"--x\"", List.of("run", "say", "--x"), none()),
                arguments("run say '--x'", List.of("run", "say", "--x"), none()),
                arguments("run say \"--\" --y", List.of("run", "say", "--"), opts("y", null)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void parse_splits_words_and_options(String text, List<String> words, Map<String, String> options) {
        CommandText parsed = CommandText.parse(text);

        assertThat(parsed.words()).as("words").containsExactlyElementsOf(words);
        assertThat(parsed.options()).as("options").containsExactlyEntriesOf(options);
    }

    @Test
    void parse_turns_em_dash_into_option() {
        CommandText parsed = CommandText.parse("run feature set x on \u2014production");

        assertThat(parsed.words()).containsExactly("run", "feature", "set", "x", "on");
        assertThat(parsed.options()).containsOnlyKeys("production");
        assertThat(parsed.options().get("production")).isNull();
    }

    @Test
    void parse_keeps_an_apostrophe_inside_a_word() {
        assertThat(CommandText.parse("don't").words()).containsExactly("don't");
    }

    @Test
    void parse_replaces_a_user_mention_with_its_id_only() {
        assertThat(CommandText.parse("<@U123|alice>").words()).containsExactly("<@U123>");
    }

    static Stream<Arguments> unreadable() {
        return Stream.of(
                arguments("run say \"abc", "double quote"),
                arguments("run say abc\"", "double quote"),
                arguments("run say \u201Cabc", "double quote"),
                arguments("run say \"a \\\"", "double quote"),
                arguments("run say --match=\"a b", "double quote"),
                arguments("run say 'abc", "single quote"),
                arguments("run say \u2018abc", "single quote"),
                arguments("run say 'abc'def", "single quote"),
                arguments("run say '", "single quote"),
                arguments("run --a --a", "more than once"),
                arguments("run --a=1 --A=2", "more than once"),
                arguments("run --production \u2014production", "more than once"),
                arguments("run --env=a --env", "more than once"),
                arguments("run --Foo!", "not an option name"),
                arguments("run ---x", "not an option name"),
                arguments("run --=x", "not an option name"),
                arguments("run --_x", "not an option name"),
                arguments("run --f\u00F6\u00F6", "not an option name"),
                arguments("run --a.b", "not an option name"),
                arguments("run --a/b=c", "not an option name"),
                arguments("run --" + "a".repeat(65), "not an option name"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("unreadable")
    void parse_rejects_unreadable_text(String text, String reason) {
        assertThatThrownBy(() -> CommandText.parse(text))
                .isInstanceOf(TextParseException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void parse_accepts_an_option_name_of_64_characters() {
        String name = "a".repeat(64);

        assertThat(CommandText.parse("--" + name).options()).containsOnlyKeys(name);
    }

    @Test
    void parse_shortens_a_long_bad_option_in_its_message() {
        String text = "--" + "X".repeat(500);

        assertThatThrownBy(() -> CommandText.parse(text))
                .isInstanceOf(TextParseException.class)
                .message().hasSizeLessThan(100);
    }

    @Test
    void words_and_options_cannot_be_modified() {
        CommandText parsed = CommandText.parse("run x --y");

        assertThatThrownBy(() -> parsed.words().add("z")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> parsed.options().put("z", null)).isInstanceOf(UnsupportedOperationException.class);
    }

    // withValuesFor: `--reason "two words"` as the issue writes it

    @Test
    void an_option_that_takes_a_value_takes_the_quoted_words_after_it() {
        CommandText parsed = CommandText.parse("run access request --reason \u201Con-call for the DB team\u201D "
                + "--level developer").withValuesFor(Set.of("reason", "level"));

        assertThat(parsed.words()).containsExactly("run", "access", "request");
        assertThat(parsed.options()).containsExactly(Map.entry("reason", "on-call for the DB team"),
                Map.entry("level", "developer"));
    }

    @Test
    void withValuesFor_leaves_flags_given_values_and_options_after_their_words_as_typed() {
        CommandText parsed = CommandText.parse("run feature set \"my flag\" --actors 50 --user=\"a b\" --match -- x")
                .withValuesFor(Set.of("user", "match"));

        assertThat(parsed.words()).containsExactly("run", "feature", "set", "my flag", "50", "x");
        assertThat(parsed.options()).containsEntry("actors", null).containsEntry("user", "a b")
                .containsEntry("match", null);
        assertThat(CommandText.parse("run x --reason=\"a b\" c").withValuesFor(Set.of("reason")).words())
                .containsExactly("run", "x", "c");
    }

    // rawAfterWords

    @Test
    void rawAfterWords_keeps_the_statement_after_the_command_words() {
        CommandText parsed = CommandText.parse("run explain SELECT * FROM t WHERE a = 'x y' --production");

        assertThat(parsed.words())
                .containsExactly("run", "explain", "SELECT", "*", "FROM", "t", "WHERE", "a", "=", "x y");
        assertThat(parsed.options()).containsOnlyKeys("production");
        assertThat(parsed.rawAfterWords(2)).isEqualTo("SELECT * FROM t WHERE a = 'x y' --production");
    }

    @Test
    void rawAfterWords_resolves_slacks_escapes_and_nothing_else() {
        CommandText parsed = CommandText.parse(
                "run  explain   SELECT \"a\"  FROM t WHERE b &gt; 1 AND c &lt;&gt; 'x' AND d = '&amp;' -- note");

        assertThat(parsed.rawAfterWords(2))
                .isEqualTo("SELECT \"a\"  FROM t WHERE b > 1 AND c <> 'x' AND d = '&' -- note");
    }

    @Test
    void rawAfterWords_resolves_slacks_forms() {
        CommandText parsed = CommandText.parse("run explain SELECT * FROM users WHERE email = '<mailto:a@b.c|a@b.c>'");

        assertThat(parsed.rawAfterWords(2)).isEqualTo("SELECT * FROM users WHERE email = 'a@b.c'");
    }

    @Test
    void rawAfterWords_counts_words_not_options() {
        CommandText parsed = CommandText.parse("--production run explain SELECT 1");

        assertThat(parsed.rawAfterWords(2)).isEqualTo("SELECT 1");
    }

    @Test
    void rawAfterWords_skips_an_option_between_the_counted_words() {
        CommandText parsed = CommandText.parse("run --production explain  SELECT 1");

        assertThat(parsed.rawAfterWords(2)).isEqualTo("SELECT 1");
    }

    @Test
    void rawAfterWords_counts_a_quoted_word_as_one() {
        CommandText parsed = CommandText.parse("run \"my command\" rest of it");

        assertThat(parsed.rawAfterWords(2)).isEqualTo("rest of it");
    }

    @Test
    void rawAfterWords_of_zero_is_the_whole_text_unescaped() {
        CommandText parsed = CommandText.parse("  run a &amp; b  ");

        assertThat(parsed.rawAfterWords(0)).isEqualTo("run a & b");
    }

    @Test
    void rawAfterWords_beyond_the_last_word_is_empty() {
        CommandText parsed = CommandText.parse("run explain");

        assertThat(parsed.rawAfterWords(2)).isEmpty();
        assertThat(parsed.rawAfterWords(3)).isEmpty();
    }

    @Test
    void rawAfterWords_of_an_empty_text_is_empty() {
        CommandText parsed = CommandText.parse("");

        assertThat(parsed.rawAfterWords(0)).isEmpty();
        assertThat(parsed.rawAfterWords(2)).isEmpty();
    }

    // unescape

    @Test
    void unescape_resolves_entities_and_forms_without_splitting() {
        assertThat(CommandText.unescape("a  &lt;b&gt; <@U1|x>  <http://e.com|e.com> &amp;amp; <!here> 'q"))
                .isEqualTo("a  <b> <@U1>  e.com &amp; @here 'q");
    }

    @Test
    void unescape_keeps_an_unclosed_angle_bracket() {
        assertThat(CommandText.unescape("a < b")).isEqualTo("a < b");
    }

    // robustness

    @Test
    void parse_reads_10_kb_of_words() {
        String text = "run say " + "word ".repeat(2048);

        CommandText parsed = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> CommandText.parse(text));

        assertThat(parsed.words()).hasSize(2050);
        assertThat(parsed.rawAfterWords(2)).hasSize(2048 * 5 - 1);
    }

    @Test
    void parse_reads_a_10_kb_quoted_word() {
        String inner = "x y ".repeat(2560);

        CommandText parsed = CommandText.parse("\"" + inner + "\"");

        assertThat(parsed.words()).containsExactly(inner);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"<", "&", "\"", "'", "\u201C", "-", "\u2014", "\\", ">", "|", "<@", "&amp", "--a ", "' ", "\" "})
    void parse_survives_10_kb_of_one_special_character(String unit) {
        String text = unit.repeat(10 * 1024 / unit.length());

        Throwable thrown = catchThrowable(() -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            CommandText parsed = CommandText.parse(text);
            parsed.rawAfterWords(1);
        }));

        assertThat(thrown).satisfiesAnyOf(
                t -> assertThat(t).isNull(),
                t -> assertThat(t).isInstanceOf(TextParseException.class));
    }

    @Test
    void parse_survives_control_characters() {
        String text = "run\u0000 say \u0001\u0007 \u001B[31mred\u001B[0m \u007F \r\n\u000B\f \u0085 \u2028"
                + " \uD83D\uDE00 \uD800 \uDC00 <\u0000|\u0001> &\u0000;";

        CommandText parsed = CommandText.parse(text);

        assertThat(parsed.words()).startsWith("run\u0000", "say");
        assertThat(parsed.rawAfterWords(1)).isNotNull();
    }

    @Test
    void parse_survives_every_ascii_and_latin1_character_alone() {
        for (char c = 0; c < 0x100; c++) {
            String text = "run " + c + " x" + c + "y " + c;
            Throwable thrown = catchThrowable(() -> CommandText.parse(text).rawAfterWords(1));
            assertThat(thrown)
                    .as("character U+%04X", (int) c)
                    .satisfiesAnyOf(
                            t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(TextParseException.class));
        }
    }
}
