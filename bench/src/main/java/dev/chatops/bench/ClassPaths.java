package dev.chatops.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The class paths of the fresh JVMs: the harness Lambda's runtime stands for, Bolt's own, a function's jar. */
final class ClassPaths {
    private ClassPaths() {
    }

    /** Lambda's event serialisation and core, the cold-run harness, nothing of the project's functions. */
    static String harness() {
        return fromOwn(entry -> {
            String name = Path.of(entry).getFileName().toString();
            return name.startsWith("aws-lambda-java-serialization") || name.startsWith("aws-lambda-java-events")
                    || name.startsWith("aws-lambda-java-core") || name.startsWith("chatops-testing")
                    || name.startsWith("joda-time") || entry.endsWith("bench/target/classes")
                    || entry.endsWith("testing/target/classes");
        });
    }

    /** Bolt's own dependencies (Gson, OkHttp, Kotlin, the Slack client), as its deployment would carry them. */
    static String bolt() {
        return fromOwn(entry -> {
            String name = Path.of(entry).getFileName().toString();
            return name.startsWith("bolt-") || name.startsWith("slack-") || name.startsWith("gson-")
                    || name.startsWith("okhttp-") || name.startsWith("okio") || name.startsWith("kotlin-stdlib")
                    || name.startsWith("slf4j-") || name.startsWith("annotations-") || name.startsWith("error_prone");
        });
    }

    /** Lambda's runtime interface client, whose context runs SnapStart's hooks ({@link PrimedRun}). */
    static String runtimeClient() {
        return fromOwn(entry -> Path.of(entry).getFileName().toString()
                .startsWith("aws-lambda-java-runtime-interface-client"));
    }

    /** The deployable jar of {@code functions/<module>}, as {@code sam build} uploads it. */
    static String lambdaJar(Path root, String module) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("functions").resolve(module).resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-lambda.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("build first: no -lambda.jar for " + module))
                    .toString();
        }
    }

    private static String fromOwn(Predicate<String> keep) {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (keep.test(entry)) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
