package dev.chatops.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A loopback HTTP server standing in for Slack's response_url: records every POST and answers
 * {@code 200 ok} as Slack does, or what a test scripts ({@code 500}, {@code 429} with
 * Retry-After, a hang). As a JUnit extension ({@code @RegisterExtension static}) it starts before
 * the class, forgets what it saw before each test and stops after the class.
 */
public final class CaptureServer implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    /** One recorded POST. */
    public record Post(String path, Map<String, String> headers, String body, String rawPath) {
        /** The body as a JSON object. */
        public Map<String, Object> json() {
            try {
                return JSON.std.mapFrom(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A scripted answer. */
    public record Answer(int status, Map<String, String> headers, String body, Duration delay) {
        public static Answer status(int status) {
            return new Answer(status, Map.of(), status == 200 ? "ok" : "error", Duration.ZERO);
        }

        public static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body, Duration.ZERO);
        }

        public static Answer tooManyRequests(int retryAfterSeconds) {
            return new Answer(
                    429, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), "rate_limited", Duration.ZERO);
        }

        public static Answer hang(Duration delay) {
            return new Answer(200, Map.of(), "ok", delay);
        }
    }

    private final Map<String, Runnable> hooks = new ConcurrentHashMap<>();
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final Deque<Answer> script = new ConcurrentLinkedDeque<>();
    private final Map<String, Deque<Answer>> pathScripts = new ConcurrentHashMap<>();
    private final Object arrived = new Object();
    private volatile Answer fallback = Answer.status(200);
    private HttpServer server;
    private ExecutorService executor;

    public CaptureServer start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a loopback port", e);
        }
        executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "capture-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** A URL on this server, for use as a request's response_url. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + (path.startsWith("/") ? path : "/" + path);
    }

    /** The next answers to posts to {@code path} alone, before any other script. */
    public void answerNextOn(String path, Answer... answers) {
        pathScripts.computeIfAbsent(path, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(answers));
    }

    /** Runs {@code action} when the next post to {@code path} arrives, before answering it. */
    public void onNextPostTo(String path, Runnable action) {
        hooks.put(path, action);
    }

    /** What it answers when nothing is scripted (200 ok unless told otherwise). */
    public void answerByDefault(Answer answer) {
        fallback = answer;
    }

    /** The next answers, in order; after them it answers the default again. */
    public void answerNext(Answer... answers) {
        script.addAll(List.of(answers));
    }

    public List<Post> posts() {
        return List.copyOf(posts);
    }

    public List<Post> postsTo(String path) {
        return posts.stream().filter(p -> p.path().equals(path)).toList();
    }

    /** Waits until at least {@code count} posts arrived to {@code path}, or the timeout passed; returns them. */
    public List<Post> awaitPosts(String path, int count, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (arrived) {
            while (postsTo(path).size() < count) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    arrived.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return postsTo(path);
    }

    public void clear() {
        posts.clear();
        script.clear();
        pathScripts.clear();
        hooks.clear();
        fallback = Answer.status(200);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            Deque<Answer> own = pathScripts.get(exchange.getRequestURI().getPath());
            Answer answer = own == null ? null : own.poll();
            if (answer == null) {
                answer = script.poll();
            }
            if (answer == null) {
                answer = fallback;
            }
            if ("POST".equals(exchange.getRequestMethod())) {
                Runnable hook = hooks.remove(exchange.getRequestURI().getPath());
                if (hook != null) {
                    hook.run();
                }
                posts.add(new Post(
                        exchange.getRequestURI().getPath(),
                        headers,
                        body,
                        exchange.getRequestURI().getRawPath()));
                synchronized (arrived) {
                    arrived.notifyAll();
                }
            }
            if (!answer.delay().isZero()) {
                try {
                    Thread.sleep(answer.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Keys that say how a message is built or answered, never shown to a person. */
    private static final Set<String> NOT_SHOWN = Set.of("type", "response_type", "action_id",
            "block_id", "callback_id", "style", "color", "mrkdwn_in");

    /**
     * Everything Slack can show of a post, for assertions on what a person reads or must never
     * read: the texts of its blocks (sections and their fields, headers, context elements, a
     * button's text and URL, an image and its alt text), of its attachments (fallback, pretext,
     * title and link, text, fields, footer), and its top-level {@code text}, which Slack shows in
     * notifications even when the message has blocks. Every string but the few structural keys of
     * {@code NOT_SHOWN}; a top-level text equal to one already read is not repeated.
     */
    public static String textOf(Post post) {
        List<String> texts = new ArrayList<>();
        Map<String, Object> json = post.json();
        collectShown(json.get("blocks"), texts);
        collectShown(json.get("attachments"), texts);
        if (json.get("text") instanceof String text && !texts.contains(text)) {
            texts.add(text);
        }
        return String.join("\n", texts);
    }

    /** A button of a post, as Slack draws it and sends it back when clicked. */
    public record Button(String text, String actionId, String value, String style, String url,
                         Map<String, Object> confirm) {
        /** The confirmation dialog's texts (title, text, confirm, deny), empty when the button has none. */
        public String confirmText() {
            List<String> texts = new ArrayList<>();
            collectShown(confirm, texts);
            return String.join("\n", texts);
        }
    }

    /** Every button of a post's actions blocks, in order. */
    @SuppressWarnings("unchecked")
    public static List<Button> buttonsOf(Post post) {
        List<Button> buttons = new ArrayList<>();
        if (!(post.json().get("blocks") instanceof List<?> blocks)) {
            return buttons;
        }
        for (Object block : blocks) {
            if (block instanceof Map<?, ?> map && "actions".equals(map.get("type"))
                    && map.get("elements") instanceof List<?> elements) {
                for (Object element : elements) {
                    if (element instanceof Map<?, ?> e && "button".equals(e.get("type"))) {
                        Map<String, Object> text = (Map<String, Object>) e.get("text");
                        buttons.add(new Button(text == null ? "" : String.valueOf(text.get("text")),
                                (String) e.get("action_id"), (String) e.get("value"), (String) e.get("style"),
                                (String) e.get("url"), e.get("confirm") == null ? Map.of()
                                        : (Map<String, Object>) e.get("confirm")));
                    }
                }
            }
        }
        return buttons;
    }

    private static void collectShown(Object node, List<String> texts) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getValue() instanceof String value) {
                    if (!NOT_SHOWN.contains(String.valueOf(entry.getKey()))) {
                        texts.add(value);
                    }
                } else {
                    collectShown(entry.getValue(), texts);
                }
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                collectShown(item, texts);
            }
        }
    }
}
