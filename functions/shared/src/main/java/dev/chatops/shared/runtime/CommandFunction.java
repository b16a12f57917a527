package dev.chatops.shared.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.AccessCheckAnswers;
import dev.chatops.shared.access.DelegatedAccessCheck.AccessCheckRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Lambda handler every command function extends: reads the gateway's command request from the
 * asynchronous invocation and hands it to the {@link CommandRuntime}. A subclass has the
 * no-argument constructor Lambda needs and one that takes its {@link Services}.
 */
public abstract class CommandFunction implements RequestStreamHandler {
    private final CommandRuntime runtime;
    private final Optional<AccessCheckAnswers> accessChecks;

    protected CommandFunction(Services services, List<Command> commands) {
        this(services, commands, Optional.empty());
    }

    /**
     * @param accessChecks present in the function that answers other functions' access checks
     *                     ({@link dev.chatops.shared.access.DelegatedAccessCheck}): UserFunction
     */
    protected CommandFunction(Services services, List<Command> commands, Optional<AccessCheckAnswers> accessChecks) {
        this.runtime = new CommandRuntime(commands, services);
        this.accessChecks = accessChecks;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        if (accessChecks.isPresent()) {
            Optional<AccessCheckRequest> asked = accessCheckIn(event);
            if (asked.isPresent()) {
                output.write(accessChecks.get().answer(asked.get()).getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        CommandRequest request;
        try {
            request = CommandRequest.fromJson(new ByteArrayInputStream(event));
        } catch (RuntimeException e) {
            // Not from our gateway, or from an incompatible version: retrying cannot help.
            Log.error("request.unreadable", e);
            output.write("{\"status\":\"unreadable\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        runtime.handle(request, Duration.ofMillis(context.getRemainingTimeInMillis()));
        output.write("{\"status\":\"done\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<AccessCheckRequest> accessCheckIn(byte[] event) {
        try {
            return AccessCheckRequest.in(Json.readObject(new String(event, StandardCharsets.UTF_8)));
        } catch (RuntimeException notAnObject) {
            return Optional.empty();
        }
    }
}
