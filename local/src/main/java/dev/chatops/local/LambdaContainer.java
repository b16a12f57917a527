package dev.chatops.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.shared.Trace;
import dev.chatops.testing.TiedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One Lambda execution environment: a JVM of its own, started the way Lambda's Java runtime starts
 * it — AWS's runtime interface client ({@code AWSLambda <Handler>}) on the class path, the working
 * directory set to the function's {@code sam build} artifact (the client's class loader reads
 * {@code ./} and {@code ./lib/*.jar} from there, as from {@code /var/task}), the environment the
 * template and Lambda give it and nothing of this process's — and, on a loopback port of its own,
 * the documented Lambda Runtime API it talks to: {@code invocation/next} (which blocks until there
 * is an event), {@code invocation/<id>/response}, {@code invocation/<id>/error},
 * {@code init/error}, and SnapStart's {@code restore/next} and {@code restore/error}.
 *
 * <p>One invocation at a time. An invocation that outlives the function's {@code Timeout} is cut
 * off and the process killed, as Lambda does; the container is then gone, and so is one that
 * fails to initialise or whose process exits.
 */
final class LambdaContainer implements AutoCloseable {
    private static final String API = "/2018-06-01/runtime/";
    /** SnapStart's init may run up to 15 minutes when a version is published; here it is bounded tighter. */
    private static final Duration INIT_LIMIT = Duration.ofSeconds(120);

    /** What the function answered: its payload, or an error as Lambda reports it (functionError "Unhandled"). */
    record Result(byte[] payload, String functionError) {
        boolean failed() {
            return functionError != null;
        }

        static Result error(String type, String message) {
            return new Result(LambdaErrors.body(type, message), "Unhandled");
        }
    }

    /** One event on its way into the container. */
    record Invocation(String requestId, byte[] payload, String invokedArn, String callerTrace,
                      CompletableFuture<Result> result) {
    }

    private final LambdaFunction function;
    private final Consumer<String> log;
    private final HttpServer server;
    private final Process process;
    private final long startedNanos = System.nanoTime();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final SynchronousQueue<Invocation> handoff = new SynchronousQueue<>();
    private volatile Invocation current;
    private volatile long initMillis = -1;

    private LambdaContainer(LambdaFunction function, Consumer<String> log, HttpServer server, Process process) {
        this.function = function;
        this.log = log;
        this.server = server;
        this.process = process;
    }

    /** Starts the environment: its Runtime API first, then the JVM, which initialises the handler. */
    static LambdaContainer start(LambdaFunction function, Path runtimeJars, Consumer<String> log) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "runtime-api-" + function.id());
            thread.setDaemon(true);
            return thread;
        }));
        ProcessBuilder builder = LambdaLaunch.command(function, runtimeJars, server.getAddress().getPort());
        LambdaContainer container;
        try {
            server.start();
            // Tied to this JVM: killed with it, even by kill -9 (see TiedProcess).
            container = new LambdaContainer(function, log, server, TiedProcess.start(builder, "KILL", List.of()));
        } catch (IOException e) {
            server.stop(0);
            throw new UncheckedIOException("cannot start " + function.id(), e);
        }
        server.createContext(API, container::handle);
        LambdaLaunch.pipeOutput(container.process, log, "log-" + function.id());
        container.process.onExit().thenRun(container::exited);
        return container;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Waits until the handler is initialised (the runtime asks for its first event). An init error
     * is thrown as a {@link FunctionError} carrying what Lambda reports.
     */
    void awaitReady() throws FunctionError {
        try {
            ready.get(INIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new FunctionError(Result.error("Runtime.InitTimeout",
                    "Init did not complete within " + INIT_LIMIT.toSeconds() + " s"));
        } catch (ExecutionException e) {
            close();
            throw e.getCause() instanceof FunctionError error ? error
                    : new FunctionError(Result.error("Runtime.Unknown", String.valueOf(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new FunctionError(Result.error("Runtime.Unknown", "interrupted"));
        }
    }

    /**
     * Runs one invocation and returns what the function answered. When it outlives the function's
     * timeout, the process is killed (this container is then unusable) and a timeout is returned.
     */
    Result invoke(Invocation invocation) {
        long started = System.nanoTime();
        log.accept("START RequestId: " + invocation.requestId() + " Version: " + LambdaFunction.VERSION);
        current = invocation;
        Result result;
        try {
            if (!handoff.offer(invocation, 5, TimeUnit.SECONDS)) {
                result = Result.error("Runtime.Unavailable", "the runtime did not ask for the event");
            } else {
                result = invocation.result().get(function.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            close();
            String timedOut = "Task timed out after " + String.format("%.2f", function.timeout().toMillis() / 1000.0)
                    + " seconds";
            log.accept(Instant.now() + " " + invocation.requestId() + " " + timedOut);
            result = Result.error("Sandbox.Timedout", "RequestId: " + invocation.requestId() + " Error: " + timedOut);
            invocation.result().complete(result);
        } catch (ExecutionException e) {
            result = Result.error("Runtime.Unknown", String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = Result.error("Runtime.Unknown", "interrupted");
        } finally {
            current = null;
        }
        double millis = (System.nanoTime() - started) / 1e6;
        log.accept("END RequestId: " + invocation.requestId());
        String init = initMillis >= 0 ? String.format("\tRestore Duration: %d ms", initMillis) : "";
        initMillis = -1;
        log.accept(String.format("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB"
                        + "\tMax Memory Used: %d MB%s", invocation.requestId(), millis, (long) Math.ceil(millis),
                function.memoryMb(), LambdaLaunch.maxMemoryUsedMb(process), init));
        return result;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(API.length());
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("invocation/next")) {
                next(exchange);
            } else if (method.equals("GET") && path.equals("restore/next")) {
                // SnapStart: beforeCheckpoint hooks have run; the "snapshot" is restored at once.
                initMillis = (System.nanoTime() - startedNanos) / 1_000_000;
                respond(exchange, 200, new byte[0]);
            } else if (method.equals("POST") && (path.equals("init/error") || path.equals("restore/error"))) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String type = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
                respond(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
                Result failed = new Result(LambdaErrors.withType(body, type), "Unhandled");
                ready.completeExceptionally(new FunctionError(failed));
            } else if (method.equals("POST") && path.startsWith("invocation/")
                    && (path.endsWith("/response") || path.endsWith("/error"))) {
                String id = path.substring("invocation/".length(), path.lastIndexOf('/'));
                Invocation invocation = current;
                if (invocation == null || !invocation.requestId().equals(id)) {
                    respond(exchange, 400, LambdaErrors.body("InvalidRequestID", "Invalid request ID: " + id));
                    return;
                }
                byte[] body = exchange.getRequestBody().readAllBytes();
                respond(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
                invocation.result().complete(path.endsWith("/response") ? new Result(body, null)
                        : new Result(body, "Unhandled"));
            } else {
                respond(exchange, 404, LambdaErrors.body("NotFound", "no such Runtime API path: " + path));
            }
        }
    }

    /** {@code invocation/next}: blocks until this container is handed an event, then sends it with headers. */
    private void next(HttpExchange exchange) throws IOException {
        ready.complete(null);
        Invocation invocation = null;
        try {
            while (invocation == null) {
                invocation = handoff.poll(1, TimeUnit.SECONDS);
                if (invocation == null && !process.isAlive()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long deadline = System.currentTimeMillis() + function.timeout().toMillis();
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
        exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", invocation.invokedArn());
        exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", traceHeader(invocation));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        respond(exchange, 200, invocation.payload());
    }

    /**
     * The invocation's X-Ray trace header, as Lambda gives it: the caller's trace when the Invoke
     * carried one ({@code X-Amzn-Trace-Id}: same root, this invocation as a new segment under it,
     * the caller's sampling decision), else a trace of its own.
     */
    static String traceHeader(Invocation invocation) {
        String hex = invocation.requestId().replace("-", "");
        if (invocation.callerTrace() != null) {
            Optional<String> root = Trace.rootOf(invocation.callerTrace());
            if (root.isPresent() && root.get().matches("1-[0-9a-f]{8}-[0-9a-f]{24}")) {
                String sampled = invocation.callerTrace().contains("Sampled=1") ? "1" : "0";
                return "Root=" + root.get() + ";Parent=" + hex.substring(0, 16) + ";Sampled=" + sampled;
            }
        }
        return "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + hex.substring(0, 24)
                + ";Sampled=0";
    }

    private void exited() {
        int code = process.exitValue();
        ready.completeExceptionally(new FunctionError(Result.error("Runtime.ExitError",
                "RequestId: init Error: Runtime exited with error: exit status " + code)));
        Invocation invocation = current;
        if (invocation != null) {
            invocation.result().complete(Result.error("Runtime.ExitError", "RequestId: " + invocation.requestId()
                    + " Error: Runtime exited with error: exit status " + code));
        }
        server.stop(0);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(0);
    }

    /** An invocation's or an init's failure, as Lambda reports it. */
    static final class FunctionError extends Exception {
        private final transient Result result;

        FunctionError(Result result) {
            super(new String(result.payload(), StandardCharsets.UTF_8), null, false, false);
            this.result = result;
        }

        Result result() {
            return result;
        }
    }
}
