package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.access.Caller;
import dev.chatops.shared.command.Invocation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a command is asked to do: the request as the gateway sent it, the form it matched, a way to
 * tell the caller something before the answer ("Production check initiated…"), the GitLab account
 * the authoriser proved the caller holds (empty for a form anyone may run), and the time by which
 * it must have its answer ready (the invocation's end, less what storing and posting the reply
 * needs). A command that may run long checks {@link #remaining()} before each slow step. A command
 * that acts as the caller uses {@link #caller()} and never looks them up again.
 */
public record CommandCall(CommandRequest request, Invocation invocation, Progress progress, Optional<Caller> caller,
                          Instant deadline, Clock clock) {
    /** Posts a line to the caller at once, ahead of the reply. A post that fails is logged, not thrown. */
    @FunctionalInterface
    public interface Progress {
        void post(String markdown);
    }

    public List<String> args() {
        return invocation.args();
    }

    /** How long the command still has; zero or less when it should stop and answer. */
    public Duration remaining() {
        return Duration.between(clock.instant(), deadline);
    }
}
