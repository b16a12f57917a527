package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.access.Caller;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.command.Form;
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
                          Instant deadline, Clock clock, Optional<Approval> approval) {
    /** A call that did not wait for anyone's approval. */
    public CommandCall(CommandRequest request, Invocation invocation, Progress progress, Optional<Caller> caller,
                       Instant deadline, Clock clock) {
        this(request, invocation, progress, caller, deadline, clock, Optional.empty());
    }

    /** Posts a line to the caller at once, ahead of the reply. A post that fails is logged, not thrown. */
    @FunctionalInterface
    public interface Progress {
        void post(String markdown);
    }

    public List<String> args() {
        return invocation.args();
    }

    /** Who approved this call, when it waited for a second person; empty otherwise. */
    public Optional<Approval.Decision> approvedBy() {
        return approval.flatMap(Approval::decision);
    }

    /** The reason given with {@code --emergency}, when an owner skipped the second person. */
    public Optional<String> emergency() {
        return invocation.option(Form.EMERGENCY).filter(reason -> !reason.isBlank());
    }

    /** How long the command still has; zero or less when it should stop and answer. */
    public Duration remaining() {
        return Duration.between(clock.instant(), deadline);
    }
}
