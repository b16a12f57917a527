package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.command.Invocation;
import java.util.List;

/** What a command is asked to do: the request as the gateway sent it and the form it matched. */
public record CommandCall(CommandRequest request, Invocation invocation) {
    public List<String> args() {
        return invocation.args();
    }
}
