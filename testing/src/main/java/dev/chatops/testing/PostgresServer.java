package dev.chatops.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PostgreSQL 15 cluster of its own, for tests and the local stack: {@code initdb} in a temporary
 * directory, {@code postgres} on a free loopback port with password authentication, a child process
 * of this JVM, stopped and deleted by {@link #close()}, by a shutdown hook, and, should the JVM be
 * killed, by its watchdog ({@link TiedProcess}: immediate shutdown, then the directory removed).
 * Played as the production replica, with the demo schema ({@link #loadDemo()}) and the read-only
 * role docs/explain.md tells operators to create ({@link #EXPLAIN_ROLE}).
 *
 * <p>PostgreSQL refuses to run as root; as root the server runs as {@code nobody} (through
 * util-linux's {@code setpriv}, which keeps the process id, unlike {@code runuser}). The binaries are
 * {@code $POSTGRES_BIN}, or {@code /usr/lib/postgresql/15/bin}.
 *
 * <p>As a JUnit 5 extension ({@code @RegisterExtension static PostgresServer db = new PostgresServer();})
 * it starts before the class and stops after it.
 */
public final class PostgresServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    public static final String SUPERUSER = "postgres";
    /** The role ChatOps's explain connects as: it reads everything and can change nothing. */
    public static final String EXPLAIN_ROLE = "chatops_explain";
    public static final String DATABASE = "gitlabhq_production";
    /**
     * The explain role's temporary-disk cap here: docs/explain.md's 1GB scaled down to the demo's
     * 100,000 issues.
     */
    public static final String DEMO_TEMP_FILE_LIMIT = "64MB";

    private final String superPassword = "super-" + Long.toHexString(new SecureRandom().nextLong());
    private final String explainPassword = "explain-" + Long.toHexString(new SecureRandom().nextLong());
    private Path dir;
    private int port;
    private Thread hook;
    private Process postgres;

    /** Whether PostgreSQL's binaries are here. */
    public static boolean available() {
        return Files.isExecutable(bin().resolve("postgres")) && Files.isExecutable(bin().resolve("initdb"));
    }

    public static Path bin() {
        String configured = System.getenv("POSTGRES_BIN");
        return Path.of(configured != null && !configured.isBlank() ? configured : "/usr/lib/postgresql/15/bin");
    }

    /** A started cluster with the demo database and the explain role. */
    public static PostgresServer startWithDemo() {
        PostgresServer server = new PostgresServer();
        try {
            server.start();
            server.loadDemo();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public synchronized PostgresServer start() {
        if (dir != null) {
            return this;
        }
        if (!available()) {
            throw new IllegalStateException("PostgreSQL 15 is not installed at " + bin()
                    + " (Debian: apt-get install postgresql-15; or set POSTGRES_BIN)");
        }
        try {
            dir = Files.createTempDirectory("chatops-pg", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            Path pwfile = dir.resolve("pw");
            Files.writeString(pwfile, superPassword + "\n");
            chownIfRoot(dir);
            chownIfRoot(pwfile);
            // Should this JVM die during initdb, the directory goes with it.
            run(
                    List.of(
                            bin().resolve("initdb").toString(),
                            "-D",
                            dir.resolve("data").toString(),
                            "-U",
                            SUPERUSER,
                            "--auth=scram-sha-256",
                            "--pwfile=" + pwfile,
                            "-E",
                            "UTF8",
                            "--locale=C",
                            "--no-sync"),
                    60,
                    List.of(dir));
            Files.delete(pwfile);
            port = FreePort.pick();
            hook = new Thread(this::stopQuietly, "postgres-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            // The postmaster in the foreground, as this JVM's child (pg_ctl start would detach it):
            // QUIT is its immediate shutdown, which also ends its backends and frees its shared memory.
            List<String> command = new ArrayList<>(asNobody());
            command.addAll(List.of(
                    bin().resolve("postgres").toString(),
                    "-D",
                    dir.resolve("data").toString(),
                    "-p",
                    Integer.toString(port),
                    "-k",
                    dir.toString(),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=50"));
            postgres = TiedProcess.start(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile()), "QUIT", List.of(dir));
            awaitReady();
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The database {@value #DATABASE} with a small GitLab-like schema and generated rows (namespaces,
     * users, projects, issues, a sequence), and the role {@value #EXPLAIN_ROLE}, made as
     * docs/explain.md says.
     */
    public void loadDemo() {
        execute("postgres", "CREATE DATABASE " + DATABASE);
        String sql;
        try (var in = PostgresServer.class.getResourceAsStream("explain-demo.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        execute(DATABASE, sql);
        execute(DATABASE, "CREATE ROLE " + EXPLAIN_ROLE + " LOGIN PASSWORD '" + explainPassword + "';"
                + "GRANT USAGE ON SCHEMA public TO " + EXPLAIN_ROLE + ";"
                + "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + EXPLAIN_ROLE + ";"
                + "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + EXPLAIN_ROLE + ";"
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET client_connection_check_interval = '2s';"
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET default_transaction_read_only = on;"
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET statement_timeout = '30s';"
                // docs/explain.md's resource caps. temp_file_limit is its 1GB scaled to this small demo, so
                // that a test reaches it in seconds; only a superuser may set it (as here), and the
                // role cannot raise it.
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET temp_file_limit = '" + DEMO_TEMP_FILE_LIMIT + "';"
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET work_mem = '4MB';"
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET max_parallel_workers_per_gather = 0;"
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET idle_in_transaction_session_timeout = '10s';"
                + "ALTER ROLE " + EXPLAIN_ROLE + " SET lock_timeout = '1s';"
                + "ALTER ROLE " + EXPLAIN_ROLE + " CONNECTION LIMIT 5;"
                + "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
                + "REVOKE TEMPORARY ON DATABASE " + DATABASE + " FROM PUBLIC;");
    }

    public int port() {
        return port;
    }

    /** The process id of the postmaster. */
    public long pid() {
        return postgres.pid();
    }

    /** Completes with the postmaster's exit status when it has exited, whoever stopped it. */
    public CompletableFuture<Integer> exited() {
        return postgres.onExit().thenApply(Process::exitValue);
    }

    /** Waits until the postmaster takes connections (what {@code pg_ctl start -w} waits for). */
    private void awaitReady() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!postgres.isAlive()) {
                throw new IllegalStateException("postgres exited (" + postgres.exitValue() + "): " + logTail());
            }
            try (Connection ignored = superuser("postgres")) {
                return;
            } catch (SQLException notYet) {
                // not listening, or still starting up
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException("postgres did not take connections within 60 s: " + logTail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting postgres", e);
            }
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("server.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String explainPassword() {
        return explainPassword;
    }

    /** The replica's connection settings as ChatOps's secret holds them for one instance. */
    public String connectionJson() {
        return "{\"host\":\"127.0.0.1\",\"port\":" + port + ",\"database\":\"" + DATABASE + "\",\"user\":\""
                + EXPLAIN_ROLE + "\",\"password\":\"" + explainPassword + "\",\"sslmode\":\"disable\"}";
    }

    /** Connection settings as the superuser, in the secret's shape: for tests of what holds whatever the role. */
    public String superuserConnectionJson() {
        return "{\"host\":\"127.0.0.1\",\"port\":" + port + ",\"database\":\"" + DATABASE + "\",\"user\":\""
                + SUPERUSER + "\",\"password\":\"" + superPassword + "\",\"sslmode\":\"disable\"}";
    }

    /** A connection as the superuser, for tests to look at (and set up) what explain must not change. */
    public Connection superuser(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", SUPERUSER);
        properties.setProperty("password", superPassword);
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /** Runs {@code sql} (several statements allowed) as the superuser. */
    public void execute(String database, String sql) {
        try (Connection connection = superuser(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        stopQuietly();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
            hook = null;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
        loadDemo();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private synchronized void stopQuietly() {
        if (dir == null) {
            return;
        }
        Path data = dir.resolve("data");
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                run(
                        List.of(
                                bin().resolve("pg_ctl").toString(),
                                "-D",
                                data.toString(),
                                "-m",
                                "immediate",
                                "-w",
                                "stop"),
                        30,
                        List.of());
            } catch (RuntimeException e) {
                // Leave the directory to the OS's temp cleanup rather than fail a test run's end.
            }
        }
        if (postgres != null) {
            postgres.destroyForcibly();
            try {
                postgres.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
        dir = null;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void chownIfRoot(Path path) throws IOException {
        if (root()) {
            Files.setOwner(path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        }
    }

    /** How a command runs as {@code nobody} when this JVM is root, in the same process (no fork, unlike runuser). */
    private static List<String> asNobody() {
        return root() ? List.of("setpriv", "--reuid=nobody", "--regid=" + nobodyGroup(), "--init-groups", "--")
                : List.of();
    }

    private static String nobodyGroup() {
        try {
            Process id = new ProcessBuilder("id", "-g", "nobody").redirectErrorStream(true).start();
            String gid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (id.waitFor() != 0 || !gid.matches("\\d+")) {
                throw new IllegalStateException("no group for the user nobody: " + gid);
            }
            return gid;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run id", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running id", e);
        }
    }

    private static void run(List<String> command, int timeoutSeconds, List<Path> removeIfKilled) {
        List<String> full = new ArrayList<>(asNobody());
        full.addAll(command);
        try {
            Process process =
                    TiedProcess.start(new ProcessBuilder(full).redirectErrorStream(true), "KILL", removeIfKilled);
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish in " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(Path.of(command.get(0)).getFileName() + " failed ("
                        + process.exitValue() + "): " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }
}
