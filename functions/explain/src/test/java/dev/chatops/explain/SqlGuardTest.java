package dev.chatops.explain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Layers 1 and 2 on their own: what the guard refuses before anything reaches the database. */
class SqlGuardTest {
    @Test
    void the_hostile_corpus_is_refused_before_the_database_with_a_reason() {
        assertThat(HostileStatements.ALL).hasSizeGreaterThanOrEqualTo(50);
        for (String sql : HostileStatements.ALL) {
            if (sql.equals(HostileStatements.PASSES_THE_GUARD)) {
                // A function of the database's own that writes: the guard cannot know; the
                // read-only transaction stops it.
                assertThat(SqlGuard.check(sql)).as(sql).isEmpty();
                continue;
            }
            assertThat(SqlGuard.check(sql)).as(sql).isPresent().get().asString().isNotBlank();
        }
    }

    @Test
    void queries_that_only_read_pass_however_they_quote_or_comment() {
        for (String sql : HostileStatements.HARMLESS) {
            assertThat(SqlGuard.check(sql)).as(sql).isEmpty();
        }
    }

    @Test
    void refusals_say_what_is_wrong() {
        assertThat(SqlGuard.check("SELECT 1; SELECT 2"))
                .get()
                .asString()
                .contains("Give one statement: `;` may only end it");
        assertThat(SqlGuard.check("SELECT {fn now()}")).get().asString().contains("JDBC escapes");
        assertThat(SqlGuard.check("SELECT $1")).get().asString().contains("put the value in its place");
        assertThat(SqlGuard.check("SELECT 1 AS \u2003x")).get().asString().contains("outside ASCII");
        assertThat(SqlGuard.check("SELECT 'a'\n'b'")).get().asString().contains("continued on the next line");
        assertThat(SqlGuard.check("SELECT 'a' 'b'")).isEmpty();
        assertThat(SqlGuard.check("SELECT 1;")).isEmpty();
        assertThat(SqlGuard.check("WITH x AS (DELETE FROM issues RETURNING *) SELECT * FROM x")).get().asString()
                .contains("`DELETE` changes data (in a `WITH` it still runs)");
        assertThat(SqlGuard.check("SELECT * INTO loot FROM users"))
                .get()
                .asString()
                .contains("`SELECT … INTO` creates a table");
        assertThat(SqlGuard.check("SELECT * FROM issues FOR UPDATE")).get().asString().contains("take row locks");
        assertThat(SqlGuard.check("SELECT pg_advisory_lock(1)"))
                .get()
                .asString()
                .contains("`pg_advisory_lock()` has effects");
        assertThat(SqlGuard.check("EXPLAIN SELECT 1")).get().asString().contains("without `EXPLAIN`");
        assertThat(SqlGuard.check("DROP TABLE x")).get().asString().contains("Only queries can be explained");
        assertThat(SqlGuard.check("SELECT 'x")).contains("A quoted string is not closed.");
        assertThat(SqlGuard.check("(")).get().asString().contains("Only queries can be explained");
        assertThat(SqlGuard.check("SELECT 1 \u0000")).get().asString().contains("control character (U+0000)");
        assertThat(SqlGuard.check("SELECT '\u000b' AS x")).get().asString().contains("control character (U+000B)");
        assertThat(SqlGuard.check("SELECT 1\r\n\tFROM issues")).isEmpty();
        assertThat(SqlGuard.check("( (  (")).get().asString().contains("Only queries can be explained");
        assertThat(SqlGuard.check("x".repeat(SqlGuard.MAX_LENGTH + 1))).get().asString().contains("longer than");
    }

    @Test
    void a_number_that_runs_into_a_word_is_refused_since_postgresql_14_reads_two_tokens_there() {
        // PostgreSQL 14 reads `1into` as `1 INTO` and `1for` as `1 FOR`; 15 and later refuse the text.
        assertThat(SqlGuard.check("SELECT 1into loot FROM users")).get().asString()
                .contains("`1into`", "put a space between the number and the word");
        assertThat(SqlGuard.check("SELECT * FROM issues LIMIT 1for share")).get().asString().contains("`1for`");
        assertThat(SqlGuard.check("SELECT 1e")).get().asString().contains("`1e`");
        assertThat(SqlGuard.check("SELECT 1.5e+x")).get().asString().contains("`1.5e`");
        // Literals only PostgreSQL 16 reads as numbers (14 reads `0 AS x1F`): decimal is read alike by all.
        assertThat(SqlGuard.check("SELECT 0x1F")).get().asString().contains("`0x1F`", "write the number in decimal");
        assertThat(SqlGuard.check("SELECT 1_000")).get().asString().contains("`1_000`", "write the number in decimal");
        assertThat(SqlGuard.check("SELECT 1e5, 1E-3, 2.5e+10, .5, 5., t1.c2 FROM t1")).isEmpty();
    }
}
