package dev.chatops.shared.runtime;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.UsageException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function's SnapStart warm-up ({@link dev.chatops.shared.Priming}), the parts of its
 * request path that touch nothing outside the process: a sample request decoded as the handler
 * decodes the gateway's, resolved against each of the function's commands, its usage and failure
 * replies rendered as the response_url client would post them (built, not sent), and the AWS SDK's
 * requests of the runtime marshalled and signed, not sent ({@link AwsClients#prime}). No store, no
 * GitLab, no secret is read, and nothing is written. A function that runs no command (the access
 * check, the linking pages, the failure notice) primes the reply and the SDK's requests alone.
 */
final class CommandPriming implements Runnable {
    private final List<Command> commands;
    private final Set<String> instances;
    private final ResponseUrlClient replies;
    private final String table;

    /** @param table a table of the function's, named in the SDK's sample requests (never sent) */
    CommandPriming(List<Command> commands, Set<String> instances, ResponseUrlClient replies, String table) {
        this.commands = commands;
        this.instances = instances;
        this.replies = replies;
        this.table = table;
    }

    @Override
    public void run() {
        CommandRequest sample = decoded(sample(commands.isEmpty() ? "help" : commands.get(0).spec().name()));
        replies.prime(sample.responseUrl(), RuntimeReplies.failed(sample));
        for (Command command : commands) {
            CommandRequest request = decoded(sample(command.spec().name()));
            try {
                Usage.resolve(command.spec(), request.args(), request.options(), instances);
            } catch (UsageException e) {
                replies.prime(request.responseUrl(), RuntimeReplies.usage(command.spec(), request, e.getMessage()));
            }
        }
        AwsClients.prime(table);
    }

    /** As {@link CommandFunction} reads an event: a click or a command request. */
    private static CommandRequest decoded(String json) {
        Map<String, Object> event = Json.readObject(json);
        if (ClickRequest.of(event).isPresent()) {
            throw new IllegalStateException("the priming sample read as a click");
        }
        return CommandRequest.fromMap(event);
    }

    /** A request of {@code command} with no arguments, as the gateway would write it. */
    private String sample(String command) {
        return new CommandRequest("snapstart-priming", "T00PRIMING", "", "U00PRIMING", "priming", "C00PRIMING",
                "priming", "/chatops", command, List.of(), Map.of(), command,
                replies.sampleUrl("/commands/T00PRIMING/0/priming"), Instant.EPOCH).toJson();
    }
}
