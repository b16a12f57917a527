package dev.chatops.shared;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics in CloudWatch's embedded metric format (EMF): one JSON document per log line, which
 * CloudWatch Logs turns into metrics as it ingests the function's log. No API call on the hot path,
 * no library: a document is a map written with {@link Json}. docs/observability.md lists the
 * metrics, their dimensions and the alarms on them.
 *
 * <p>The format's rules kept here: {@code _aws.Timestamp} in epoch milliseconds; one directive with
 * the namespace, dimension sets naming only members whose values are strings (at most 30 names a set,
 * values at most 1,024 characters) and metrics naming only members whose values are numbers (at most
 * 100); no member named twice.
 */
public final class Metrics {
    /** The CloudWatch namespace of every metric of this project. */
    public static final String NAMESPACE = "ChatOps";
    static final int MAX_DIMENSION_VALUE = 1024;

    /** A unit CloudWatch knows, as the format spells it. */
    public enum Unit {
        COUNT("Count"),
        MILLISECONDS("Milliseconds");

        private final String spelled;

        Unit(String spelled) {
            this.spelled = spelled;
        }
    }

    /** One metric of a document: its name, value and unit. */
    public record Metric(String name, double value, Unit unit) {
        public static Metric count(String name, long value) {
            return new Metric(name, value, Unit.COUNT);
        }

        public static Metric millis(String name, double value) {
            return new Metric(name, value, Unit.MILLISECONDS);
        }
    }

    private Metrics() {
    }

    /**
     * Writes one document: {@code metrics} under each of {@code dimensionSets} (lists of names of
     * {@code dimensions}). Dimension values are cut to the format's limit and never empty.
     */
    public static void emit(Map<String, String> dimensions, List<List<String>> dimensionSets, List<Metric> metrics) {
        Log.line(Json.write(document(dimensions, dimensionSets, metrics, Clock.systemUTC())));
    }

    /** The document {@link #emit} writes, at {@code clock}'s time. */
    static Map<String, Object> document(Map<String, String> dimensions, List<List<String>> dimensionSets,
                                        List<Metric> metrics, Clock clock) {
        for (List<String> set : dimensionSets) {
            if (!dimensions.keySet().containsAll(set)) {
                throw new IllegalArgumentException("dimension set " + set + " names a dimension not given");
            }
        }
        Map<String, Object> document = new LinkedHashMap<>();
        List<Map<String, Object>> definitions = new ArrayList<>();
        for (Metric metric : metrics) {
            definitions.add(Map.of("Name", metric.name(), "Unit", metric.unit().spelled));
        }
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", NAMESPACE);
        directive.put("Dimensions", dimensionSets);
        directive.put("Metrics", definitions);
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", clock.millis());
        aws.put("CloudWatchMetrics", List.of(directive));
        document.put("_aws", aws);
        dimensions.forEach((name, value) -> document.put(name, dimensionValue(value)));
        for (Metric metric : metrics) {
            if (document.containsKey(metric.name())) {
                throw new IllegalArgumentException(metric.name() + " is both a dimension and a metric");
            }
            document.put(metric.name(), metric.value());
        }
        return document;
    }

    private static String dimensionValue(String value) {
        if (value == null || value.isBlank()) {
            return "none";
        }
        return value.length() <= MAX_DIMENSION_VALUE ? value : value.substring(0, MAX_DIMENSION_VALUE);
    }
}
