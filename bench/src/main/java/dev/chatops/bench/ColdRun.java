package dev.chatops.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.chatops.testing.LambdaHandlers;
import dev.chatops.testing.LocalLambdaContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One cold invocation in a fresh JVM, as Lambda's Java runtime does it: load the handler class from
 * the deployment artifact on the class path, construct it (init), deserialise the event with
 * Lambda's own serialisers, invoke once. Prints one line: init and invoke milliseconds, the
 * process's peak resident memory (VmHWM), and what the handler returned.
 */
public final class ColdRun {
    private ColdRun() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Class<?> type = Class.forName(args[0]);
        Object handler = type.getConstructor().newInstance();
        long initialised = System.nanoTime();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        LocalLambdaContext context = new LocalLambdaContext(type.getSimpleName(), Duration.ofSeconds(30));
        String result;
        double deserialiseMs = 0;
        if (handler instanceof RequestStreamHandler stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.handleRequest(new ByteArrayInputStream(event), out, context);
            result = out.toString();
        } else {
            Method method = LambdaHandlers.handleRequest(type);
            long before = System.nanoTime();
            Object input = LambdaEventSerializers.serializerFor(
                            method.getParameterTypes()[0], ColdRun.class.getClassLoader())
                    .fromJson(new ByteArrayInputStream(event));
            deserialiseMs = (System.nanoTime() - before) / 1_000_000.0;
            Object output = method.invoke(handler, input, context);
            result = String.valueOf(output);
        }
        long invoked = System.nanoTime();
        System.out.println("COLD " + (initialised - start) / 1_000_000.0 + " " + (invoked - initialised) / 1_000_000.0
                + " " + peakRssKb() + " " + deserialiseMs + " " + result.replace('\n', ' '));
    }


    private static long peakRssKb() {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : status) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not Linux: no figure
        }
        return -1;
    }
}
