package dev.chatops.explain;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Json;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The third layer of {@code explain}'s safety: how a statement reaches an instance's replica. Each
 * time a new connection (explain is rare, and a connection held across invocations is state that
 * could leak between people), one read-only transaction —
 * {@code BEGIN READ ONLY; SET LOCAL statement_timeout; SET LOCAL lock_timeout;
 * EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) …; ROLLBACK} — and the JSON plan back.
 *
 * <p>Connection settings come from one Secrets Manager secret, JSON by instance:
 * {@code {"production":{"host":…,"port":5432,"database":…,"user":…,"password":…,"sslmode":"verify-full"}}}.
 * The password never leaves this class; errors name the instance only.
 */
final class Replica {
    /** Secrets Manager id of the replicas' connection settings. */
    static final String SECRET_ID = "EXPLAIN_REPLICAS_SECRET_ID";
    /** How long the statement may run, in seconds (default 15). */
    static final String STATEMENT_TIMEOUT = "EXPLAIN_STATEMENT_TIMEOUT_SECONDS";
    /** How long it may wait for a lock, in milliseconds (default 1000). */
    static final String LOCK_TIMEOUT = "EXPLAIN_LOCK_TIMEOUT_MS";

    /**
     * Why the database did not give a plan: its SQLSTATE, PostgreSQL's own message only when it may be
     * shown (see {@link #explain}), whether the connection had been made (a replica that goes away
     * mid-statement is not one that could not be reached), and whether the plan was too large to fetch.
     * PostgreSQL's text is not kept otherwise, not even as the cause: nothing downstream can show or log it.
     */
    static final class Failure extends Exception {
        private final String sqlState;
        private final String shownMessage;
        private final boolean connected;
        private final boolean tooLarge;
        private final boolean whilePlanning;

        Failure(String sqlState, String shownMessage, boolean connected, boolean tooLarge, boolean whilePlanning) {
            super("SQLSTATE " + sqlState + (shownMessage == null ? " (message not kept)" : ": " + shownMessage));
            this.sqlState = sqlState;
            this.shownMessage = shownMessage;
            this.connected = connected;
            this.tooLarge = tooLarge;
            this.whilePlanning = whilePlanning;
        }

        /** The error was raised while the statement was planned, before anything of it ran. */
        boolean whilePlanning() {
            return whilePlanning;
        }

        String sqlState() {
            return sqlState;
        }

        /** PostgreSQL's message, first line: present only for an error raised while planning. */
        Optional<String> shownMessage() {
            return Optional.ofNullable(shownMessage);
        }

        boolean connected() {
            return connected;
        }

        /** The plan was larger than the 10 MB fetched. */
        boolean tooLarge() {
            return tooLarge;
        }
    }

    private final Supplier<String> settings;
    private final Duration statementTimeout;
    private final Duration lockTimeout;

    Replica(Supplier<String> settings, Duration statementTimeout, Duration lockTimeout) {
        this.settings = settings;
        this.statementTimeout = statementTimeout;
        this.lockTimeout = lockTimeout;
    }

    Duration statementTimeout() {
        return statementTimeout;
    }

    /** Whether {@code instance} has a replica configured. */
    boolean has(String instance) {
        return Json.readObject(settings.get()).get(instance) instanceof Map<?, ?>;
    }

