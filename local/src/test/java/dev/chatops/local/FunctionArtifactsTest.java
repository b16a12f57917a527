package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatops.testing.LocalAws;
import dev.chatops.testing.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** What each deployable jar carries. Runs in `mvn verify`, after the function modules are packaged. */
class FunctionArtifactsTest {
    private static final Path FUNCTIONS = Template.projectRoot().resolve("functions");

    @Test
    void the_gateway_jar_carries_no_dynamodb_jdbc_slack_or_gitlab_client_nor_any_sdk_service_client()
            throws IOException {
        Path jar = lambdaJar("gateway");
        List<String> entries;
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = file.stream().map(ZipEntry::getName).toList();
        }

        assertThat(entries).contains("dev/chatops/gateway/GatewayFunction.class");
        assertThat(entries).noneMatch(e -> e.startsWith("software/amazon/awssdk/services/dynamodb/")
                || e.startsWith("org/postgresql/") || e.startsWith("com/slack/api/") || e.startsWith("okhttp3/")
                || e.startsWith("kotlin/") || e.startsWith("org/apache/http") || e.startsWith("io/netty/")
                || e.startsWith("com/google/gson/") || e.startsWith("software/amazon/awssdk/services/")
                || e.startsWith("software/amazon/awssdk/regions/"));
    }

    @Test
    void command_function_jars_carry_the_slack_model_for_block_kit_but_not_the_slack_client_nor_its_http_stack()
            throws IOException {
        for (String module : List.of("user", "member", "feature", "auto-deploy", "explain", "access-check",
                "link-pages", "failure-notice")) {
            List<String> entries;
            try (JarFile file = new JarFile(lambdaJar(module).toFile())) {
                entries = file.stream().map(ZipEntry::getName).toList();
            }
            assertThat(entries).as(module).contains("com/slack/api/model/block/SectionBlock.class")
                    .noneMatch(e -> e.startsWith("com/slack/api/methods/") || e.startsWith("com/slack/api/util/http/")
                            || e.startsWith("okhttp3/") || e.startsWith("okio/") || e.startsWith("kotlin/"));
        }
    }

    @Test
    void every_function_of_the_template_has_a_jar_with_its_handler() throws IOException {
        for (var function : LocalAws.projectTemplate().functions().values()) {
            String handler = function.handler().split("::")[0];
            String module = moduleOf(handler);
            try (JarFile file = new JarFile(lambdaJar(module).toFile())) {
                assertThat(file.getEntry(handler.replace('.', '/') + ".class")).as(function.logicalId()).isNotNull();
                System.out.printf("artifact: %-24s %-22s %,10d bytes%n", function.logicalId(), module,
                        Files.size(lambdaJar(module)));
            }
        }
    }

    private static String moduleOf(String handlerClass) throws IOException {
        String relative = handlerClass.replace('.', '/') + ".java";
        try (Stream<Path> modules = Files.list(FUNCTIONS)) {
            return modules.filter(m -> Files.exists(m.resolve("src/main/java").resolve(relative)))
                    .map(m -> m.getFileName().toString()).findFirst()
                    .orElseThrow(() -> new AssertionError("no module holds " + handlerClass));
        }
    }

    private static Path lambdaJar(String module) throws IOException {
        Path target = FUNCTIONS.resolve(module).resolve("target");
        assumeTrue(Files.isDirectory(target), "run through `mvn verify`: " + module + " is not packaged yet");
        try (Stream<Path> files = Files.list(target)) {
            Path jar = files.filter(p -> p.getFileName().toString().endsWith("-lambda.jar")).findFirst().orElse(null);
            assumeTrue(jar != null, "run through `mvn verify`: " + module + " has no -lambda.jar yet");
            return jar;
        }
    }
}
