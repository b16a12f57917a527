package dev.chatops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.PostgresServer;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * {@code explain} through ExplainFunction against a real PostgreSQL 15 playing the production replica
 * (demo schema, the README's read-only role), moto, a GitLab stand-in for access and a capture
 * server for Slack. Each safety layer is also tried on its own.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class ExplainCommandTest {
    @RegisterExtension
    static final PostgresServer db = new PostgresServer();
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private LocalAws aws;
    private ExplainFunction function;
    private String team;

    @BeforeAll
    static void sideEffects() {
        // A function of the database's own that writes: the guard cannot know it; the read-only transaction stops it.
        db.execute(PostgresServer.DATABASE, "CREATE FUNCTION demo_touch() RETURNS int LANGUAGE sql VOLATILE AS "
                + "$$ UPDATE projects SET archived = NOT archived WHERE id = 1 RETURNING 1 $$");
        SecretsNotLogged.watch(db.explainPassword());
    }

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        ops.addAdminToken(MotoExtension.GITLAB_TOKEN);
        ops.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        ops.addProject("ops/chatops");
        long dev = ops.addUser("dev", true).id();
        ops.addMember("ops/chatops", "dev", 30);
        function = function(Map.of("production", db.connectionJson()), Map.of());
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        Services.fromEnvironment(Env.of(aws.functionEnvironment("ExplainFunction", env(Map.of())))).access()
                .link(Link.of(team, "UDEV", "ops", dev, "dev", Instant.now()));
    }

    private Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new LinkedHashMap<>(Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=http://127.0.0.1:9",
                "CHATOPS_PROJECT", "ops/chatops"));
        env.putAll(more);
        return env;
    }

    private ExplainFunction function(Map<String, String> replicas, Map<String, String> more) {
        String secret = "explain-replicas-" + UUID.randomUUID();
        StringBuilder json = new StringBuilder("{");
        replicas.forEach((instance, settings) -> json.append(json.length() > 1 ? "," : "").append('"').append(instance)
                .append("\":").append(settings));
        json.append('}');
        try (SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            secrets.createSecret(b -> b.name(secret).secretString(json.toString()));
        }
        Map<String, String> env = new LinkedHashMap<>(env(more));
        env.put("EXPLAIN_REPLICAS_SECRET_ID", secret);
        return new ExplainFunction(Services.fromEnvironment(Env.of(aws.functionEnvironment("ExplainFunction", env))));
    }

    @Test
    void a_query_is_explained_with_progress_first_then_the_plan_replacing_it_summary_first() throws IOException {
        List<CaptureServer.Post> posts = run("SELECT * FROM projects WHERE id = 1", Map.of());

        assertThat(posts).hasSize(2);
        assertThat(CaptureServer.textOf(posts.get(0))).contains(":hourglass_flowing_sand: running EXPLAIN ANALYZE on the "
                + "production replica…");
        CaptureServer.Post reply = posts.get(1);
        assertThat(reply.json()).containsEntry("replace_original", true);
        String text = CaptureServer.textOf(reply);
        assertThat(text).contains("*EXPLAIN ANALYZE on the production replica*: planning ", "execution *", "1 row",
                "shared hit", "Slowest node: `Index Scan using projects_pkey on projects`",
                "Index Scan using projects_pkey on projects  (cost=", "(actual time=", "Index Cond: (id = 1)");
        assertThat(text.indexOf("Slowest node")).isLessThan(text.indexOf("```"));
    }

    @Test
    void the_warnings_people_act_on_are_given_sequential_scans_estimates_and_spills() throws IOException {
        assertThat(text("SELECT * FROM issues WHERE title LIKE '%999%'")).contains(":warning: Sequential scan on `issues` read "
                + "100,000 rows (", "removed by the filter): an index on the filtered columns may help.");
        assertThat(text("SELECT * FROM issues WHERE project_id % 2 = 0 AND author_id % 2 = 0")).contains("rows estimated",
                "× off): the statistics may be stale");
        assertThat(text("SELECT title, confidential FROM issues ORDER BY title DESC, id")).contains("spilled", "kB to disk");
    }

    @Test
    void no_analyze_gives_the_plan_without_running_it() throws IOException {
        String text = text("SELECT * FROM issues WHERE project_id = 7", Map.of("no-analyze", ""));

        assertThat(text).contains("*EXPLAIN on the production replica* (plan only, not run): estimated cost", "Costliest node:",
                "Bitmap Heap Scan on issues").doesNotContain("actual time");
    }

    @Test
    void a_statement_longer_than_the_timeout_is_stopped_and_answered_clearly() throws IOException {
        function = function(Map.of("production", db.connectionJson()), Map.of("EXPLAIN_STATEMENT_TIMEOUT_SECONDS", "1"));
        long started = System.nanoTime();

        String text = text("SELECT pg_sleep(10)");

        assertThat(text).contains(":stopwatch: The statement ran longer than 1 s on the production replica and was stopped.");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void database_errors_are_one_sentence_with_the_databases_message() throws IOException {
        assertThat(text("SELECT * FROM nowhere")).contains(":warning: PostgreSQL on the production replica could not run it: "
                + "`ERROR: relation \"nowhere\" does not exist");
        assertThat(text("SELECT FROM WHERE")).contains("could not run it: `ERROR: syntax error");
        assertThat(text("SELECT demo_touch()")).contains("The production replica refused it: it runs read-only",
                "cannot execute UPDATE in a read-only transaction");
        assertThat(text("SELECT * FROM projects WHERE id = 1", Map.of("ops", ""))).contains("No database replica is configured for ops.");
    }

    @Test
    void a_replica_that_cannot_be_reached_is_said_so_without_its_password() throws IOException {
        function = function(Map.of("production", db.connectionJson().replace("\"port\":" + db.port(), "\"port\":9")), Map.of());

        String text = text("SELECT 1");

        assertThat(text).contains(":x: The production replica could not be reached or refused the connection")
                .doesNotContain(db.explainPassword());
    }

    @Test
    void a_replica_that_goes_away_while_the_statement_runs_is_said_so_and_the_command_ends() throws Exception {
        Thread killer = new Thread(() -> {
            // As a failover or a fast shutdown would: the server ends the explain session mid-statement.
            for (int tries = 0; tries < 200; tries++) {
                try (Connection admin = db.superuser(PostgresServer.DATABASE); Statement statement = admin.createStatement();
                     ResultSet killed = statement.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             + "WHERE application_name = 'chatops-explain' AND query LIKE '%pg_sleep(30)%'")) {
                    if (killed.next()) {
                        return;
                    }
                    Thread.sleep(50);
                } catch (SQLException | InterruptedException e) {
                    return;
                }
            }
        });
        killer.start();

        String text = text("SELECT pg_sleep(30)");
        killer.join();

        assertThat(text).contains(":x: The production replica closed the connection while the statement ran (SQLSTATE 57P01)",
                "it may be restarting or failing over. Nothing was changed").doesNotContain(db.explainPassword());
    }

    @Test
    void a_replica_that_accepts_the_connection_and_says_nothing_is_given_up_on() throws IOException {
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (!hung.isClosed()) {
                        held.add(hung.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            function = function(Map.of("production", db.connectionJson().replace("\"port\":" + db.port(),
                    "\"port\":" + hung.getLocalPort())), Map.of());

            String text = text("SELECT 1");

            assertThat(text).contains(":x: The production replica could not be reached or refused the connection (SQLSTATE 08");
            assertThat(held).isNotEmpty();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void a_plan_too_long_for_slack_keeps_its_heaviest_nodes_and_says_how_much_was_cut() throws IOException {
        StringBuilder sql = new StringBuilder("SELECT count(*) FROM issues");
        for (int i = 0; i < 450; i++) {
            sql.append(" UNION ALL SELECT ").append(i);
        }

        List<CaptureServer.Post> posts = run(sql.toString(), Map.of());
        String text = String.join("\n", posts.stream().map(CaptureServer::textOf).toList());

        assertThat(posts.size()).isLessThanOrEqualTo(5);
        assertThat(text).contains("The plan has 903 nodes (", "heaviest are shown", "lighter ones were cut where it says so",
                "lighter nodes cut (", "Seq Scan on issues");
    }

    @Test
    void the_hostile_corpus_is_refused_or_fails_harmlessly_and_changes_nothing() throws Exception {
        Properties role = new Properties();
        role.setProperty("user", PostgresServer.EXPLAIN_ROLE);
        role.setProperty("password", db.explainPassword());
        // The victim is another explain session: the one kind of backend the role itself could signal.
        try (Connection victim = DriverManager.getConnection(db.jdbcUrl(PostgresServer.DATABASE), role)) {
            int victimPid = single(victim, "SELECT pg_backend_pid()");
            Map<String, Object> before = state();

            for (String sql : HostileStatements.ALL) {
                String text = sql.isEmpty() ? text("", Map.of()) : text(sql);
                assertThat(text).as(sql).containsAnyOf(":no_entry:", ":warning:", "is missing");
                assertThat(text).as(sql).doesNotContain("*EXPLAIN ANALYZE on the");
            }

            assertThat(state()).isEqualTo(before);
            assertThat(single(victim, "SELECT pg_backend_pid()")).isEqualTo(victimPid);
        }
        Thread.sleep(1000);
        assertThat(state()).containsEntry("explain sessions left", 0L);
    }

    @Test
    void an_error_that_would_quote_data_shows_only_its_condition() throws IOException {
        String text = text("SELECT * FROM projects WHERE id = (SELECT email FROM users WHERE id = 7)::int");

        assertThat(text).contains("stopped the query with an error (SQLSTATE 22P02); its message is not shown")
                .doesNotContain("user7@example.com");
        assertThat(text("SELECT rolpassword FROM pg_authid")).contains("permission denied");
    }

    @Test
    void a_plan_too_large_to_fetch_is_refused_in_a_sentence_not_a_crash() throws IOException {
        String text = text("SELECT * FROM projects WHERE name = repeat('x', 30000000)", Map.of("no-analyze", ""));

        assertThat(text).contains("larger than 10 MB");
    }

    @Test
    void layer_three_alone_the_read_only_transaction_stops_a_write_the_guard_did_not_see() throws SQLException {
        Map<String, Object> before = state();
        // As the superuser: the transaction, not the role, is what stops these.
        Replica replica = new Replica(() -> "{\"production\":" + db.superuserConnectionJson() + "}", Duration.ofSeconds(2),
                Duration.ofSeconds(1));

        assertThatThrownBy(() -> replica.explain("production",
                "WITH gone AS (DELETE FROM issues RETURNING *) SELECT count(*) FROM gone", true))
                .isInstanceOf(Replica.Failure.class).hasMessageContaining("read-only transaction");
        assertThatThrownBy(() -> replica.explain("production", "SELECT nextval('demo_counter')", true))
                .isInstanceOf(Replica.Failure.class).hasMessageContaining("read-only transaction");
        assertThatThrownBy(() -> replica.explain("production", "SELECT pg_sleep(3)", true))
                .isInstanceOf(Replica.Failure.class).hasMessageContaining("statement timeout");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void layer_four_alone_the_read_only_role_can_read_and_nothing_else() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", PostgresServer.EXPLAIN_ROLE);
        properties.setProperty("password", db.explainPassword());
        try (Connection superuser = db.superuser(PostgresServer.DATABASE);
             Connection role = DriverManager.getConnection(db.jdbcUrl(PostgresServer.DATABASE), properties);
             Statement statement = role.createStatement()) {
            int superPid = single(superuser, "SELECT pg_backend_pid()");
            assertThat(single(role, "SELECT count(*)::int FROM projects")).isEqualTo(20000);
            statement.execute("SET default_transaction_read_only = off");
            assertThatThrownBy(() -> statement.execute("DELETE FROM issues")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.execute("CREATE TABLE loot (id int)")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.execute("SELECT pg_terminate_backend(" + superPid + ")"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
        assertThat(state()).containsEntry("issues", 100000L);
    }

    /** What explain must not change: rows, sequences, locks, tables, large objects, settings, sessions. */
    private static Map<String, Object> state() throws SQLException {
        Map<String, Object> state = new LinkedHashMap<>();
        try (Connection c = db.superuser(PostgresServer.DATABASE); Statement s = c.createStatement()) {
            for (String table : List.of("namespaces", "users", "projects", "issues")) {
                state.put(table, value(s, "SELECT count(*) FROM " + table));
            }
            state.put("archived", value(s, "SELECT count(*) FROM projects WHERE archived"));
            state.put("demo_counter", value(s, "SELECT last_value || '/' || is_called FROM demo_counter"));
            state.put("issues_id_seq", value(s, "SELECT last_value || '/' || is_called FROM issues_id_seq"));
            state.put("advisory locks", value(s, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
            state.put("relations", value(s, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
            state.put("large objects", value(s, "SELECT count(*) FROM pg_largeobject_metadata"));
            state.put("prepared transactions", value(s, "SELECT count(*) FROM pg_prepared_xacts"));
            state.put("auto.conf", value(s, "SELECT count(*) FROM pg_file_settings WHERE sourcefile LIKE '%auto.conf'"));
            state.put("role settings", value(s, "SELECT array_to_string(rolconfig, ',') FROM pg_roles WHERE rolname = '"
                    + PostgresServer.EXPLAIN_ROLE + "'"));
            state.put("work_mem", value(s, "SELECT setting FROM pg_settings WHERE name = 'work_mem'"));
            state.put("backends", value(s, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"));
            state.put("explain sessions left", value(s, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chatops-explain'"));
        }
        return state;
    }

    private static Object value(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getObject(1);
        }
    }

    private static int single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private String text(String sql) throws IOException {
        return text(sql, Map.of());
    }

    private String text(String sql, Map<String, String> options) throws IOException {
        List<CaptureServer.Post> posts = run(sql, options);
        return CaptureServer.textOf(posts.get(posts.size() - 1));
    }

    private List<CaptureServer.Post> run(String sql, Map<String, String> options) throws IOException {
        String path = "/r/" + UUID.randomUUID();
        Map<String, String> flags = new LinkedHashMap<>();
        options.forEach((k, v) -> flags.put(k, v.isEmpty() ? null : v));
        CommandRequest request = new CommandRequest(UUID.randomUUID().toString(), team, "", "UDEV", "dev", "C1", "ops",
                "/chatops", "explain", sql.isEmpty() ? List.of() : List.of(sql), flags, sql, slack.url(path), Instant.now());
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("ExplainFunction", Duration.ofSeconds(60)));
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as(sql).isNotEmpty();
        return posts;
    }
}
