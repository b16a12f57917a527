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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bin/chatops-local up} as a process (its entry point, on this build's classpath): it says
 * {@code ready: <url>} when it is, answers a signed command, and SIGTERM stops everything it started.
 */
class LocalStackProcessTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    @Test
    void up_prints_ready_answers_and_stops_moto_on_sigterm() throws Exception {
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
        Process up = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
            String ready = null;
            int motoPort = -1;
            CompletableFuture<Void> drain = null;
            for (String line; (line = readLine(out, up)) != null; ) {
                if (line.startsWith("moto: http://127.0.0.1:")) {
                    motoPort = Integer.parseInt(line.substring("moto: http://127.0.0.1:".length()).split("\\s")[0]);
                }
                if (line.startsWith("ready: ")) {
                    ready = line.substring("ready: ".length());
                    drain = CompletableFuture.runAsync(() -> out.lines().forEach(l -> { }));
                    break;
                }
            }
            assertThat(ready).isEqualTo("http://127.0.0.1:" + port + "/slack/commands");
            assertThat(motoPort).isPositive();

            byte[] body = SlackRequests.formBody(SlackRequests.slashCommand("run whoami", "U0PROC", slack.url("/proc")));
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

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
