package dev.chatops.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What {@code sam build} does for a function with {@code BuildMethod: makefile}: runs the
 * Makefile's {@code build-<LogicalId>} target with {@code ARTIFACTS_DIR} set to an empty folder,
 * which then holds the deployable artifact ({@code lib/*.jar}, as Lambda lays out
 * {@code /var/task}). Each function is built once per JVM, into {@code local/target/sam-build/},
 * so the Makefile and the artifact's layout are exercised every time the local stack starts.
 */
final class SamBuild {
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private SamBuild() {
    }

    /** The artifact folder of {@code functionId}, built now unless this JVM built it already. */
    static synchronized Path artifact(Path projectRoot, String functionId) {
        Path built = BUILT.get(functionId);
        if (built != null) {
            return built;
        }
        Path dir = projectRoot.resolve("local/target/sam-build").resolve(functionId);
        try {
            deleteRecursively(dir);
            Files.createDirectories(dir);
            List<String> command = new ArrayList<>(List.of(
                    "make",
                    "-s",
                    "-C",
                    projectRoot.toString(),
                    "build-" + functionId,
                    // Offline: the reactor that built this runner resolved every plugin already.
                    "MVN=" + System.getProperty("chatops.mvn", "mvn -o")));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("ARTIFACTS_DIR", dir.toString());
            Process make = builder.start();
            byte[] output = make.getInputStream().readAllBytes();
            if (!make.waitFor(10, TimeUnit.MINUTES) || make.exitValue() != 0) {
                throw new IllegalStateException("sam build of " + functionId + " failed (make build-" + functionId
                        + "):\n" + new String(output, StandardCharsets.UTF_8));
            }
            try (var jars = Files.list(dir.resolve("lib"))) {
                if (jars.noneMatch(p -> p.toString().endsWith(".jar"))) {
                    throw new IllegalStateException(
                            "make build-" + functionId + " left no jar in " + dir.resolve("lib"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sam build of " + functionId + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + functionId, e);
        }
        BUILT.put(functionId, dir);
        return dir;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
