package dev.chatops.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One function of the template as the local stack runs it: its handler, its {@code sam build}
 * artifact, its memory and timeout, the environment the template gives it, the execution role
 * its AWS requests are authorised against, and whether someone waits on its answer (an HTTP route).
 */
record LambdaFunction(String id, String handler, Path artifact, int memoryMb, Duration timeout,
                      Map<String, String> environment, String role, boolean interactive) {
    /** SnapStart runs published versions; the template's alias {@code live} points at one. */
    static final String VERSION = "1";
    static final String ACCOUNT = "123456789012";

    /** Without the environment, which holds the function's credentials token. */
    @Override
    public String toString() {
        return "LambdaFunction[" + id + ", " + handler + ", " + memoryMb + " MB, " + timeout + ", role " + role + "]";
    }

    String arn() {
        return "arn:aws:lambda:" + LocalRegion.NAME + ":" + ACCOUNT + ":function:" + id;
    }

    /**
     * The JVM options Lambda's Java runtime starts a function with (as its {@code /var/lang/bin/java}
     * command line shows them): the heap at 85 % of {@code MemorySize}, the serial collector, class
     * data sharing, tiered compilation stopped at C1, and {@code org.crac}'s compatibility switch
     * that hands hooks registered through {@code org.crac} to the runtime client's own context —
     * the one its SnapStart path runs. The template's {@code JAVA_TOOL_OPTIONS} come on top through
     * the environment, as in Lambda.
     */
    List<String> jvmOptions() {
        return List.of("-XX:MaxHeapSize=" + memoryMb * 1024L * 85 / 100 + "k", "-XX:+UseSerialGC", "-Xshare:auto",
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "--add-opens=java.base/java.io=ALL-UNNAMED",
                RuntimeClient.CRAC_COMPAT, "-XX:+ErrorFileToStderr");
    }
}
