package dev.chatops.gateway;

import dev.chatops.shared.Metrics;
import dev.chatops.shared.Metrics.Metric;
import java.util.List;
import java.util.Map;

/**
 * The gateway's one metrics document per request: {@code Acks} (1) and {@code AckTime} (from the
 * event's arrival in the handler to its answer), by route ({@code commands}, {@code interactions})
 * and result ({@link Gateway.Ack}). A log line, no API call: the ack is what Slack waits for.
 */
final class AckMetrics {
    static final List<List<String>> DIMENSIONS = List.of(List.of("Route", "Result"));

    private AckMetrics() {
    }

    static void emit(String route, Gateway.Ack ack, double millis) {
        Metrics.emit(Map.of("Route", route, "Result", ack.counted()), DIMENSIONS,
                List.of(Metric.count("Acks", 1), Metric.millis("AckTime", millis)));
    }
}
