package dev.chatops.explain;

import java.util.List;

/** Statements that must never change anything on the replica: writes, DDL, tricks, functions with effects. */
final class HostileStatements {
    private HostileStatements() {
    }

    /** The one hostile statement the guard lets through, for the layers behind it to stop. */
    static final String PASSES_THE_GUARD = "SELECT demo_touch()";

    static final List<String> ALL = List.of(
            // writes and DDL, plain
            "DELETE FROM issues",
            "UPDATE projects SET archived = true",
            "INSERT INTO users (username, email) VALUES ('mallory', 'm@example.com')",
            "TRUNCATE issues",
            "DROP TABLE issues",
            "CREATE TABLE loot AS SELECT * FROM users",
            "ALTER TABLE projects ADD COLUMN pwned int",
            "GRANT ALL ON issues TO PUBLIC",
            "COPY users TO '/tmp/users.csv'",
            "VACUUM FULL issues",
            "SET work_mem = '1GB'",
            "ALTER SYSTEM SET work_mem = '1GB'",
            "DO $$ BEGIN DELETE FROM issues; END $$",
            "CALL some_procedure()",
            "LOCK TABLE issues IN ACCESS EXCLUSIVE MODE",
            "BEGIN; DELETE FROM issues; COMMIT",
            "MERGE INTO projects p USING namespaces n ON p.namespace_id = n.id WHEN MATCHED THEN DELETE",
            // several statements
            "SELECT 1; DELETE FROM issues",
            "SELECT 1;DROP TABLE issues",
            "SELECT ';'; DELETE FROM issues",
            "SELECT $$;$$; DELETE FROM issues",
            "SELECT 1 /* ; */ ; DELETE FROM issues",
            "SELECT 1 -- ;\n; DELETE FROM issues",
            "SELECT '\\'; DELETE FROM issues; --'",
            // data-modifying CTEs and SELECT INTO
            "WITH gone AS (DELETE FROM issues RETURNING *) SELECT count(*) FROM gone",
            "WITH x AS (UPDATE projects SET archived = true RETURNING id) SELECT * FROM x",
            "WITH x AS (INSERT INTO namespaces (name, path) VALUES ('a', 'a') RETURNING id) SELECT * FROM x",
            "WITH x AS (SELECT 1) DELETE FROM issues",
            "SELECT * INTO loot FROM users",
            "SELECT * INTO TEMP loot FROM users",
            // row locks
            "SELECT * FROM issues FOR UPDATE",
            "SELECT * FROM issues FOR SHARE",
            "SELECT * FROM issues FOR NO KEY UPDATE",
            "SELECT * FROM issues FOR KEY SHARE",
            // functions with effects even in a read-only transaction
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity",
            "SELECT pg_advisory_lock(42)",
            "SELECT pg_try_advisory_lock(42)",
            "SELECT pg_advisory_xact_lock(42)",
            "SELECT set_config('work_mem', '1GB', false)",
            "SELECT pg_read_file('/etc/passwd')",
            "SELECT pg_ls_dir('.')",
            "SELECT lo_import('/etc/passwd')",
            "SELECT lo_create(0)",
            "SELECT dblink_exec('dbname=postgres', 'DELETE FROM issues')",
            "SELECT pg_notify('channel', 'payload')",
            "SELECT pg_reload_conf()",
            "SELECT nextval('demo_counter')",
            "SELECT setval('demo_counter', 1000)",
            "SELECT query_to_xml('DELETE FROM issues RETURNING 1', true, false, '')",
            "SELECT pg_catalog.pg_terminate_backend(1)",
            "SELECT \"pg_terminate_backend\"(1)",
            "SELECT PG_TERMINATE_BACKEND (1)",
            "SELECT pg_terminate_backend/* hidden */(1)",
            "SELECT pg_stat_reset()",
            "SELECT demo_touch()",
            "SELECT txid_current()",
            // quoting tricks the lexer must not be fooled by
            "SELECT U&\"\\0070g_terminate_backend\"(1)",
            "SELECT 'unterminated",
            "SELECT $tag$ never closed",
            "SELECT 1 /* nested /* comment */ ; DELETE FROM issues */ ; DELETE FROM issues",
            "EXPLAIN ANALYZE DELETE FROM issues",
            // found by a review: where the guard and PostgreSQL (or the JDBC driver) read the text differently
            "SELECT E'x'\n'\\' AS a, ' AS b, pg_terminate_backend(1) AS c --'",
            "SELECT E'x' -- a comment is white space here\n'\\' AS a, ' AS b, pg_advisory_lock(1) AS c --'",
            "SELECT 1 AS \u2003$a$, pg_terminate_backend(1) AS c --$a$",
            "SELECT $\u0661$a$ AS x, $\u0661$ AS y, pg_terminate_backend(1) AS c --$a$",
            "SELECT (1).pg_terminate_backend",
            "SELECT (42::bigint).pg_advisory_lock",
            "SELECT * FROM ts_stat('SELECT to_tsvector(pg_terminate_backend(1)::text)')",
            "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, (pg_terminate_backend(1)::text)::tsquery')",
            "SELECT {oj pi() -}- '\n, pg_terminate_backend(1) AS c --'",
            "SELECT {oj pi() -}- '\n; SET statement_timeout = 0; SELECT pg_sleep(300) --'",
            "SELECT 'a;b'",
            "SELECT * FROM projects WHERE id = $1",
            "(DELETE FROM issues)",
            // a number that runs into a word: PostgreSQL 14 reads `1into` as `1 INTO` (15 and later refuse it)
            "SELECT 1into loot FROM users",
            "SELECT 1INTO TEMP loot",
            "SELECT 1.5into loot",
            "SELECT .5into loot",
            "SELECT 1e5into loot",
            "SELECT 1einto loot",
            "SELECT * FROM issues LIMIT 1for share",
            "SELECT * FROM issues LIMIT 1for update",
            "SELECT * FROM issues LIMIT 1.for no key update",
            "SELECT * FROM issues LIMIT 1e0for key share",
            "SELECT 0x1F, 0o17, 0b101, 1_000",
            "");

