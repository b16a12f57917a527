package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.command.Invocation;
import java.util.List;

/**
 * What a command is asked to do: the request as the gateway sent it, the form it matched, and a way
 * to tell the caller something before the answer ("Production check initiated…").
 */
public record CommandCall(CommandRequest request, Invocation invocation, Progress progress) {
    /** Posts a line to the caller at once, ahead of the reply. A post that fails is logged, not thrown. */
    @FunctionalInterface
    public interface Progress {
        void post(String markdown);
    }

    public CommandCall(CommandRequest request, Invocation invocation) {
        this(request, invocation, markdown -> { });
    }

    public List<String> args() {
        return invocation.args();
    }
}
