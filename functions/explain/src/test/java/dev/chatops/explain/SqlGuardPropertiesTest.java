package dev.chatops.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.Soak;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
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
        Arbitrary<String> pieces = Arbitraries.of(
                "SELECT",
                "select",
                "WITH",
                "TABLE",
                "VALUES",
                "(",
                ")",
                "1",
                "x",
                "*",
                "FROM",
                "issues",
                "WHERE",
                "'",
                "''",
                "\"",
                "E'",
                "U&'",
                "$$",
                "$a$",
                "--",
                "/*",
                "*/",
                "\n",
                "\r",
                "\t",
                "\\",
                ";",
                "{",
                "}",
                "{fn now()}",
                "?",
                "$1",
                "DELETE",
                "UPDATE",
                "INSERT",
                "INTO",
                "FOR",
                "UPDATE",
                "SHARE",
                "pg_sleep(1)",
                "pg_advisory_lock(1)",
                "set_config('a','b',false)",
                "lo_import('/etc/passwd')",
                "dblink('x','y')",
                "\u0000",
                "\u00a0",
                "\u2003",
                "\u202e",
                "é",
                "AS",
                ",",
                ".",
                "::text",
                "||");
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
            rest = rest.replaceFirst("^[\\s(]+", "")
                    .replaceFirst("^--[^\n\r]*", "")
                    .replaceFirst("(?s)^/\\*.*?\\*/", "");
        } while (!rest.equals(before));
        return rest.split("[^A-Za-z]", 2)[0].toLowerCase(Locale.ROOT);
    }

    @Provide
    Arbitrary<String> numbersAndWords() {
        Arbitrary<String> pieces = Arbitraries.of("1", "42", "1.", ".5", "1.5", "e", "E", "e5", "e+", "-", "+", "into",
                "INTO", "for", "share", "update", "key", "no", "x", "t1", "_", "0x1F", "0b1", "0o7", " ", ",", "(", ")",
                "*", ".", "..", "loot", "FROM", "LIMIT");
        return pieces.list().ofMaxSize(12).map(words -> "SELECT " + String.join("", words));
    }

    /**
     * PostgreSQL 14 splits a number from a word that touches it ({@code 1into} is {@code 1 INTO});
     * 15 and later refuse the text. Whatever the guard passes, read as 14 reads it, neither writes
     * ({@code INTO}) nor locks ({@code FOR SHARE}, {@code FOR UPDATE}…).
     */
    @Property(tries = 3000)
    void what_passes_neither_writes_nor_locks_as_postgresql_14_reads_it(@ForAll("numbersAndWords") String sql) {
        if (SqlGuard.check(sql).isPresent()) {
            return;
        }
        List<String> words = tokensAsPostgres14ReadsThem(sql);
        assertThat(words).as(sql).doesNotContain("into");
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equals("for")) {
                assertThat(words.get(i + 1)).as(sql).isNotIn("share", "update", "key", "no");
            }
        }
    }

    @Example
    void the_postgresql_14_oracle_splits_a_number_from_the_word_it_touches() {
        assertThat(tokensAsPostgres14ReadsThem("SELECT 1into loot LIMIT 1.for share, 1e5x, 1e+y, 0x1F, 1..e"))
                .containsExactly(
                        "select",
                        "<number>",
                        "into",
                        "loot",
                        "limit",
                        "<number>",
                        "for",
                        "share",
                        ",",
                        "<number>",
                        "x",
                        ",",
                        "<number>",
                        "e",
                        "+",
                        "y",
                        ",",
                        "<number>",
                        "x1f",
                        ",",
                        "<number>",
                        ".",
                        ".",
                        "e");
    }

    /** PostgreSQL 14's numbers in scan.l ({@code decimalfail}, {@code real}, {@code realfail1/2}): nothing else. */
    private static final Pattern PG14_NUMBER =
            Pattern.compile("\\d+(?=\\.\\.)|(\\d+\\.\\d*|\\.\\d+|\\d+)([Ee][-+]?\\d+)?");

    private static final Pattern PG14_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    /**
     * The tokens of code without quotes, as PostgreSQL 14's lexer reads them: words in lower case,
     * numbers as {@code <number>}, anything else a character at a time (an oracle for this generator only).
     */
    static List<String> tokensAsPostgres14ReadsThem(String sql) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            Matcher number = PG14_NUMBER.matcher(sql).region(i, sql.length());
            Matcher identifier = PG14_IDENTIFIER.matcher(sql).region(i, sql.length());
            if (sql.startsWith("--", i)) {
                break;
            } else if ((Character.isDigit(c) || c == '.') && number.lookingAt()) {
                words.add("<number>");
                i = number.end();
            } else if (identifier.lookingAt()) {
                words.add(identifier.group().toLowerCase(Locale.ROOT));
                i = identifier.end();
            } else {
                if (!Character.isWhitespace(c)) {
                    words.add(String.valueOf(c));
                }
                i++;
            }
        }
        return words;
    }

    @Property(tries = 100_000)
    @AddLifecycleHook(Soak.Only.class)
    void any_text_in_the_soak_run(@ForAll("anyText") String sql) {
        any_text_is_refused_with_a_reason_or_passes_as_one_query(sql);
    }
}
