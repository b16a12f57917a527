package dev.chatops.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The loopback HTTP server of the {@link GitLabStandIn}: it listens, hands every request to the
 * router on a daemon thread of its own, and publishes the base URL in {@link StandInState#baseUrl}
 * while it listens. Its own lock: starting and stopping never wait for a request being handled.
 */
final class StandInServer {
    private final Object lifecycle = new Object();
    private final StandInState state;
    private final HttpHandler handler;
    private HttpServer server;
    private ExecutorService executor;

    StandInServer(StandInState state, HttpHandler handler) {
        this.state = state;
        this.handler = handler;
    }

    /** Starts listening on 127.0.0.1:{@code port} (0 for a free one) unless it already listens. */
    void listen(int port) {
        synchronized (lifecycle) {
            if (server != null) {
                return;
            }
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 50);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open loopback port " + port, e);
            }
            executor = Executors.newCachedThreadPool(r -> {
                Thread thread = new Thread(r, "gitlab-stand-in");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext("/", handler);
            server.start();
            state.baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        }
    }

    void close() {
        synchronized (lifecycle) {
            if (server != null) {
                server.stop(0);
                executor.shutdownNow();
                server = null;
                state.baseUrl = null;
            }
        }
    }
}
