package dev.chatops.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.Soak;
import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Whatever follows {@code explain}: random Unicode, control characters, 10 KB texts and statements
 * built from the pieces that matter to a SQL lexer (quotes of every kind, comments, {@code ;},
 * escapes, writing words). The guard never fails; it refuses with a sentence, or passes one
 * statement that starts as a query and carries nothing the driver would split or rewrite.
 */
class SqlGuardPropertiesTest {
    @Provide
    Arbitrary<String> anyText() {
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(400);
        Arbitrary<String> pieces = Arbitraries.of("SELECT", "select", "WITH", "TABLE", "VALUES", "(", ")", "1", "x", "*",
                "FROM", "issues", "WHERE", "'", "''", "\"", "E'", "U&'", "$$", "$a$", "--", "/*", "*/", "\n", "\r", "\t",
                "\\", ";", "{", "}", "{fn now()}", "?", "$1", "DELETE", "UPDATE", "INSERT", "INTO", "FOR", "UPDATE", "SHARE",
                "pg_sleep(1)", "pg_advisory_lock(1)", "set_config('a','b',false)", "lo_import('/etc/passwd')",
                "dblink('x','y')", "\u0000", "\u00a0", "\u2003", "\u202e", "é", "AS", ",", ".", "::text", "||");
        Arbitrary<String> built = pieces.list().ofMaxSize(30).map(words -> String.join(" ", words));
        Arbitrary<String> glued = pieces.list().ofMaxSize(30).map(words -> String.join("", words));
        Arbitrary<String> long10k = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(9_000).ofMaxLength(10_500)
                .map(tail -> "SELECT " + tail);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, anything), net.jqwik.api.Tuple.of(4, built), net.jqwik.api.Tuple.of(2, glued),
                net.jqwik.api.Tuple.of(1, long10k));
    }

    @Property(tries = 3000)
    void any_text_is_refused_with_a_reason_or_passes_as_one_query(@ForAll("anyText") String sql) {
        Optional<String> refusal = SqlGuard.check(sql);

        if (refusal.isPresent()) {
            assertThat(refusal.get()).isNotBlank();
            return;
        }
        String statement = sql.strip().replaceAll(";[\\s;]*$", "");
        assertThat(statement.length()).isLessThanOrEqualTo(SqlGuard.MAX_LENGTH);
        assertThat(statement).doesNotContain(";", "{", "}");
        assertThat(statement.chars()).noneMatch(c -> (c < ' ' && c != '\t' && c != '\n' && c != '\r') || c == 0x7f);
        assertThat(firstWord(statement)).as(sql).isIn("select", "with", "table", "values");
    }

    /**
     * The first word after leading spaces, parentheses and comments (PostgreSQL ends a {@code --}
     * comment at {@code \n} or {@code \r}; nested block comments are not followed: enough for an oracle).
     */
    private static String firstWord(String statement) {
        String rest = statement;
        String before;
        do {
            before = rest;
            rest = rest.replaceFirst("^[\\s(]+", "").replaceFirst("^--[^\n\r]*", "").replaceFirst("(?s)^/\\*.*?\\*/", "");
        } while (!rest.equals(before));
        return rest.split("[^A-Za-z]", 2)[0].toLowerCase(Locale.ROOT);
    }

    @Property(tries = 100_000)
    @AddLifecycleHook(Soak.Only.class)
    void any_text_in_the_soak_run(@ForAll("anyText") String sql) {
        any_text_is_refused_with_a_reason_or_passes_as_one_query(sql);
    }
}
