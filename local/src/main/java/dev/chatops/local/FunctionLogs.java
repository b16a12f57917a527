package dev.chatops.local;

import dev.chatops.shared.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code bin/chatops-local up} sends the functions' log lines: every line, whole, to a log
 * file ({@code [Function] line}, as {@code --verbose} prints them), and to the console one short
 * readable line per event — time, function, request id (short), event and the fields that say what
 * happened; START shown, END left out, REPORT summed up as duration and memory. Escape sequences a
 * function prints are removed everywhere, so nothing it writes can restyle or move the terminal.
 *
 * <p>Adds nothing of its own: a line shows only fields the function logged (the functions redact
 * their logs), and never the environment.
 */
final class FunctionLogs implements BiConsumer<String, String>, AutoCloseable {
    /** The fields of a JSON log line that the console shows, in this order; the log file has all of them. */
    static final List<String> SHOWN = List.of("command", "outcome", "reason", "needs", "condition", "instance", "flag",
            "status", "problem", "attempt");

    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-?]*["
            + " -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?|\u001B.?|[\u0000-\u0008\u000B-\u001F\u007F]");
    private static final Pattern REPORT = Pattern.compile("REPORT RequestId: (\\S+)\\tDuration: ([\\d.]+) ms.*?"
            + "Memory Size: (\\d+) MB\\tMax Memory Used: (\\d+) MB(?:\\tRestore Duration: (\\d+) ms)?.*");
    private static final Pattern START = Pattern.compile("START RequestId: (\\S+).*");
    private static final Pattern END = Pattern.compile("END RequestId: \\S+");
    private static final Pattern TIMED_OUT = Pattern.compile("\\S+Z (\\S+) (Task timed out after .*)");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintStream console;
    private final Writer file;
    private final boolean verbose;
    private final boolean ansi;
    private final Clock clock;

    FunctionLogs(PrintStream console, Path file, boolean verbose, boolean ansi, Clock clock) {
        this.console = console;
        this.verbose = verbose;
        this.ansi = ansi;
        this.clock = clock;
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            this.file = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the log file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void accept(String function, String line) {
        String clean = withoutEscapes(line);
        try {
            file.write("[" + function + "] " + clean + "\n");
            file.flush();
        } catch (IOException e) {
            // a full disk does not stop the stack; the console still shows the line
        }
        if (verbose) {
            console.println("[" + function + "] " + clean);
            return;
        }
        String readable = readable(function, clean);
        if (readable != null) {
            console.println(readable);
        }
    }

    /** The console's line for one log line, or null when it shows nothing for it. */
    String readable(String function, String line) {
        if (line.startsWith("{")) {
            Map<String, Object> json;
            try {
                json = Json.readObject(line);
            } catch (IllegalArgumentException e) {
                json = null;
            }
            if (json != null && json.get("event") instanceof String event) {
                return json(function, event, json);
            }
            if (json != null && json.get("_aws") instanceof Map<?, ?> aws) {
                return metrics(function, aws, json);
            }
        }
        String now = time(clock.instant());
        Matcher matcher;
        if ((matcher = START.matcher(line)).matches()) {
            return head(now, function, matcher.group(1)) + "START";
        }
        if (END.matcher(line).matches() || line.startsWith("Picked up JAVA_TOOL_OPTIONS:")) {
            // END says nothing REPORT does not say next; the JVM's JAVA_TOOL_OPTIONS notice is on every cold start.
            return null;
        }
        if ((matcher = REPORT.matcher(line)).matches()) {
            return head(now, function, matcher.group(1)) + "REPORT " + Math.round(Double.parseDouble(matcher.group(2)))
                    + " ms, "
                    + matcher.group(4) + " of " + matcher.group(3) + " MB"
                    + (matcher.group(5) != null ? ", cold start (restore " + matcher.group(5) + " ms)" : "");
        }
        if ((matcher = TIMED_OUT.matcher(line)).matches()) {
            return head(now, function, matcher.group(1)) + colour(matcher.group(2), "31");
        }
        return head(now, function, "") + line;
    }

    private String json(String function, String event, Map<String, Object> json) {
        Instant at;
        try {
            at = Instant.parse(String.valueOf(json.get("ts")));
        } catch (RuntimeException e) {
            at = clock.instant();
        }
        StringBuilder out =
                new StringBuilder(head(time(at), function, String.valueOf(json.getOrDefault("requestId", ""))));
        Object level = json.get("level");
        if ("WARN".equals(level) || "ERROR".equals(level)) {
            out.append(colour(level + " " + event, "WARN".equals(level) ? "33" : "31"));
        } else {
            out.append(event);
        }
        for (String field : SHOWN) {
            if (json.get(field) != null) {
                out.append(' ').append(field).append('=').append(quoted(String.valueOf(json.get(field))));
            }
        }
        if (json.get("error") instanceof String error) {
            // "java.io.IOException: message" → IOException; the message is in the log file
            String type = error.contains(": ") ? error.substring(0, error.indexOf(": ")) : error;
            out.append(" error=").append(type.substring(type.lastIndexOf('.') + 1));
        }
        return out.toString();
    }

    /**
     * A metrics document (CloudWatch's embedded metric format) as one line: {@code [metrics]}, the
     * dimensions of its first set, then each metric with its unit, as CloudWatch will record them.
     */
    private String metrics(String function, Map<?, ?> aws, Map<String, Object> json) {
        Instant at = aws.get("Timestamp") instanceof Number millis ? Instant.ofEpochMilli(millis.longValue())
                : clock.instant();
        StringBuilder out = new StringBuilder(head(time(at), function, "")).append("[metrics]");
        if (aws.get("CloudWatchMetrics") instanceof List<?> directives && !directives.isEmpty()
                && directives.get(0) instanceof Map<?, ?> directive) {
            if (directive.get("Dimensions") instanceof List<?> sets && !sets.isEmpty()
                    && sets.get(0) instanceof List<?> names) {
                for (Object name : names) {
                    out.append(' ').append(name).append('=').append(quoted(String.valueOf(json.get(name))));
                }
            }
            if (directive.get("Metrics") instanceof List<?> metrics) {
                for (Object each : metrics) {
                    if (each instanceof Map<?, ?> metric && json.get(metric.get("Name")) instanceof Number value) {
                        out.append(' ').append(metric.get("Name")).append('=').append(number(value.doubleValue()));
                        if ("Milliseconds".equals(metric.get("Unit"))) {
                            out.append("ms");
                        }
                    }
                }
            }
        }
        return out.toString();
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format("%.1f", value);
    }

    private String head(String time, String function, String requestId) {
        return String.format("%s %-20s %-9s ", time, function, shortId(requestId));
    }

    /**
     * A request id short enough to read and still tell requests apart: sl-1a2b3c (the commands'
     * own), 1a2b3c4d (Lambda's).
     */
    static String shortId(String id) {
        if (id.startsWith("sl-")) {
            return id.substring(0, Math.min(id.length(), 9));
        }
        return id.substring(0, Math.min(id.length(), 8));
    }

    private String time(Instant at) {
        return TIME.withZone(clock.getZone()).format(at);
    }

    private static String quoted(String value) {
        String one = value.replace('\n', ' ');
        return one.isEmpty() || one.contains(" ") ? "\"" + one + "\"" : one;
    }

    private String colour(String text, String code) {
        return ansi ? "\u001B[" + code + "m" + text + "\u001B[39m" : text;
    }

    /** The line without terminal escape sequences and control characters (tabs stay). */
    static String withoutEscapes(String line) {
        return ESCAPES.matcher(line).replaceAll("");
    }

    @Override
    public synchronized void close() {
        try {
            file.close();
        } catch (IOException e) {
            // nothing more to write
        }
    }
}
