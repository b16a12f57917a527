package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.Authorizer;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import java.util.Optional;

/**
 * The runtime's authorise step: whether the caller may run the form the call resolved to, from the
 * channel it came from. A form that changes production needs its higher role there, and may be run
 * only from a production channel when some are set.
 */
final class Admission {
    private final Authorizer authorizer;
    private final LinkState links;
    private final ChannelRule channels;

    Admission(Authorizer authorizer, LinkState links, ChannelRule channels) {
        this.authorizer = authorizer;
        this.links = links;
        this.channels = channels;
    }

    /** True when the attempt may go on, with the caller the authoriser proved; otherwise its answer is the refusal. */
    boolean admit(Attempt attempt) {
        CommandRequest request = attempt.request;
        Invocation invocation = attempt.invocation();
        boolean production = channels.changesProduction(invocation);
        Role needed = invocation.form().roleFor(production);
        Authorizer.Decision decision = authorizer.decide(request, needed,
                production && needed != invocation.form().role() ? "to change " + channels.productionInstance() : "");
        if (!decision.allowed()) {
            Log.info("command.denied", "command", request.command(), "needs", needed.label(),
                    "missing", decision.missing());
            attempt.answer(RuntimeReplies.denial(request, decision, links),
                    new Verdict(Decision.DENIED, Outcome.REFUSED, decision.reason()));
            return false;
        }
        Optional<String> wrongChannel = channels.refusal(invocation, request.channelId());
        if (wrongChannel.isPresent()) {
            attempt.answer(RuntimeReplies.wrongChannel(wrongChannel.get()),
                    new Verdict(Decision.DENIED, Outcome.REFUSED, "not a production channel"));
            return false;
        }
        attempt.authorised(decision.caller());
        return true;
    }
}
