package dev.chatops.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * Captures everything a test class prints (the functions' JSON logs go to standard output) and
 * fails the class if any secret it knows of appears: the signing secrets, GitLab tokens and OAuth
 * secrets tests use, and whatever a test hands to {@link #watch} (OAuth codes, link codes). A
 * class that ran and logged nothing fails too (the capture would prove nothing); a class skipped
 * as a whole does not.
 */
public final class SecretsNotLogged implements BeforeAllCallback, AfterAllCallback {
    private static final Set<String> WATCHED = ConcurrentHashMap.newKeySet();
    private static final List<String> KNOWN = List.of(
            MotoExtension.SIGNING_SECRET,
            MotoExtension.GITLAB_TOKEN,
            MotoExtension.GITLAB_READ_TOKEN,
            MotoExtension.OAUTH_CLIENT_SECRET,
            "e2e-signing-secret",
            "load-test-secret",
            "browser-test-secret",
            "glpat-local-admin-token",
            "glpat-local-read-token",
            "local-oauth-secret",
            "chatops-local-dev-signing-secret");
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SecretsNotLogged.class);

    /** Also fail if {@code secret} is printed by this test class. */
    public static void watch(String secret) {
        if (secret != null && secret.length() >= 6) {
            WATCHED.add(secret);
        }
    }

    private record Capture(PrintStream out, PrintStream err, ByteArrayOutputStream bytes) {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Capture capture = new Capture(System.out, System.err, bytes);
        System.setOut(new PrintStream(new Tee(capture.out(), bytes), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(capture.err(), bytes), true, StandardCharsets.UTF_8));
        context.getStore(NAMESPACE).put("capture", capture);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Capture capture = context.getStore(NAMESPACE).remove("capture", Capture.class);
        System.setOut(capture.out());
        System.setErr(capture.err());
        String printed;
        synchronized (capture.bytes()) {
            printed = capture.bytes().toString(StandardCharsets.UTF_8);
        }
        for (String secret : KNOWN) {
            if (printed.contains(secret)) {
                throw new AssertionError(
                        "a secret was printed by " + context.getDisplayName() + ": " + secret.substring(0, 3) + "…");
            }
        }
        for (String secret : WATCHED) {
            if (printed.contains(secret)) {
                throw new AssertionError("a watched secret was printed by " + context.getDisplayName());
            }
        }
        WATCHED.clear();
        if (context.getExecutionException().filter(e -> e instanceof TestAbortedException).isPresent()) {
            // The class was skipped (an assumption in @BeforeAll: a tool this machine lacks): it ran
            // nothing, so there is nothing to have logged, and a skip must stay a skip.
            return;
        }
        // A function's JSON log line, from this JVM or (after its name) from the local stack's execution environments.
        if (printed.lines().noneMatch(line -> line.matches("^(\\[[A-Za-z]+] )?\\{\"ts\".*"))) {
            // Nothing was logged at all: the capture would prove nothing.
            throw new AssertionError(
                    context.getDisplayName() + " logged nothing: SecretsNotLogged checks nothing there");
        }
    }

    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream original, ByteArrayOutputStream copy) {
            this.original = original;
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            synchronized (copy) {
                copy.write(b);
            }
            try {
                original.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (copy) {
                copy.write(b, off, len);
            }
            try {
                original.write(b, off, len);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void flush() throws IOException {
            original.flush();
        }
    }
}
