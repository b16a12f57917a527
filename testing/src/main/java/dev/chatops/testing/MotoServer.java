package dev.chatops.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code moto_server} (python moto 5) on a free loopback port: DynamoDB, Secrets Manager
 * and SQS as AWS's APIs answer them, with no account and no Docker. Started as a child process
 * tied to this JVM ({@link TiedProcess}), stopped by {@link #close()}, by a shutdown hook, and,
 * should the JVM be killed, by its watchdog, which also removes its folder (its log, and the
 * {@code sitecustomize.py} that keeps moto from holding on to every object it ever made: a long
 * run of transactions would otherwise exhaust memory).
 */
public final class MotoServer implements AutoCloseable {
    public static final String REGION = "us-east-1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Beside moto's log, on its PYTHONPATH: see the file for why. */
    private static final String SITE = "sitecustomize.py";
    private static final String LOG = "moto.log";

    private final Process process;
    private final int port;
    private final Path folder;
    private final Path log;
    private final Thread hook;

    private MotoServer(Process process, int port, Path folder) {
        this.process = process;
        this.port = port;
        this.folder = folder;
        this.log = folder.resolve(LOG);
        this.hook = new Thread(this::stopProcess, "moto-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts moto_server and waits until it answers; fails naming the install command when it is absent. */
    public static MotoServer start() {
        return start(0);
    }

    /** Starts moto_server on {@code fixedPort}, or on a free port when it is 0. */
    public static MotoServer start(int fixedPort) {
        List<String> launcher = launcher();
        IllegalStateException last = null;
        for (int attempt = 0; attempt < (fixedPort == 0 ? 3 : 1); attempt++) {
            int port = fixedPort == 0 ? FreePort.pick() : fixedPort;
            try {
                Path folder = Files.createTempDirectory("moto-" + port + "-");
                Process process;
                try {
                    copySite(folder);
                    List<String> command = new ArrayList<>(launcher);
                    command.addAll(List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
                    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                            .redirectOutput(folder.resolve(LOG).toFile());
                    String pythonPath = System.getenv("PYTHONPATH");
                    // No __pycache__ beside sitecustomize.py: the folder holds what it was given, and goes.
                    builder.environment().putAll(Map.of("AWS_DEFAULT_REGION", REGION, "PYTHONDONTWRITEBYTECODE", "1",
                            "PYTHONPATH", pythonPath == null || pythonPath.isBlank() ? folder.toString()
                                    : folder + File.pathSeparator + pythonPath));
                    process = TiedProcess.start(builder, "TERM", List.of(folder));
                } catch (IOException | RuntimeException e) {
                    deleteFolder(folder);
                    throw e;
                }
                MotoServer server = new MotoServer(process, port, folder);
                try {
                    server.awaitReady();
                    return server;
                } catch (IllegalStateException e) {
                    server.close();
                    last = e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not start moto_server", e);
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    /** The process id of moto_server. */
    public long pid() {
        return process.pid();
    }

    /** Completes with moto_server's exit status when it has exited, whoever stopped it. */
    public CompletableFuture<Integer> exited() {
        return process.onExit().thenApply(Process::exitValue);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Points the AWS SDK at this server through its standard configuration (the {@code aws.*}
     * system properties that mirror {@code AWS_ENDPOINT_URL}, {@code AWS_REGION} and the
     * credentials variables): the code under test builds its clients as in production.
     */
    public void configureSdk() {
        System.setProperty("aws.endpointUrl", endpoint());
        System.setProperty("aws.region", REGION);
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
    }

    /** Forgets every resource: the next user starts from nothing. */
    public void reset() {
        post("/moto-api/reset", "");
    }

    void post(String path, String json) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + path).toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
            connection.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
            int status = connection.getResponseCode();
            connection.disconnect();
            if (status >= 300) {
                throw new IllegalStateException("moto answered " + status + " to " + path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("moto did not answer " + path, e);
        }
    }

    @Override
    public void close() {
        stopProcess();
        deleteFolder(folder);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down: the hook runs anyway
        }
    }

    private void stopProcess() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        Instant until = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(until)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited: " + tail());
            }
            try {
                HttpURLConnection connection = (HttpURLConnection)
                        URI.create(endpoint() + "/moto-api/").toURL().openConnection();
                connection.setConnectTimeout(500);
                connection.setReadTimeout(2000);
                int status = connection.getResponseCode();
                connection.disconnect();
                if (status == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting moto_server", e);
            }
        }
        throw new IllegalStateException(
                "moto_server did not answer within " + START_TIMEOUT.toSeconds() + " s: " + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void deleteFolder(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // a log left in the temp folder is harmless
        }
    }

    private static void copySite(Path folder) throws IOException {
        try (InputStream site = MotoServer.class.getResourceAsStream(SITE)) {
            if (site == null) {
                throw new IllegalStateException(SITE + " is missing beside " + MotoServer.class.getName());
            }
            Files.copy(site, folder.resolve(SITE));
        }
    }

    private static List<String> launcher() {
        String override = System.getenv("MOTO_SERVER");
        if (override != null && !override.isBlank()) {
            return List.of(override);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "moto_server");
            if (candidate.canExecute()) {
                return List.of(candidate.getAbsolutePath());
            }
        }
        // Where bin/chatops-local up installs it when the system has none.
        File project = Template.projectRoot().resolve(".venv/bin/moto_server").toFile();
        if (project.canExecute()) {
            return List.of(project.getAbsolutePath());
        }
        throw new IllegalStateException(
                "moto_server is not installed: run  bin/chatops-local up  once, or  pip install \"moto[server]\"");
    }
}
