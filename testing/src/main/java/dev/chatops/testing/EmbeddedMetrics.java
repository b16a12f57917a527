package dev.chatops.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CloudWatch's embedded metric format, checked as its specification states it ("Specification:
 * Embedded metric format", Amazon CloudWatch User Guide), written from the specification and not
 * from the project's writer: the root is a JSON object with an {@code _aws} member holding a
 * {@code Timestamp} (a number of epoch milliseconds) and {@code CloudWatchMetrics}, an array of
 * directives; a directive has a {@code Namespace} (1 to 255 characters), {@code Dimensions} (an
 * array of dimension sets, each an array of at most 30 names of root members whose values are
 * strings) and {@code Metrics} (at most 100 definitions, each with a {@code Name} of a root member
 * whose value is a number or an array of at most 100 numbers, an optional {@code Unit} of
 * CloudWatch's, an optional {@code StorageResolution} of 1 or 60). Members the specification does
 * not define are refused in the objects it defines.
 */
public final class EmbeddedMetrics {
    /** The units CloudWatch accepts (MetricDatum's Unit). */
    public static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
            "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
            "Terabits/Second", "Count/Second", "None");

    private EmbeddedMetrics() {
    }

    /** The documents among log lines: every line that is a JSON object with an {@code _aws} member. */
    public static List<Map<String, Object>> documentsIn(String logs) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (String line : logs.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("{") || !trimmed.contains("\"_aws\"")) {
                continue;
            }
            try {
                Map<String, Object> document = JSON.std.mapFrom(trimmed);
                if (document != null && document.containsKey("_aws")) {
                    documents.add(document);
                }
            } catch (IOException e) {
                throw new AssertionError("a log line that names _aws is no JSON object: " + trimmed, e);
            }
        }
        return documents;
    }

    /** What in {@code document} breaks the specification; empty when nothing does. */
    public static List<String> violations(Map<String, Object> document) {
        List<String> problems = new ArrayList<>();
        if (!(document.get("_aws") instanceof Map<?, ?> aws)) {
            problems.add("_aws is not an object");
            return problems;
        }
        only(aws, Set.of("Timestamp", "CloudWatchMetrics", "LogGroupName", "LogStreamName"), "_aws", problems);
        if (!(aws.get("Timestamp") instanceof Number timestamp) || timestamp.longValue() <= 0) {
            problems.add("_aws.Timestamp is not a positive number of milliseconds");
        }
        if (!(aws.get("CloudWatchMetrics") instanceof List<?> directives) || directives.isEmpty()) {
            problems.add("_aws.CloudWatchMetrics is not a non-empty array");
            return problems;
        }
        for (Object each : directives) {
            if (!(each instanceof Map<?, ?> directive)) {
                problems.add("a directive is not an object");
                continue;
            }
            directive(directive, document, problems);
        }
        return problems;
    }

    private static void directive(Map<?, ?> directive, Map<String, Object> root, List<String> problems) {
        only(directive, Set.of("Namespace", "Dimensions", "Metrics"), "a directive", problems);
        if (!(directive.get("Namespace") instanceof String namespace) || namespace.isEmpty()
                || namespace.length() > 255) {
            problems.add("Namespace is not a string of 1 to 255 characters");
        }
        if (!(directive.get("Dimensions") instanceof List<?> sets)) {
            problems.add("Dimensions is not an array");
        } else {
            for (Object set : sets) {
                if (!(set instanceof List<?> names) || names.size() > 30) {
                    problems.add("a dimension set is not an array of at most 30 names: " + set);
                    continue;
                }
                for (Object name : names) {
                    if (!(root.get(String.valueOf(name)) instanceof String value) || value.isEmpty()
                            || value.length() > 1024) {
                        problems.add("dimension " + name + " is not a root member with a string value");
                    }
                }
            }
        }
        if (!(directive.get("Metrics") instanceof List<?> metrics) || metrics.size() > 100) {
            problems.add("Metrics is not an array of at most 100 definitions");
            return;
        }
        Set<String> named = new HashSet<>();
        for (Object each : metrics) {
            if (!(each instanceof Map<?, ?> metric)) {
                problems.add("a metric definition is not an object");
                continue;
            }
            only(metric, Set.of("Name", "Unit", "StorageResolution"), "a metric definition", problems);
            Object name = metric.get("Name");
            if (!(name instanceof String text) || text.isEmpty() || text.length() > 255 || !named.add(text)) {
                problems.add("a metric's Name is missing, too long or repeated: " + name);
                continue;
            }
            Object value = root.get(text);
            boolean numbers = value instanceof List<?> list && list.size() <= 100
                    && list.stream().allMatch(Number.class::isInstance);
            if (!(value instanceof Number) && !numbers) {
                problems.add("metric " + text + " is not a root member with a number value");
            }
            if (metric.containsKey("Unit") && !UNITS.contains(String.valueOf(metric.get("Unit")))) {
                problems.add("metric " + text + " has a unit CloudWatch does not know: " + metric.get("Unit"));
            }
            if (metric.containsKey("StorageResolution") && !Set.of(1, 60).contains(metric.get("StorageResolution"))) {
                problems.add("metric " + text + " has a storage resolution other than 1 or 60");
            }
        }
    }

    private static void only(Map<?, ?> object, Set<String> allowed, String what, List<String> problems) {
        for (Object key : object.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                problems.add(what + " has a member the specification does not define: " + key);
            }
        }
    }
}
