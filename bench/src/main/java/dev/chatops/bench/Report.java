package dev.chatops.bench;

import dev.chatops.shared.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The benchmark's rows: printed as a table and written to {@code target/bench/results.json}. */
final class Report {
    record Row(String name, double median, double p90, String unit, int runs, String note) {
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String name, double median, double p90, String unit, int runs, String note) {
        rows.add(new Row(name, median, p90, unit, runs, note));
    }

    /** The size of each function's deployable jar, as {@code sam build} leaves it. */
    void artifacts(Path root) throws IOException {
        try (Stream<Path> modules = Files.list(root.resolve("functions"))) {
            for (Path module : modules.sorted().toList()) {
                Path target = module.resolve("target");
                if (!Files.isDirectory(target)) {
                    continue;
                }
                try (Stream<Path> jars = Files.list(target)) {
                    for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith("-lambda.jar")).toList()) {
                        double mb = Files.size(jar) / 1_000_000.0;
                        add("artifact " + module.getFileName(), mb, mb, "MB", 1, jar.getFileName().toString());
                    }
                }
            }
        }
    }

    void print(Path out) throws IOException {
        System.out.printf("%-62s %10s %10s %-8s %5s  %s%n", "", "median", "p90/p99", "unit", "runs", "");
        List<Map<String, Object>> json = new ArrayList<>();
        for (Row row : rows) {
            System.out.printf("%-62s %10.2f %10.2f %-8s %5d  %s%n", row.name(), row.median(), row.p90(), row.unit(),
                    row.runs(), row.note());
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("name", row.name());
            object.put("median", Math.round(row.median() * 100) / 100.0);
            object.put("p90", Math.round(row.p90() * 100) / 100.0);
            object.put("unit", row.unit());
            object.put("runs", row.runs());
            object.put("note", row.note());
            json.add(object);
        }
        Files.createDirectories(out.getParent());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("machine", machine());
        document.put("jvmFlags", ColdStarts.LAMBDA_JVM);
        document.put("rows", json);
        Files.writeString(out, Json.write(document) + "\n");
        System.out.println("written: " + out);
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch");
    }
}
