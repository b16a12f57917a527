package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.FreePort;
import dev.chatops.testing.PostgresServer;
import dev.chatops.testing.SlackRequests;
import dev.chatops.testing.Template;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bin/chatops-local up}'s processes live no longer than it: killed with {@code kill -9}
 * (no shutdown hook runs), moto, PostgreSQL, the functions' JVMs and the temporary files go within
 * seconds; and a part that dies under it (moto) stops it with one sentence and a non-zero exit.
 */
class LocalStackLifetimeTest {
    private static final String SECRET = "lifetime-test-secret";

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private final List<String> output = new CopyOnWriteArrayList<>();
    /** Every process {@code up} started, with its start time (so that a reused pid is not taken for it). */
    private final Map<Long, String> descendants = new LinkedHashMap<>();
    private Path tmp;
    private Process up;

    @BeforeEach
    void startUp() throws IOException, InterruptedException {
        // Its own temporary directory, readable by PostgreSQL's user when the tests run as root.
        tmp = Files.createTempDirectory("chatops-lifetime", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        int port = FreePort.pick();
        ProcessBuilder builder = new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"),
                "-Dchatops.root=" + Template.projectRoot(),
                "-Dchatops.mvn=true",
                "-Djava.io.tmpdir=" + tmp,
                Main.class.getName(), "up")
                .redirectErrorStream(true);
        builder.environment().put(Main.PORT, Integer.toString(port));
        builder.environment().put(Main.SIGNING_SECRET, SECRET);
        up = builder.start();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader out =
                            new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
                        out.lines().forEach(output::add);
                    } catch (IOException | UncheckedIOException closed) {
                        // up is gone
                    }
                },
                "up-output");
        reader.setDaemon(true);
        reader.start();
        await(Duration.ofSeconds(180), () -> output.stream().anyMatch(l -> l.startsWith("ready: ")) || !up.isAlive());
        assertThat(output)
                .as("up's output")
                .anyMatch(l -> l.equals("ready: http://127.0.0.1:" + port + "/slack/commands"));
    }

    @AfterEach
    void killEverything() throws IOException {
        // Whatever the test found, nothing it started stays behind.
        if (up != null) {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
        descendants.forEach((pid, started) -> {
            if (alive(pid, started)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        });
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void after_kill_9_of_up_no_process_it_started_and_none_of_its_temporary_files_remain() throws Exception {
        // A command first, so that the functions' execution environments run too.
        byte[] body = SlackRequests.formBody(SlackRequests.slashCommand("run whoami", "U0LIFE", slack.url("/life")));
        long now = Instant.now().getEpochSecond();
        String ready = output.stream().filter(l -> l.startsWith("ready: ")).findFirst().orElseThrow().substring(7);
        HttpResponse<String> ack = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ready))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(now))
                .header("X-Slack-Signature", SlackRequests.sign(SECRET, now, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(slack.awaitPosts("/life", 1, Duration.ofSeconds(60))).hasSize(1);
        recordDescendants();
        assertThat(commandLines()).as("up's processes").anyMatch(c -> c.contains("moto_server"))
                .anyMatch(c -> c.contains("AWSLambda"));
        if (PostgresServer.available()) {
            assertThat(commandLines()).as("up's processes").anyMatch(c -> c.contains("postgres -D"));
        }
        assertThat(entries(tmp)).as("up's temporary files").isNotEmpty();

        ProcessHandle.of(up.pid()).orElseThrow().destroyForcibly();
        assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();

        await(Duration.ofSeconds(20), () -> survivors().isEmpty() && entries(tmp).isEmpty());
        assertThat(survivors()).as("processes of up still alive after kill -9").isEmpty();
        assertThat(entries(tmp)).as("up's temporary files after kill -9").isEmpty();
    }

    @Test
    void when_moto_dies_up_says_so_in_one_line_stops_everything_and_exits_non_zero() throws Exception {
        recordDescendants();
        long moto = descendants.keySet().stream().filter(pid -> commandLine(pid).contains("moto_server")).findFirst()
                .orElseThrow();
        ProcessHandle.of(moto).orElseThrow().destroyForcibly();

        assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up stopped").isTrue();
        assertThat(up.exitValue()).isNotZero();
        await(Duration.ofSeconds(5), () -> output.stream().anyMatch(l -> l.startsWith("stopped:")));
        assertThat(output)
                .contains("chatops-local: moto_server (pid " + moto + ") exited with status 137; stopping the stack");
        await(Duration.ofSeconds(20), () -> survivors().isEmpty() && entries(tmp).isEmpty());
        assertThat(survivors()).as("processes of up still alive after it stopped").isEmpty();
        assertThat(entries(tmp)).as("up's temporary files after it stopped").isEmpty();
    }

    private void recordDescendants() {
        up.descendants().forEach(p -> {
            String started = startTime(p.pid());
            if (started != null) {
                descendants.put(p.pid(), started);
            }
        });
    }

    private List<String> commandLines() {
        return descendants.keySet().stream().map(LocalStackLifetimeTest::commandLine).toList();
    }

    /** The recorded processes still running (a zombie, dead but not yet reaped, is not running). */
    private List<String> survivors() {
        return descendants.entrySet().stream().filter(e -> alive(e.getKey(), e.getValue()))
                .map(e -> e.getKey() + " " + commandLine(e.getKey())).toList();
    }

    /** Field 22 of /proc/PID/stat, the process's start time; null when it is gone. */
    private static String startTime(long pid) {
        String[] fields = stat(pid);
        return fields == null ? null : fields[19];
    }

    private static boolean alive(long pid, String started) {
        String[] fields = stat(pid);
        return fields != null && !fields[0].equals("Z") && fields[19].equals(started);
    }

    /** The fields of /proc/PID/stat after the command's name: state first. */
    private static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(100);
        }
    }
}