    /** Queries that only read: they are explained. */
    static final List<String> HARMLESS = List.of(
            "SELECT * FROM projects WHERE id = 1",
            "select count(*) from issues where state_id = 1;",
            "WITH recent AS (SELECT * FROM issues ORDER BY created_at DESC LIMIT 10) SELECT * FROM recent",
            "TABLE namespaces",
            "VALUES (1, 'a'), (2, 'b')",
            "(SELECT id FROM users) UNION (SELECT id FROM projects)",
            "SELECT 'DELETE FROM issues, DROP TABLE users' AS text",
            "SELECT $x$ pg_terminate_backend(1) UPDATE $x$ AS text",
            "SELECT 'café ☕ don''t' AS text",
            "SELECT * FROM projects WHERE name = 'a' -- the end",
            "SELECT \"update\" FROM (SELECT 1 AS \"update\") AS t",
            "SELECT 1 -- DELETE FROM issues",
            "SELECT /* DROP TABLE issues */ 1",
            "SELECT p.id, n.path FROM projects p JOIN namespaces n ON n.id = p.namespace_id WHERE n.path = 'group-1'",
            "SELECT E'it\\'s' AS text",
            "SELECT E'\\' DELETE FROM issues --' AS text",
            // numbers every supported PostgreSQL reads alike, next to names that hold digits
            "SELECT 1e5, 1E-3, 2.5e+10, .5, 5., 1.5, 0.1 AS t1, t2.c3 FROM (SELECT 1 AS c3) AS t2 LIMIT 10",
            "SELECT 1+2*3-4/5 AS x1, a1b2 FROM (VALUES (1)) AS v(a1b2) WHERE 1=1 AND 2>1 ORDER BY 1",
            "SELECT ARRAY[1,2,3][1:2]",
            "SELECT 1 /* 1into */ AS \"1into\", '1for share' AS x");
}
