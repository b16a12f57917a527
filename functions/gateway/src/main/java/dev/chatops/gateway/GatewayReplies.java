package dev.chatops.gateway;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Text;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Help;
import java.util.List;

/** The gateway's sentences: a usage mistake, an unknown command, a command that could not be started. */
final class GatewayReplies {
    private GatewayReplies() {
    }

    static String usageMistake(String mistake, CommandSpec spec, String slash) {
        return ":warning: " + mistake + "\nUsage:\n```" + spec.usage(slash) + "```";
    }

    static String unknown(Catalog catalog, String slash, String name) {
        List<String> close = Help.closest(catalog, name, 3);
        StringBuilder reply = new StringBuilder(":warning: `").append(Text.inCode(name, 40))
                .append("` is not a command.");
        if (!close.isEmpty()) {
            reply.append(" Did you mean ").append(String.join(" or ", close.stream().map(c -> "`" + c + "`").toList()))
                    .append('?');
        }
        reply.append(" `").append(slash).append(" run help` lists them all.");
        return reply.toString();
    }

    /**
     * The dispatch failed: when it may have started, typed again it would be a new request id and
     * run a second time, so the person is told how to look for it instead; otherwise to try again.
     */
    static String notStarted(CommandRequest request, boolean mayHaveStarted) {
        if (mayHaveStarted) {
            return ":warning: `" + echo(request.display()) + "` may have started: the command "
                    + "service did not confirm it in time. If it started, its answer comes here. Before running it "
                    + "again, wait a minute for that answer, or look for it with `" + request.slashCommand()
                    + " run audit --command " + request.command() + " --user " + request.userId() + "` (maintainers). "
                    + "Request id: `" + request.requestId() + "`.";
        }
        return ":x: Could not start `" + echo(request.display()) + "`: the command service is "
                + "unavailable. Try again in a minute. Request id: `" + request.requestId() + "`.";
    }

    /** What a person typed, shown back in a code span. */
    static String echo(String text) {
        return Text.inCode(text, 200);
    }
}
