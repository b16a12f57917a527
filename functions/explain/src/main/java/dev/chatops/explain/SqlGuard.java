package dev.chatops.explain;

import dev.chatops.explain.SqlLexer.Kind;
import dev.chatops.explain.SqlLexer.Token;
import dev.chatops.shared.Text;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The first two layers of {@code explain}'s safety, applied before anything reaches the database:
 * the text must be one statement that only reads (a query: {@code SELECT}, {@code WITH … SELECT},
 * {@code TABLE}, {@code VALUES}), and it must not call a function that has effects even in a
 * read-only transaction ({@code pg_terminate_backend}, advisory locks, {@code set_config}, file and
 * large-object access, {@code dblink}, {@code pg_notify}, functions that run SQL given as text…).
 *
 * <p>Written by hand rather than with a SQL parser library: none on the JVM parses PostgreSQL's
 * full dialect (dollar quotes, {@code E''} escapes, nested comments) exactly, and a guard that
 * misreads a literal is worse than none. {@link SqlLexer} knows exactly those rules, and refuses what
 * it does not understand. The read-only transaction, timeouts and a read-only role stand behind it.
 */
final class SqlGuard {
    static final int MAX_LENGTH = 10_000;

    /**
     * Words that make a query write: a data-modifying {@code WITH}, {@code SELECT … INTO}. Commands
     * that cannot sit inside a query (DDL, {@code COPY}, {@code SET}…) are refused by the first word.
     */
    private static final Set<String> WRITING_WORDS = Set.of("insert", "update", "delete", "merge", "into");

    /**
     * Functions with effects even in a read-only transaction, or that run SQL given as text, or read
     * whole tables named as text ({@code table_to_xml}: STABLE, so the planner may call it while
     * estimating, and its rows could then reach an error message).
     */
    private static final Set<String> DENIED_FUNCTIONS = Set.of("pg_terminate_backend", "pg_cancel_backend",
            "set_config", "pg_read_file", "pg_read_binary_file", "pg_stat_file", "loread", "lowrite", "pg_notify",
            "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_create_restore_point", "pg_promote",
            "pg_wal_replay_pause",
            "pg_wal_replay_resume", "pg_logical_emit_message", "pg_backup_start", "pg_backup_stop", "pg_start_backup",
            "pg_stop_backup", "pg_export_snapshot", "pg_import_system_collations", "pg_file_write", "pg_file_rename",
            "pg_file_unlink", "pg_file_sync", "nextval", "setval", "txid_current", "pg_current_xact_id",
            "pg_log_backend_memory_contexts", "brin_summarize_new_values", "brin_summarize_range",
            "brin_desummarize_range", "gin_clean_pending_list", "pg_prewarm", "setseed",
            "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "cursor_to_xml",
            "cursor_to_xmlschema",
            "pg_stat_clear_snapshot", "pg_drop_replication_slot", "pg_replication_origin_create",
            "pg_replication_origin_drop", "pg_replication_origin_advance", "pg_truncate_visibility_map",
            "ts_stat", "ts_rewrite");
    private static final List<String> DENIED_PREFIXES = List.of("pg_advisory", "pg_try_advisory", "pg_ls_", "lo_",
            "dblink", "pg_stat_reset", "pg_stat_statements_reset", "pg_create_", "pg_copy_", "pg_replication_slot",
            "pg_logical_slot_", "pg_replication_origin_session", "pg_replication_origin_xact", "crosstab",
            "connectby", "query_to_", "cursor_to_", "table_to_", "schema_to_", "database_to_");
    private static final Set<String> QUERY_STARTS = Set.of("select", "with", "table", "values");

    private SqlGuard() {
    }

