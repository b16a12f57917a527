package dev.chatops.bench;

import java.util.Arrays;

/** Percentiles of a benchmark's samples: nearest rank, as the report's p50/p90/p99 columns read. */
final class Stats {
    private Stats() {
    }

    static double median(double[] values) {
        return p(values, 50);
    }

    static double p(double[] values, int percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
