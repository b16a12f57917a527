package dev.chatops.shared;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An HTTP server on the loopback address for SnapStart's priming ({@link Priming}) alone: a
 * function's warm-up sends its sample requests (AWS calls, the reply to Slack) here, through the
 * very code that sends them to AWS and Slack, so that the first real request after a restore
 * finds that code loaded and compiled. Nothing leaves the process: the server answers each request
 * with a canned answer, on 127.0.0.1 and a port of the system's choosing, and is stopped, its
 * connections closed, before the snapshot is taken. The JDK's own server (jdk.httpserver), loaded
 * only while priming.
 */
public final class PrimingServer implements AutoCloseable {
    /** A canned answer: status and JSON body. */
    public record Answer(int status, String body) {
    }

    /** A request the server answered: its method, path and the {@code X-Amz-Target} header, if any. */
    public record Request(String method, String path, String target) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private PrimingServer(HttpServer server) {
        this.server = server;
    }

    /** Starts a server answering each request with {@code answers}' answer to it. */
    public static PrimingServer start(Function<Request, Answer> answers) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        } catch (IOException e) {
            throw new UncheckedIOException("the priming server could not listen on loopback", e);
        }
        PrimingServer priming = new PrimingServer(server);
        server.createContext("/", exchange -> priming.answer(exchange, answers));
        server.start();
        return priming;
    }

    /** {@code http://127.0.0.1:<port>}, no trailing slash. */
    public String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** What it answered so far. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void answer(HttpExchange exchange, Function<Request, Answer> answers) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target")));
            requests.add(request);
            Answer answer = answers.apply(request);
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            // No connection is kept for later: each client closes it, and nothing open goes into the snapshot.
            exchange.getResponseHeaders().putAll(Map.of("Content-Type", List.of("application/json"),
                    "Connection", List.of("close")));
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
