package dev.chatops.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a {@link LambdaContainer}'s JVM is started, and what is read from its process: the command
 * line and environment Lambda's Java runtime gives it, its output as log lines, its peak memory.
 */
final class LambdaLaunch {
    private LambdaLaunch() {
    }

    /** The runtime interface client's JVM for {@code function}, talking to the Runtime API on {@code apiPort}. */
    static ProcessBuilder command(LambdaFunction function, Path runtimeJars, int apiPort) {
        List<String> command = new ArrayList<>();
        if (!function.interactive()) {
            // In Lambda every environment has CPU of its own; on a laptop's few cores, functions no
            // one waits on (invoked asynchronously or by a queue) yield to those that answer an HTTP
            // request within Slack's 3 seconds, so a burst of commands does not starve the gateway.
            // Each environment runs in a session of its own (TiedProcess), and where the kernel
            // groups CPU by session (autogroup) a nice value counts only inside its group: the
            // session's group is lowered too.
            command.addAll(List.of("/bin/sh", "-c",
                    "echo 19 > /proc/self/autogroup 2>/dev/null; exec nice -n 19 \"$@\"", "lambda-nice"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(function.jvmOptions());
        // The runtime client's native library, where Lambda's runtime keeps it (see local/pom.xml).
        command.add(RuntimeClient.nativeLibrary(runtimeJars));
        command.add("-cp");
        command.add(runtimeJars.resolve("*").toString());
        command.add("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
        command.add(function.handler());
        ProcessBuilder builder = new ProcessBuilder(command).directory(function.artifact().toFile())
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(function.environment());
        builder.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + apiPort);
        return builder;
    }

    /** Copies the process's output, line by line, to {@code log}, on a daemon thread named {@code name}. */
    static void pipeOutput(Process process, Consumer<String> log, String name) {
        Thread pipe = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    log.accept(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, name);
        pipe.setDaemon(true);
        pipe.start();
    }

    /** The process's peak resident memory, as Lambda's REPORT line gives it. */
    static long maxMemoryUsedMb(Process process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return 0;
    }
}
