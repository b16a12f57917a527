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
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
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
        // Nor may a private value an erring statement read reach the logs.
        SecretsNotLogged.watch(MARKER);
        SecretsNotLogged.watch(String.valueOf(PRIVATE_NUMBER));
        // Private values, each with a marker found nowhere else, in columns as private as GitLab's own.
        db.execute(PostgresServer.DATABASE, "ALTER TABLE users ADD COLUMN encrypted_password text, "
                + "ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0;"
                + "UPDATE users SET email = '" + PRIVATE_EMAIL + "', encrypted_password = '" + PRIVATE_HASH + "', "
                + "failed_attempts = " + PRIVATE_NUMBER + " WHERE id = 4242;"
                + "CREATE TYPE demo_user_state AS ENUM ('active', 'blocked');"
                // A function of the database's own that reads a row and raises with what it read: STABLE, so the
                // planner may call it with a constant argument while estimating, before anything runs.
                + "CREATE FUNCTION demo_password_length(uid bigint) RETURNS int LANGUAGE plpgsql STABLE AS $$ "
                + "DECLARE v text; BEGIN SELECT encrypted_password INTO v FROM users WHERE id = uid; "
                + "RAISE EXCEPTION 'bad password %', v; END $$;"
                // A setting the replica's sessions have and its role may read, but no plan shows.
                + "ALTER DATABASE " + PostgresServer.DATABASE + " SET demo.private_note = '" + PRIVATE_HASH + "';");
    }

    private static final String MARKER = "pv" + Long.toHexString(new SecureRandom().nextLong() >>> 1);
    private static final String PRIVATE_EMAIL = MARKER + "-mail@private.example";
    private static final String PRIVATE_HASH = "$2a$10$" + MARKER + "hash";
    private static final int PRIVATE_NUMBER = 7_391_428;
    private static final String ROW = " FROM users WHERE id = 4242";

    /**
     * Statements whose error, raised while they run, quotes a value they read: casts, settings, names,
     * numbers, JSON, enums, dates, ranges, arithmetic. None of their text may reach a reply.
     */
    private static final List<String> VALUE_QUOTING = List.of(
            "SELECT (SELECT email" + ROW + ")::int",
            "SELECT * FROM projects WHERE id = (SELECT email" + ROW + ")::int",
            "SELECT current_setting((SELECT encrypted_password" + ROW + "))",
            "SELECT current_setting(email)" + ROW,
            "SELECT quote_ident((SELECT email" + ROW + "))::regclass",
            "SELECT email::regclass" + ROW,
            "SELECT quote_ident(email)::regtype" + ROW,
            "SELECT email::regproc" + ROW,
            "SELECT quote_ident(email)::regrole" + ROW,
            "SELECT quote_ident(email)::regnamespace" + ROW,
            "SELECT to_number(email, 'RN')" + ROW,
            "SELECT encrypted_password::numeric" + ROW,
            "SELECT email::json" + ROW,
            "SELECT encrypted_password::jsonb" + ROW,
            "SELECT email::jsonpath" + ROW,
            "SELECT encrypted_password::demo_user_state" + ROW,
            "SELECT make_date(failed_attempts, 13, 1)" + ROW,
            "SELECT make_timestamp(failed_attempts, 1, 1, 25, 0, 0)" + ROW,
            "SELECT to_date(encrypted_password, 'YYYY-MM-DD')" + ROW,
            "SELECT encrypted_password::timestamptz" + ROW,
            "SELECT (failed_attempts || ' parsecs')::interval" + ROW,
            "SELECT failed_attempts / (failed_attempts - failed_attempts)" + ROW,
            "SELECT failed_attempts::numeric / 0" + ROW,
            "SELECT (failed_attempts * 100000)::int" + ROW,
            "SELECT failed_attempts::smallint" + ROW,
            "SELECT email::uuid" + ROW,
            "SELECT email::inet" + ROW,
            "SELECT email::bool" + ROW,
            "SELECT ('<a>' || email || '</b>')::xml" + ROW,
            "SELECT ('[' || email)::int4range" + ROW,
            "SELECT ARRAY[encrypted_password]::int[]" + ROW,
            "SELECT decode(email, 'base64')" + ROW,
            "SELECT format('%' || email, 1)" + ROW,
            "SELECT to_char(now(), email)::int" + ROW,
            "SELECT 1 FROM users u JOIN projects p ON p.id = u.email::bigint WHERE u.id = 4242",
            "WITH e AS (SELECT email" + ROW + ") SELECT email::int FROM e",
            "SELECT * FROM projects WHERE id = demo_password_length(4242)",
            "SELECT demo_password_length(id)" + ROW,
            // current_setting is STABLE: the planner may call it while estimating, before anything runs.
            "SELECT * FROM projects WHERE id = current_setting('demo.private_note')::int",
            "SELECT * FROM projects WHERE id = current_setting('demo.private_note')::numeric::int",
            "SELECT * FROM projects WHERE created_at > current_setting('demo.private_note')::timestamptz",
            // A quote put before the value pairs the message's quotes around nothing.
            "SELECT * FROM projects WHERE id = ('\"' || current_setting('demo.private_note'))::int",
            "SELECT * FROM projects WHERE id = ('\"' || (SELECT email" + ROW + "))::int");

    @Test
    void no_reply_field_ever_quotes_a_private_value_an_erring_statement_read() throws IOException {
        for (Map<String, String> options : List.of(Map.<String, String>of(), Map.of("no-analyze", ""))) {
            for (String sql : VALUE_QUOTING) {
                List<CaptureServer.Post> posts = run(sql, options);
                if (options.isEmpty()) {
                    // Each reached the database and failed there: the corpus tries the rule, not the guard.
                    assertThat(CaptureServer.textOf(posts.get(posts.size() - 1))).as(sql).contains("(SQLSTATE ");
                }
                for (CaptureServer.Post post : posts) {
                    String shown = CaptureServer.textOf(post);
                    assertThat(shown).as(sql + " " + options).doesNotContain(MARKER, String.valueOf(PRIVATE_NUMBER));
                    assertThat(post.body())
                            .as(sql + " " + options)
                            .doesNotContain(MARKER, String.valueOf(PRIVATE_NUMBER));
                }
            }
        }
    }

    @Test
    void an_error_raised_while_running_is_shown_by_its_sqlstate_and_a_sentence() throws IOException {
        assertThat(text("SELECT current_setting((SELECT encrypted_password" + ROW + "))")).contains(
                ":warning: PostgreSQL on the production replica stopped the query with an error while running it "
                        + "(SQLSTATE 42704); its message is not shown, since it can quote data the query read.");
        assertThat(text("SELECT make_date(failed_attempts, 13, 1)" + ROW)).contains("(SQLSTATE 22008)",
                "`--no-analyze` gives the plan without running it");
    }

    @Test
    void an_error_raised_while_planning_quotes_the_statement_only_and_is_shown_in_full() throws IOException {
        assertThat(text("SELECT emial" + ROW))
                .contains(":warning: PostgreSQL on the production replica could not run it: "
                        + "`ERROR: column \"emial\" does not exist");
        assertThat(text("SELECT * FROM userz")).contains("`ERROR: relation \"userz\" does not exist");
        // A literal's bad input is raised while planning, but so is a setting's or a table's read by a STABLE
        // function the planner evaluates: only messages that name what the statement spells out are shown.
        assertThat(text("SELECT 'abc'::int"))
                .contains("stopped the query with an error while planning it (SQLSTATE 22P02)")
                .doesNotContain("abc\"");
        // Planning called the database's own function, which read a row: its error is not shown either.
        assertThat(text("SELECT * FROM projects WHERE id = demo_password_length(4242)", Map.of("no-analyze", "")))
                .contains("stopped the query with an error while planning it (SQLSTATE P0001)");
        // A JSON literal's error has a CONTEXT line, as a function's has: withheld with them.
        assertThat(text("SELECT '[x'::json")).contains("(SQLSTATE 22P02); its message is not shown");
        assertThat(text("SELECT 'nowhere'::regclass", Map.of("no-analyze", ""))).contains(
                "could not run it: `ERROR: relation \"nowhere\" does not exist");
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
        long other = ops.addUser("other", true).id();
        ops.addMember("ops/chatops", "other", 30);
        Services.fromEnvironment(Env.of(aws.functionEnvironment("ExplainFunction", env(Map.of())))).access()
                .link(Link.of(team, "UOTHER", "ops", other, "other", Instant.now()));
    }

    private Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new LinkedHashMap<>(Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=http://127.0.0.1:9",
                "CHATOPS_PROJECT", "ops/chatops"));
        // In one JVM there is no UserFunction to ask for callers' roles (the local stack's tests ask it):
        // the same check, GitLabAccessCheck, is made here with the read-only token.
        env.put(Services.ACCESS_CHECK_FUNCTION, "");
        env.put("GITLAB_READ_TOKENS_SECRET_ID", aws.ref("GitLabReadTokensSecret"));
        env.putAll(more);
        return env;
    }

    private ExplainFunction function(Map<String, String> replicas, Map<String, String> more) {
        String secret = "explain-replicas-" + UUID.randomUUID();
        StringBuilder json = new StringBuilder("{");
        replicas.forEach((instance, settings) -> json.append(json.length() > 1 ? "," : "").append('"').append(instance)
                .append("\":").append(settings));
        json.append('}');
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
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
        assertThat(CaptureServer.textOf(posts.get(0)))
                .contains(":hourglass_flowing_sand: running EXPLAIN ANALYZE on the " + "production replica…");
        CaptureServer.Post reply = posts.get(1);
        assertThat(reply.json()).containsEntry("replace_original", true);
        String text = CaptureServer.textOf(reply);
        assertThat(text).contains("*EXPLAIN ANALYZE on the production replica*: planning ", "execution *", "1 row",
                "shared hit", "Slowest node: `Index Scan using projects_pkey on projects`",
                "Index Scan using projects_pkey on projects  (cost=", "(actual time=", "Index Cond: (id = 1)");
        assertThat(text.indexOf("Slowest node")).isLessThan(text.indexOf("```"));
    }

    @Test
    void markup_in_a_statement_comes_back_as_typed_in_the_plan_and_in_postgresqls_message() throws IOException {
        String plan = CaptureServer.textOf(last(run(
                "SELECT * FROM projects WHERE name = '<!channel> a & b <https://evil.example|click>'", Map.of())));
        String error = CaptureServer.textOf(
                last(run("SELECT 1 FROM projects WHERE <!channel> & <https://evil.example|click>", Map.of())));
        // A quoted name is no shape of message shown (it could hold anything): withheld, by its SQLSTATE.
        String withheld = CaptureServer.textOf(
                last(run("SELECT \"<!channel> & <https://evil.example|click>\" FROM projects", Map.of())));

        assertThat(plan).contains("'&lt;!channel&gt; a &amp; b &lt;https://evil.example|click&gt;'");
        assertThat(error).contains("syntax error at or near \"&lt;\"");
        assertThat(withheld).contains("(SQLSTATE 42703)");
        for (String reply : List.of(plan, error, withheld)) {
            assertThat(reply).doesNotContain("<!channel>", "<https://evil", " & ");
        }
    }

    @Test
    void the_warnings_people_act_on_are_given_sequential_scans_estimates_and_spills() throws IOException {
        assertThat(text("SELECT * FROM issues WHERE title LIKE '%999%'"))
                .contains(
                        ":warning: Sequential scan on `issues` read " + "100,000 rows (",
                        "removed by the filter): an index on the filtered columns may help.");
        assertThat(text("SELECT * FROM issues WHERE project_id % 2 = 0 AND author_id % 2 = 0"))
                .contains("rows estimated", "× off): the statistics may be stale");
        assertThat(text("SELECT title, confidential FROM issues ORDER BY title DESC, id"))
                .contains("spilled", "kB to disk");
    }

    @Test
    void no_analyze_gives_the_plan_without_running_it() throws IOException {
        String text = text("SELECT * FROM issues WHERE project_id = 7", Map.of("no-analyze", ""));

        assertThat(text)
                .contains(
                        "*EXPLAIN on the production replica* (plan only, not run): estimated cost",
                        "Costliest node:",
                        "Bitmap Heap Scan on issues")
                .doesNotContain("actual time");
    }

    @Test
    void a_statement_longer_than_the_timeout_is_stopped_and_answered_clearly() throws IOException {
        function =
                function(Map.of("production", db.connectionJson()), Map.of("EXPLAIN_STATEMENT_TIMEOUT_SECONDS", "1"));
        long started = System.nanoTime();

        String text = text("SELECT pg_sleep(10)");

        assertThat(text)
                .contains(":stopwatch: The statement ran longer than 1 s on the production replica and was stopped.");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void database_errors_are_one_sentence_with_the_databases_message() throws IOException {
        assertThat(text("SELECT * FROM nowhere"))
                .contains(":warning: PostgreSQL on the production replica could not run it: "
                        + "`ERROR: relation \"nowhere\" does not exist");
        assertThat(text("SELECT FROM WHERE")).contains("could not run it: `ERROR: syntax error");
        assertThat(text("SELECT demo_touch()")).contains("The production replica refused it (SQLSTATE 25006): it runs "
                + "read-only, and the statement tried to change something");
        assertThat(text("SELECT * FROM projects WHERE id = 1", Map.of("ops", "")))
                .contains("No database replica is configured for ops.");
    }

    @Test
    void a_replica_that_cannot_be_reached_is_said_so_without_its_password() throws IOException {
        function = function(
                Map.of("production", db.connectionJson().replace("\"port\":" + db.port(), "\"port\":9")), Map.of());

        String text = text("SELECT 1");

        assertThat(text).contains(":x: The production replica could not be reached or refused the connection")
                .doesNotContain(db.explainPassword());
    }

    @Test
    void a_replica_that_goes_away_while_the_statement_runs_is_said_so_and_the_command_ends() throws Exception {
        Thread killer = new Thread(() -> {
            // As a failover or a fast shutdown would: the server ends the explain session mid-statement.
            for (int tries = 0; tries < 200; tries++) {
                try (Connection admin = db.superuser(PostgresServer.DATABASE);
                        Statement statement = admin.createStatement();
                        ResultSet killed = statement.executeQuery(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ="
                                        + " 'chatops-explain' AND query LIKE '%pg_sleep(30)%'")) {
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

        assertThat(text)
                .contains(
                        ":x: The production replica closed the connection while the statement ran (SQLSTATE 57P01)",
                        "it may be restarting or failing over. Nothing was changed")
                .doesNotContain(db.explainPassword());
    }

    @Test
    void a_replica_that_accepts_the_connection_and_says_nothing_is_given_up_on() throws IOException {
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
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

            assertThat(text)
                    .contains(":x: The production replica could not be reached or refused the connection (SQLSTATE 08");
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
        assertThat(text)
                .contains(
                        "The plan has 903 nodes (",
                        "heaviest are shown",
                        "lighter ones were cut where it says so",
                        "lighter nodes cut (",
                        "Seq Scan on issues");
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

        assertThat(text)
                .contains("stopped the query with an error while running it (SQLSTATE 22P02); its message is not "
                        + "shown")
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
        Replica replica = new Replica(
                () -> "{\"production\":" + db.superuserConnectionJson() + "}",
                Duration.ofSeconds(2),
                Duration.ofSeconds(1));

        assertThatThrownBy(() -> replica.explain("production",
                "WITH gone AS (DELETE FROM issues RETURNING *) SELECT count(*) FROM gone", true))
                .isInstanceOfSatisfying(Replica.Failure.class, e -> assertThat(e.sqlState()).isEqualTo("25006"));
        assertThatThrownBy(() -> replica.explain("production", "SELECT nextval('demo_counter')", true))
                .isInstanceOfSatisfying(Replica.Failure.class, e -> assertThat(e.sqlState()).isEqualTo("25006"));
        assertThatThrownBy(() -> replica.explain("production", "SELECT pg_sleep(3)", true))
                .isInstanceOfSatisfying(Replica.Failure.class, e -> assertThat(e.sqlState()).isEqualTo("57014"));
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

    @Test
    void layer_four_alone_the_role_carries_resource_caps_and_cannot_raise_the_disk_cap_itself() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", PostgresServer.EXPLAIN_ROLE);
        properties.setProperty("password", db.explainPassword());
        try (Connection role = DriverManager.getConnection(db.jdbcUrl(PostgresServer.DATABASE), properties);
             Statement statement = role.createStatement()) {
            Map<String, Object> caps = new LinkedHashMap<>();
            for (String name : List.of(
                    "temp_file_limit",
                    "work_mem",
                    "max_parallel_workers_per_gather",
                    "statement_timeout",
                    "idle_in_transaction_session_timeout",
                    "lock_timeout")) {
                caps.put(name, value(statement, "SHOW " + name));
            }
            assertThat(caps).isEqualTo(Map.of("temp_file_limit", "64MB", "work_mem", "4MB",
                    "max_parallel_workers_per_gather", "0", "statement_timeout", "30s",
                    "idle_in_transaction_session_timeout", "10s", "lock_timeout", "1s"));
            // Only a superuser (or a role granted SET on it) may set it: the role cannot lift its own disk cap.
            assertThatThrownBy(() -> statement.execute("SET temp_file_limit = -1")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
    }

    @Test
    void a_sort_spilling_past_the_roles_disk_cap_is_stopped_by_the_cap_not_by_the_replicas_disk() throws IOException {
        // Given all the time the function allows, this sort (2 billion rows) would spill for far longer than that:
        // the role's temp_file_limit stops it, not the timeout and not a full disk (53100).
        function =
                function(Map.of("production", db.connectionJson()), Map.of("EXPLAIN_STATEMENT_TIMEOUT_SECONDS", "40"));

        String text = text("SELECT i.title, p.name FROM issues i CROSS JOIN projects p ORDER BY i.title, p.name");

        assertThat(text)
                .isEqualTo(":floppy_disk: The statement needed more temporary disk space than the explain role may use"
                        + " on the production replica (SQLSTATE 53400: its `temp_file_limit`) and was stopped"
                        + " before it could fill the replica's disk. Try `--no-analyze` for the plan alone, or"
                        + " a query that sorts or hashes fewer rows.");
    }

    @Test
    void a_second_explain_by_the_same_person_while_one_runs_is_refused_and_runs_nothing() throws Exception {
        // The first explain waits on a lock this test holds, for as long as the test needs (no timing involved).
        function = function(Map.of("production", db.connectionJson()), Map.of("EXPLAIN_STATEMENT_TIMEOUT_SECONDS", "40",
                "EXPLAIN_LOCK_TIMEOUT_MS", "39000"));
        String firstId = "sl-first-" + UUID.randomUUID();
        AtomicReference<List<CaptureServer.Post>> first = new AtomicReference<>();
        Thread running;
        try (Connection holder = db.superuser(PostgresServer.DATABASE); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE namespaces IN ACCESS EXCLUSIVE MODE");
            running = new Thread(() -> {
                try {
                    first.set(run(firstId, "UDEV", "SELECT count(*) FROM namespaces", Map.of()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            running.start();
            awaitExplainSessions(1);

            List<CaptureServer.Post> second =
                    run(UUID.randomUUID().toString(), "UDEV", "SELECT * FROM projects WHERE id = 1", Map.of());

            assertThat(second).hasSize(1);
            assertThat(CaptureServer.textOf(second.get(0)))
                    .contains(":hourglass: You already have an `explain` running " + "(request `" + firstId
                            + "`); wait for its answer before you start another.");
            assertThat(value(lock, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chatops-explain'"))
                    .isEqualTo(1L);
            // Someone else is not held up by it.
            assertThat(CaptureServer.textOf(last(run(
                            UUID.randomUUID().toString(), "UOTHER", "SELECT * FROM projects WHERE id = 1", Map.of()))))
                    .contains("*EXPLAIN ANALYZE on the production replica*");
            holder.rollback();
        }
        running.join();

        assertThat(CaptureServer.textOf(last(first.get()))).contains("*EXPLAIN ANALYZE on the production replica*");
        assertThat(text("SELECT * FROM projects WHERE id = 1")).contains("*EXPLAIN ANALYZE on the production replica*");
    }

    /** Waits, boundedly, until {@code count} explain sessions are waiting for a lock. */
    private static void awaitExplainSessions(long count) throws Exception {
        for (int tries = 0; tries < 600; tries++) {
            try (Connection c = db.superuser(PostgresServer.DATABASE); Statement s = c.createStatement()) {
                if (Long.valueOf(count)
                        .equals(value(
                                s,
                                "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                        + "'chatops-explain' AND wait_event_type = 'Lock'"))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the first explain never started waiting for the lock");
    }

    private static CaptureServer.Post last(List<CaptureServer.Post> posts) {
        return posts.get(posts.size() - 1);
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
            state.put(
                    "relations", value(s, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
            state.put("large objects", value(s, "SELECT count(*) FROM pg_largeobject_metadata"));
            state.put("prepared transactions", value(s, "SELECT count(*) FROM pg_prepared_xacts"));
            state.put(
                    "auto.conf", value(s, "SELECT count(*) FROM pg_file_settings WHERE sourcefile LIKE '%auto.conf'"));
            state.put("role settings", value(s, "SELECT array_to_string(rolconfig, ',') FROM pg_roles WHERE rolname = '"
                    + PostgresServer.EXPLAIN_ROLE + "'"));
            state.put("work_mem", value(s, "SELECT setting FROM pg_settings WHERE name = 'work_mem'"));
            state.put(
                    "backends",
                    value(s, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"));
            state.put(
                    "explain sessions left",
                    value(s, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chatops-explain'"));
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
        return run(UUID.randomUUID().toString(), "UDEV", sql, options);
    }

    private List<CaptureServer.Post> run(String requestId, String user, String sql, Map<String, String> options)
            throws IOException {
        String path = "/r/" + UUID.randomUUID();
        Map<String, String> flags = new LinkedHashMap<>();
        options.forEach((k, v) -> flags.put(k, v.isEmpty() ? null : v));
        CommandRequest request = new CommandRequest(
                requestId,
                team,
                "",
                user,
                "dev",
                "C1",
                "ops",
                "/chatops",
                "explain",
                sql.isEmpty() ? List.of() : List.of(sql),
                flags,
                sql,
                slack.url(path),
                Instant.now());
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("ExplainFunction", Duration.ofSeconds(60)));
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as(sql).isNotEmpty();
        return posts;
    }
}
