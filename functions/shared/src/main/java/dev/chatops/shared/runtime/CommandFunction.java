package dev.chatops.shared.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.Priming;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.List;

/**
 * The Lambda handler every command function extends: reads the gateway's command request, or a
 * click on one of the function's buttons, from the asynchronous invocation and hands it to the
 * {@link CommandRuntime}. A subclass has the
 * no-argument constructor Lambda needs and one that takes its {@link Services}.
 */
public abstract class CommandFunction implements RequestStreamHandler {
    private final CommandRuntime runtime;
    /** Held: Lambda's runtime client keeps hooks only by weak reference. */
    private final Priming priming;

    protected CommandFunction(Services services, List<Command> commands) {
        this.runtime = new CommandRuntime(commands, services);
        this.priming = Priming.register(getClass().getSimpleName(), services.priming(commands));
    }

    /** The SnapStart hook this function registered ({@link CommandPriming}). */
    public final Priming priming() {
        return priming;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        CommandRequest request;
        Optional<ClickRequest> click;
        try {
            Map<String, Object> event = Json.readObject(input);
            click = ClickRequest.of(event);
            request = click.isPresent() ? null : CommandRequest.fromMap(event);
        } catch (RuntimeException e) {
            // Not from our gateway, or from an incompatible version: retrying cannot help.
            Log.error("request.unreadable", e);
            output.write("{\"status\":\"unreadable\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Duration remaining = Duration.ofMillis(context.getRemainingTimeInMillis());
        if (click.isPresent()) {
            runtime.handle(click.get(), remaining);
        } else {
            runtime.handle(request, remaining);
        }
        output.write("{\"status\":\"done\"}".getBytes(StandardCharsets.UTF_8));
    }
}