    /**
     * The JSON plan of {@code sql} on {@code instance}'s replica; run for real when {@code analyze}.
     *
     * <p>What a failure may show is decided by when the error was raised, not by its class. PostgreSQL's
     * messages quote values: {@code invalid input syntax for type integer: "…"}, {@code unrecognized
     * configuration parameter "…"}, {@code relation "…" does not exist} — and while the statement runs,
     * those values can be ones it read ({@code current_setting((SELECT encrypted_password FROM users LIMIT 1))}).
     * So: an error raised while parsing and planning, before any row of the query is read, quotes only the
     * statement's own text and the catalogue's names, and its first line may be shown. Any error raised
     * while the statement runs is kept as its SQLSTATE alone. When EXPLAIN ANALYZE fails, the statement is
     * planned again without ANALYZE (in a new read-only transaction, nothing run): if that fails too, the
     * error came from planning and that error is the one shown; if it succeeds, the error came from running.
     * An error with a CONTEXT line is not shown even while planning: one raised inside a function's body
     * has one, and the planner may call a STABLE function of the database's own with constant arguments
     * while estimating, which may read rows (a JSON literal's error has one too, and is withheld with them);
     * and only a few shapes of message are shown at all, each naming only what the statement spells out
     * ({@link #shownWhilePlanning}): a STABLE function of PostgreSQL's own, {@code current_setting('x')::int}
     * or {@code ('"' || …)::int}, fails at planning with no CONTEXT line and a value in its message.
     * Proved by ExplainCommandTest's value-quoting corpus against PostgreSQL 15.
     */
    String explain(String instance, String sql, boolean analyze) throws Failure {
        Map<?, ?> replica = Optional.ofNullable(Json.readObject(settings.get()).get(instance))
                .filter(Map.class::isInstance).map(Map.class::cast)
                .orElseThrow(() -> new ConfigurationException("no replica is configured for " + instance));
        Properties properties = new Properties();
        properties.setProperty("user", required(replica, "user", instance));
        properties.setProperty("password", required(replica, "password", instance));
        properties.setProperty(
                "sslmode", (replica.get("sslmode") == null ? "verify-full" : String.valueOf(replica.get("sslmode"))));
        properties.setProperty("connectTimeout", "5");
        // A replica that accepts the connection and then says nothing (hung, or half failed over) is given up
        // on after 5 s, not after the socket timeout.
        properties.setProperty("loginTimeout", "5");
        properties.setProperty("socketTimeout", Long.toString(statementTimeout.toSeconds() + 10));
        properties.setProperty("ApplicationName", "chatops-explain");
        // A plan's text can be made huge (a constant folded into a filter): fetch at most 10 MB of it.
        properties.setProperty("maxResultBuffer", "10M");
        // The timeouts from the first message on, as a backstop to the SET LOCAL below.
        properties.setProperty("options", "-c statement_timeout=" + statementTimeout.toMillis() + " -c lock_timeout="
                + lockTimeout.toMillis());
        String url = "jdbc:postgresql://" + required(replica, "host", instance) + ":"
                + (replica.get("port") == null ? "5432" : String.valueOf(replica.get("port"))) + "/"
                + required(replica, "database", instance);
        boolean connected = false;
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            connected = true;
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try {
                return explainOnce(connection, sql, analyze, statementTimeout);
            } catch (SQLException whileAnalyzing) {
                if (!analyze || !ReplicaErrors.raisedByStatement(whileAnalyzing)) {
                    throw whileAnalyzing;
                }
                throw whenRaised(connection, sql, whileAnalyzing);
            }
        } catch (SQLException e) {
            // Without ANALYZE nothing ran: the error was raised while planning.
            throw ReplicaErrors.failure(e, connected, !analyze, sql);
        }
    }

    /** How long planning the statement again may take, to learn when its error was raised. */
    private static final Duration PLANNING_CHECK = Duration.ofSeconds(5);

    /** {@code whileAnalyzing}'s failure: shown if planning alone raises it, its SQLSTATE alone otherwise. */
    private Failure whenRaised(Connection connection, String sql, SQLException whileAnalyzing) {
        Duration timeout = statementTimeout.compareTo(PLANNING_CHECK) < 0 ? statementTimeout : PLANNING_CHECK;
        try {
            explainOnce(connection, sql, false, timeout);
        } catch (SQLException whilePlanning) {
            if (ReplicaErrors.raisedByStatement(whilePlanning)) {
                return ReplicaErrors.failure(whilePlanning, true, true, sql);
            }
        }
        return ReplicaErrors.failure(whileAnalyzing, true, false, sql);
    }

    private String explainOnce(Connection connection, String sql, boolean analyze, Duration timeout)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // No JDBC escape processing: {oj …}, {fn …} are rewritten by the driver before the server sees them.
            statement.setEscapeProcessing(false);
            // The driver cancels the statement on the server itself, should the server's timeout be lifted.
            statement.setQueryTimeout((int) timeout.toSeconds() + 2);
            statement.execute("SET TRANSACTION READ ONLY");
            statement.execute("SET LOCAL statement_timeout = '" + timeout.toMillis() + "ms'");
            statement.execute("SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'");
            // A plain statement, not a prepared one: a `?` in the query (jsonb's operator) is SQL,
            // not a JDBC parameter.
            try (ResultSet rows = statement.executeQuery("EXPLAIN (" + (analyze ? "ANALYZE, BUFFERS, " : "")
                    + "FORMAT JSON) " + sql)) {
                StringBuilder plan = new StringBuilder();
                while (rows.next()) {
                    plan.append(rows.getString(1));
                }
                return plan.toString();
            }
        } finally {
            try {
                connection.rollback();
            } catch (SQLException closed) {
                // The driver closed the connection (a result over maxResultBuffer): the first error is the one to tell.
            }
        }
    }

    private static String required(Map<?, ?> replica, String key, String instance) {
        Object value = replica.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            throw new ConfigurationException("the replica of " + instance + " has no " + key + " in its secret");
        }
        return String.valueOf(value);
    }

    /**
     * Whether a planning-time message may be shown: see {@link ReplicaErrors#shownWhilePlanning}.
     */
    static boolean shownWhilePlanning(String message, String sql) {
        return ReplicaErrors.shownWhilePlanning(message, sql);
    }
}
