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
     * Why the database did not give a plan: its message, its SQLSTATE, and whether the connection had
     * been made (a replica that goes away mid-statement is not one that could not be reached).
     */
    static final class Failure extends Exception {
        private final String sqlState;
        private final boolean connected;

        Failure(String message, String sqlState, boolean connected, Throwable cause) {
            super(message, cause);
            this.sqlState = sqlState;
            this.connected = connected;
        }

        String sqlState() {
            return sqlState;
        }

        boolean connected() {
            return connected;
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

    /** The JSON plan of {@code sql} on {@code instance}'s replica; run for real when {@code analyze}. */
    String explain(String instance, String sql, boolean analyze) throws Failure {
        Map<?, ?> replica = Optional.ofNullable(Json.readObject(settings.get()).get(instance))
                .filter(Map.class::isInstance).map(Map.class::cast)
                .orElseThrow(() -> new ConfigurationException("no replica is configured for " + instance));
        Properties properties = new Properties();
        properties.setProperty("user", required(replica, "user", instance));
        properties.setProperty("password", required(replica, "password", instance));
        properties.setProperty("sslmode", (replica.get("sslmode") == null ? "verify-full" : String.valueOf(replica.get("sslmode"))));
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
                + (replica.get("port") == null ? "5432" : String.valueOf(replica.get("port"))) + "/" + required(replica, "database", instance);
        boolean connected = false;
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            connected = true;
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (Statement statement = connection.createStatement()) {
                // No JDBC escape processing: {oj …}, {fn …} are rewritten by the driver before the server sees them.
                statement.setEscapeProcessing(false);
                // The driver cancels the statement on the server itself, should the server's timeout be lifted.
                statement.setQueryTimeout((int) statementTimeout.toSeconds() + 2);
                statement.execute("SET TRANSACTION READ ONLY");
                statement.execute("SET LOCAL statement_timeout = '" + statementTimeout.toMillis() + "ms'");
                statement.execute("SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'");
                // A plain statement, not a prepared one: a `?` in the query (jsonb's operator) is SQL, not a JDBC parameter.
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
        } catch (SQLException e) {
            throw new Failure(firstLine(e.getMessage()), e.getSQLState(), connected, e);
        }
    }

    private static String required(Map<?, ?> replica, String key, String instance) {
        Object value = replica.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            throw new ConfigurationException("the replica of " + instance + " has no " + key + " in its secret");
        }
        return String.valueOf(value);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
