package dev.chatops.shared.runtime;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.PrimingServer;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.UsageException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function's SnapStart warm-up ({@link dev.chatops.shared.Priming}), its request path short of
 * anything outside the process: a sample request decoded as the handler decodes the gateway's,
 * resolved against each of the function's commands (their usage replies rendered), a failure reply
 * posted by the response_url client, and the AWS SDK's requests of the runtime sent by clients of
 * their own ({@link AwsClients#prime}) — the posts and the requests to a {@link PrimingServer} on
 * loopback. No store, no GitLab, no Slack, no secret is read, and nothing is written. A function
 * that runs no command (the access check, the linking pages, the failure notice) primes the reply
 * and the SDK's requests alone.
 */
final class CommandPriming implements Runnable {
    private final List<Command> commands;
    private final Set<String> instances;
    private final ResponseUrlClient replies;

    CommandPriming(List<Command> commands, Set<String> instances, ResponseUrlClient replies) {
        this.commands = commands;
        this.instances = instances;
        this.replies = replies;
    }

    @Override
    public void run() {
        try (PrimingServer loopback = PrimingServer.start(request -> new PrimingServer.Answer(200,
                AwsClients.primingAnswer(request.target())))) {
            String replyUrl = loopback.url() + "/snapstart-priming/reply";
            CommandRequest sample = decoded(sample(commands.isEmpty() ? "help" : commands.get(0).spec().name(),
                    replyUrl));
            replies.prime(loopback, RuntimeReplies.failed(sample));
            for (Command command : commands) {
                CommandRequest request = decoded(sample(command.spec().name(), replyUrl));
                try {
                    Usage.resolve(command.spec(), request.args(), request.options(), instances);
                } catch (UsageException e) {
                    replies.render(RuntimeReplies.usage(command.spec(), request, e.getMessage()));
                }
            }
            AwsClients.prime(loopback.url());
        }
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
    private static String sample(String command, String responseUrl) {
        return new CommandRequest("snapstart-priming", "T00PRIMING", "", "U00PRIMING", "priming", "C00PRIMING",
                "priming", "/chatops", command, List.of(), Map.of(), command, responseUrl, Instant.EPOCH).toJson();
    }
}
