package dev.chatops.shared;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON-lines logs on standard output (CloudWatch takes one line as one event), each carrying the
 * request id of the thread's current request. Written here rather than with a logging framework
 * because the gateway's cold start cannot afford one, and a line of JSON is all we need.
 *
 * <p>Never pass a secret's value. As a second line of defence, every text written (field values,
 * error messages, stack traces) goes through {@link Redactor#redactText}: an exception whose
 * message quotes a connection string or a token does not carry it into the logs.
 */
public final class Log {
    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();
    /** Set while the thread runs {@link #quietly}. */
    private static final ThreadLocal<Boolean> QUIET = ThreadLocal.withInitial(() -> false);
    /** Where lines go; null: whatever System.out is at the time (so a test that captures it sees them). */
    private static volatile PrintStream out;

    private Log() {
    }

    /** Marks the current thread's work as belonging to {@code requestId} until {@link #clearRequest()}. */
    public static void forRequest(String requestId) {
        REQUEST_ID.set(requestId);
    }

    public static void clearRequest() {
        REQUEST_ID.remove();
    }

    public static void info(String event, Object... fields) {
        write("INFO", event, null, fields);
    }

    public static void warn(String event, Object... fields) {
        write("WARN", event, null, fields);
    }

    public static void error(String event, Throwable error, Object... fields) {
        write("ERROR", event, error, fields);
    }

    /** For tests that read what was logged; {@code System.out} puts it back. */
    public static void redirect(PrintStream stream) {
        out = stream == System.out ? null : stream;
    }

    /**
     * Runs {@code work} with every line the current thread writes meanwhile, metrics included,
     * dropped: for SnapStart's priming ({@link Priming}), whose sample requests are nobody's and must
     * not reach CloudWatch. Other threads' lines are written as ever.
     */
    public static void quietly(Runnable work) {
        boolean before = QUIET.get();
        QUIET.set(true);
        try {
            work.run();
        } finally {
            QUIET.set(before);
        }
    }

    /** A line written as it is (a metrics document, {@link Metrics}), where every log line goes. */
    static void line(String json) {
        if (QUIET.get()) {
            return;
        }
        PrintStream target = out != null ? out : System.out;
        synchronized (target) {
            target.println(json);
        }
    }

    private static void write(String level, String event, Throwable error, Object... fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", Instant.now().toString());
        line.put("level", level);
        String requestId = REQUEST_ID.get();
        if (requestId != null) {
            line.put("requestId", requestId);
        }
        line.put("event", event);
        Trace.root().ifPresent(root -> line.put("trace", root));
        for (int i = 0; i + 1 < fields.length; i += 2) {
            Object value = fields[i + 1];
            line.put(String.valueOf(fields[i]), value == null || value instanceof Number || value instanceof Boolean
                    ? value : Redactor.redactText(String.valueOf(value)));
        }
        if (error != null) {
            line.put("error", Redactor.redactText(error.getClass().getName() + ": " + error.getMessage()));
            line.put("stack", Redactor.redactText(stackOf(error)));
        }
        line(Json.write(line));
    }

    private static String stackOf(Throwable error) {
        StringBuilder stack = new StringBuilder();
        Throwable current = error;
        int depth = 0;
        while (current != null && depth++ < 5) {
            if (depth > 1) {
                stack.append("caused by ").append(current.getClass().getName()).append(": ")
                        .append(current.getMessage()).append('\n');
            }
            StackTraceElement[] frames = current.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, 12); i++) {
                stack.append("  at ").append(frames[i]).append('\n');
            }
            current = current.getCause();
        }
        return stack.toString();
    }
}
