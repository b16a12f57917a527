package dev.chatops.bench;

import com.amazonaws.services.lambda.crac.Context;
import com.amazonaws.services.lambda.crac.Core;
import com.amazonaws.services.lambda.crac.Resource;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.api.client.runtimeapi.JniHelper;
import dev.chatops.testing.LocalLambdaContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One function as SnapStart runs it, in a fresh JVM: init (the handler constructed), then the
 * runtime interface client's {@code beforeCheckpoint} hooks (the function's priming, handed over by
 * {@code org.crac}'s compatibility switch as in Lambda) and {@code afterRestore} hooks, then two
 * invocations: the first, which a person waits for after a restore, and the second, warm. With
 * {@code unprimed} first, the hooks are skipped. No snapshot is taken: the figures leave out the
 * restore itself. Prints {@code PRIMED hooks-ms first-ms second-ms first-answer}.
 */
public final class PrimedRun {
    private PrimedRun() {
    }

    /** Arguments: primed|unprimed, the handler class, the first event's file, the second's. */
    public static void main(String[] args) throws Exception {
        boolean primed = args[0].equals("primed");
        JniHelper.load();
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[1]).getConstructor().newInstance();
        long initialised = System.nanoTime();
        if (primed) {
            Context<Resource> context = Core.getGlobalContext();
            context.beforeCheckpoint(null);
            context.afterRestore(null);
        }
        long hooked = System.nanoTime();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        double first = invoke(handler, args[2], answer);
        double second = invoke(handler, args[3], new ByteArrayOutputStream());
        System.out.println("PRIMED " + (hooked - initialised) / 1_000_000.0 + " " + first + " " + second + " "
                + answer.toString().replace('\n', ' '));
    }

    private static double invoke(RequestStreamHandler handler, String event, ByteArrayOutputStream out)
            throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(event));
        LocalLambdaContext context = new LocalLambdaContext("bench", Duration.ofSeconds(30));
        long before = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(bytes), out, context);
        return (System.nanoTime() - before) / 1_000_000.0;
    }
}
