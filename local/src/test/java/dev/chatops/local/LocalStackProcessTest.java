package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.FreePort;
import dev.chatops.testing.SlackRequests;
import dev.chatops.testing.Template;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/chatops-local up} as a process (its entry point, on this build's classpath): it says
 * {@code ready: <url>} when it is, answers a signed command, shows the functions' events as one
 * readable line each and keeps their JSON lines in the log file it names, and SIGTERM stops
 * everything it started.
 */
class LocalStackProcessTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    @Test
    void up_prints_ready_answers_shows_readable_log_lines_and_stops_moto_on_sigterm(@TempDir Path dir)
            throws Exception {
        int port = FreePort.pick();
        ProcessBuilder builder = new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"),
                "-Dchatops.root=" + Template.projectRoot(),
                // The artifacts of this build: make's targets copy them without building again.
                "-Dchatops.mvn=true",
                Main.class.getName(), "up")
                .redirectErrorStream(true);
        builder.environment().put(Main.PORT, Integer.toString(port));
        builder.environment().put(Main.SIGNING_SECRET, "process-test-secret");
        Path logFile = dir.resolve("chatops-local.log");
        builder.environment().put(Main.LOG, logFile.toString());
        Process up = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
            String ready = null;
            int motoPort = -1;
            String logsAt = null;
            CompletableFuture<Void> drain = null;
            List<String> console = new CopyOnWriteArrayList<>();
            for (String line; (line = readLine(out, up)) != null; ) {
                if (line.startsWith("function logs: ")) {
                    logsAt = line.substring(line.lastIndexOf(' ') + 1);
                }
                if (line.startsWith("moto: http://127.0.0.1:")) {
                    motoPort = Integer.parseInt(line.substring("moto: http://127.0.0.1:".length()).split("\\s")[0]);
                }
                if (line.startsWith("ready: ")) {
                    ready = line.substring("ready: ".length());
                    drain = CompletableFuture.runAsync(() -> out.lines().forEach(console::add));
                    break;
                }
            }
            assertThat(ready).isEqualTo("http://127.0.0.1:" + port + "/slack/commands");
            assertThat(motoPort).isPositive();
            assertThat(logsAt).isEqualTo(logFile.toString());

            byte[] body =
                    SlackRequests.formBody(SlackRequests.slashCommand("run whoami", "U0PROC", slack.url("/proc")));
            long now = Instant.now().getEpochSecond();
            HttpResponse<String> ack = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ready))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Slack-Request-Timestamp", Long.toString(now))
                    .header("X-Slack-Signature", SlackRequests.sign("process-test-secret", now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ack.statusCode()).isEqualTo(200);
            List<CaptureServer.Post> replies = slack.awaitPosts("/proc", 1, Duration.ofSeconds(30));
            assertThat(replies).hasSize(1);
            assertThat(CaptureServer.textOf(replies.get(0))).contains("<@U0PROC>");

            // HH:MM:SS, the function, the command's request id (short), the event and what happened.
            Pattern done = Pattern.compile(
                    "\\d\\d:\\d\\d:\\d\\d UserFunction +sl-[0-9a-f]{6} command\\.done command=whoami outcome=ok");
            Pattern report = Pattern.compile(
                    "\\d\\d:\\d\\d:\\d\\d UserFunction +[0-9a-f]{8} +REPORT \\d+ ms, \\d+ of 1024 MB.*");
            assertThat(awaitLine(console, done) && awaitLine(console, report)).as(String.join("\n", console)).isTrue();
            assertThat(console).as("no JSON on the console").noneMatch(l -> l.contains("{\""));
            assertThat(Files.readAllLines(logFile)).anyMatch(l -> l.startsWith("[UserFunction] {\"ts\":")
                    && l.contains("\"event\":\"command.done\"") && l.contains("\"command\":\"whoami\""));

            up.destroy();
            assertThat(up.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(listening(motoPort)).as("moto stopped with the stack").isFalse();
            assertThat(listening(port)).as("HTTP API stopped").isFalse();
            if (drain != null) {
                drain.cancel(true);
            }
        } finally {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader out, Process process) throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until) {
            if (out.ready()) {
                return out.readLine();
            }
            if (!process.isAlive()) {
                return out.readLine();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * Whether a line matching {@code pattern} reaches the console within 30 s (the reply is posted
     * before the last log line).
     */
    private static boolean awaitLine(List<String> console, Pattern pattern) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            if (console.stream().anyMatch(l -> pattern.matcher(l).matches())) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
