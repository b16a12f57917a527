package dev.chatops.local;

import dev.chatops.testing.Template;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * AWS's Lambda Java runtime interface client as the local stack runs it: its jars, copied by
 * local/pom.xml, and the JVM flags that wire it up as Lambda's Java runtime does. The benchmark's
 * fresh JVMs use the same ones.
 */
public final class RuntimeClient {
    /**
     * {@code org.crac}'s compatibility switch: hooks registered through {@code org.crac} go to the
     * runtime client's own context, the one its SnapStart path runs.
     */
    public static final String CRAC_COMPAT = "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac";

    private RuntimeClient() {
    }

    /** The runtime client and its jars, copied there by local/pom.xml. */
    public static Path jars() {
        Path dir = Template.projectRoot().resolve("local/target/lambda-runtime");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Lambda's runtime interface client is missing from " + dir
                    + ": run  mvn -B package -DskipTests -pl local -am");
        }
        return dir;
    }

    /** The flag naming the runtime client's native library in {@code jars}, where Lambda's runtime keeps it. */
    public static String nativeLibrary(Path jars) {
        return "-Dcom.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI="
                + jars.resolve("jni").resolve(System.getProperty("os.arch").equals("aarch64")
                ? "libaws-lambda-jni.linux-aarch_64.so" : "libaws-lambda-jni.linux-x86_64.so");
    }
}
