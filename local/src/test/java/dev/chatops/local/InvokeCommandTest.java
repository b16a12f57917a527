package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import dev.chatops.testing.Template;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/chatops-local invoke} as a person runs it, in a process of its own: sam local
 * invoke's arguments, the function's log lines (START, its own, END, REPORT) on standard error and
 * its response alone on standard output, as {@code sam local invoke} prints them.
 */
class InvokeCommandTest {
    @Test
    void invoke_runs_one_function_on_one_event_and_prints_what_sam_local_invoke_prints(@TempDir Path dir)
            throws Exception {
        Path root = Template.projectRoot();
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process invoke = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dchatops.root=" + root,
                        // The artifacts of this build: make's targets copy them without building again.
                        "-Dchatops.mvn=true",
                        Main.class.getName(),
                        "invoke",
                        "UserFunction",
                        "-e",
                        root.resolve("events/user-whoami.json").toString(),
                        "--env-vars",
                        root.resolve("events/env.local.json").toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            assertThat(invoke.waitFor(240, TimeUnit.SECONDS)).as("invoke finished").isTrue();
        } finally {
            invoke.descendants().forEach(ProcessHandle::destroyForcibly);
            invoke.destroyForcibly();
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8).strip();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);

        assertThat(invoke.exitValue()).as(stderr).isZero();
        assertThat(Json.readObject(stdout)).as("standard output is the response alone").containsEntry("status", "done");
        List<String> lines = stderr.lines().toList();
        assertThat(lines)
                .anyMatch(l -> l.startsWith("START RequestId: ") && l.endsWith(" Version: 1"))
                .anyMatch(l -> l.startsWith("END RequestId: "))
                .anyMatch(l -> l.startsWith("REPORT RequestId: ")
                        && l.contains("Duration: ")
                        && l.contains("Memory Size: 1024 MB")
                        && l.contains("Max Memory Used: "))
                .anyMatch(l -> l.startsWith("{\"ts\"") && l.contains("sam-local-whoami"));
        assertThat(stderr).as("only the invoked function's lines").doesNotContain("[GatewayFunction]");
    }

    @Test
    void invoke_names_what_is_wrong_with_its_arguments() throws Exception {
        assertThat(Main.invoke(List.of("NoSuchFunction", "-e", "events/user-whoami.json"))).isEqualTo(2);
        assertThat(Main.invoke(List.of("UserFunction"))).isEqualTo(2);
        assertThat(Main.invoke(List.of("UserFunction", "-e", "no/such/file.json"))).isEqualTo(2);
    }

    @Test
    void env_vars_override_what_the_template_declares_except_what_ties_a_function_to_the_local_stack()
            throws Exception {
        Path root = Template.projectRoot();

        var overrides = Main.envOverrides(root.resolve("events/env.local.json"), "FeatureFunction");

        assertThat(overrides)
                .containsEntry("FEATURE_STAGING_INSTANCE", "staging")
                .containsEntry("REQUESTS_TABLE", "RequestsTable")
                .doesNotContainKeys(
                        "AWS_ENDPOINT_URL", "RESPONSE_URL_ALLOW", "GITLAB_INSTANCES", "SLACK_SIGNING_SECRET_ID");
    }

}