    /** Empty when {@code sql} may be explained; otherwise why not, in a sentence. */
    static Optional<String> check(String sql) {
        if (sql.length() > MAX_LENGTH) {
            return Optional.of("The statement is longer than " + MAX_LENGTH + " characters.");
        }
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if ((c < ' ' && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                // No query needs one; a NUL ends the text in the protocol, and \f or \v are spaces to some
                // lexers only.
                return Optional.of(String.format("The statement contains a control character (U+%04X): remove it.",
                        (int) c));
            }
        }
        // pgjdbc splits a statement at every `;` it takes for code, and rewrites JDBC escapes ({fn …},
        // {oj …}) before the server sees them: a `;`, `{` or `}` is refused wherever it stands (but at the
        // end), so nothing the guard reads as a string can become code on the way.
        String trimmed = sql.strip();
        while (trimmed.endsWith(";")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
        }
        if (trimmed.indexOf(';') >= 0) {
            return Optional.of("Give one statement: `;` may only end it (not even inside a string here).");
        }
        if (trimmed.indexOf('{') >= 0 || trimmed.indexOf('}') >= 0) {
            return Optional.of("`{` and `}` are JDBC escapes to the driver: write the query without them.");
        }
        List<Token> tokens;
        try {
            tokens = SqlLexer.lex(trimmed);
        } catch (SqlLexer.Refusal e) {
            return Optional.of(e.getMessage());
        }
        int end = tokens.size();
        while (end > 0 && tokens.get(end - 1).kind() == Kind.SYMBOL
                && tokens.get(end - 1).text().equals(";")) {
            end--;
        }
        tokens = tokens.subList(0, end);
        if (tokens.isEmpty()) {
            return Optional.of("There is no statement to explain.");
        }
        for (Token token : tokens) {
            if (token.kind() == Kind.SYMBOL && token.text().equals(";")) {
                return Optional.of("Give one statement: `;` may only end it.");
            }
        }
        Token first = tokens.stream().filter(t -> !(t.kind() == Kind.SYMBOL && t.text().equals("(")))
                .findFirst().orElse(null);
        if (first == null || first.kind() != Kind.WORD || !QUERY_STARTS.contains(first.text())) {
            if (first != null && first.kind() == Kind.WORD && first.text().equals("explain")) {
                return Optional.of("Give the statement without `EXPLAIN`: "
                        + "ChatOps adds `EXPLAIN (ANALYZE, BUFFERS)` itself.");
            }
            return Optional.of("Only queries can be explained: `SELECT`, `WITH … SELECT`, `TABLE` or `VALUES`.");
        }
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token.kind() == Kind.WORD && WRITING_WORDS.contains(token.text())) {
                return Optional.of(refusalFor(token.text(), tokens, i));
            }
            if (token.kind() == Kind.WORD && token.text().equals("for") && i + 1 < tokens.size()
                    && tokens.get(i + 1).kind() == Kind.WORD
                    && Set.of("share", "key", "no", "update").contains(tokens.get(i + 1).text())) {
                return Optional.of("`FOR UPDATE` and `FOR SHARE` take row locks: they cannot be explained here.");
            }
            // Anywhere, not only before `(`: PostgreSQL also calls a function as `(value).function`.
            boolean name = token.kind() == Kind.WORD || token.kind() == Kind.QUOTED_IDENT;
            if (name) {
                String function = token.text().toLowerCase(Locale.ROOT);
                if (DENIED_FUNCTIONS.contains(function) || DENIED_PREFIXES.stream().anyMatch(function::startsWith)) {
                    return Optional.of(
                            "`" + Text.inCode(function, 60) + "()` has effects beyond reading, even in a read-only "
                                    + "transaction (or runs SQL given as text): it cannot be explained here.");
                }
            }
            if (token.kind() == Kind.PARAM) {
                return Optional.of("`" + token.text() + "` is a parameter placeholder: put the value in its place.");
            }
        }
        return Optional.empty();
    }

    private static String refusalFor(String word, List<Token> tokens, int at) {
        if (word.equals("into")) {
            return "`SELECT … INTO` creates a table: only queries can be explained.";
        }
        if (word.equals("explain") || word.equals("analyze") || word.equals("analyse")) {
            return "Give the statement without `EXPLAIN`: ChatOps adds `EXPLAIN (ANALYZE, BUFFERS)` itself.";
        }
        if (Set.of("insert", "update", "delete", "merge").contains(word) && at > 0) {
            return "`" + word.toUpperCase(Locale.ROOT) + "` changes data (in a `WITH` it still runs): "
                    + "only queries can be explained.";
        }
        return "`" + word.toUpperCase(Locale.ROOT) + "` is not part of a query: only queries can be explained.";
    }
}
