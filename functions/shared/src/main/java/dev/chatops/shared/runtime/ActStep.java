package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.approval.ApprovalMessages;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime's act step, over one {@link Attempt}: a call that must wait for a second person asks
 * for it ({@link ApprovalSteps}); an approved one runs only as the GitLab account that asked; a
 * form that changes things marks the request as acting first; the command's failure is a reply.
 */
final class ActStep {
    private final Map<String, Map<String, Command.Handler>> handlers;
    private final RequestClaims claims;
    private final AnswerPoster poster;
    private final ApprovalSteps approvals;
    private final Clock clock;

    ActStep(Map<String, Map<String, Command.Handler>> handlers, RequestClaims claims, AnswerPoster poster,
            ApprovalSteps approvals, Clock clock) {
        this.handlers = handlers;
        this.claims = claims;
        this.poster = poster;
        this.approvals = approvals;
        this.clock = clock;
    }

    void act(Attempt attempt) {
        CommandRequest request = attempt.request;
        Command.Handler handler = handlerOf(attempt.command(), attempt.invocation());
        Optional<String> emergencyRefused = approvals.emergencyRefusal(attempt, handler);
        if (emergencyRefused.isPresent()) {
            attempt.answer(Reply.refusal(":no_entry: " + emergencyRefused.get() + " Nothing was changed."),
                    new Verdict(Decision.DENIED, Outcome.REFUSED, "--emergency: " + emergencyRefused.get()));
            return;
        }
        Optional<String> notTheRequester = attempt.approval.flatMap(approval -> attempt.caller()
                .filter(caller -> caller.gitlabUserId() != approval.requesterGitlabId())
                .map(caller -> "<@" + request.userId() + ">'s Slack account is linked to another GitLab account "
                        + "than when they asked; the approved change was not made."));
        if (notTheRequester.isPresent()) {
            attempt.answer(Reply.refusal(":no_entry: " + notTheRequester.get()),
                    new Verdict(Decision.DENIED, Outcome.REFUSED, "relinked since asking"));
            return;
        }
        boolean waits = approvals.waits(attempt, handler);
        if (attempt.invocation().form().changes() && !waits) {
            claims.markActing(request.requestId(), attempt.holder());
        }
        CommandCall call = new CommandCall(request, attempt.invocation(),
                markdown -> poster.progress(request, markdown), attempt.caller(), attempt.deadline, clock,
                attempt.approval);
        try {
            if (waits) {
                ApprovalSteps.Asked asked = approvals.ask(attempt, (Command.Approvable) handler, call);
                Reply reply = asked.reply();
                attempt.answer(reply, new Verdict(Decision.ALLOWED, asked.waiting() ? Outcome.AWAITING_APPROVAL
                        : Outcome.of(reply.outcome()), reply.auditDetail()));
                return;
            }
            Reply reply = handler.handle(call);
            boolean made = reply.outcome() == Reply.Outcome.OK;
            if (attempt.approval.isPresent()) {
                // Made: in place of the request, in the channel. Not made: to the approver alone, since a
                // refusal can quote what only they and the requester may read (an incident's title).
                String note = ApprovalMessages.approvedNote(attempt.approval.get());
                reply = made ? reply.inPlaceOfOriginal(note) : reply.withNote(note);
            } else if (call.emergency().isPresent() && made && approvals.needed(attempt.invocation(), handler)) {
                reply = reply.announced(":rotating_light: *Emergency:* <@" + request.userId() + "> skipped the second "
                        + "person's approval: " + Text.shown(call.emergency().get(), 300));
            }
            Log.info("command.done", "command", request.command(),
                    "outcome", reply.outcome().name().toLowerCase(Locale.ROOT));
            attempt.answer(reply, new Verdict(Decision.ALLOWED, Outcome.of(reply.outcome()),
                    sanction(call) + reply.auditDetail()));
        } catch (RuntimeException e) {
            Log.error("command.failed", e, "command", request.command());
            attempt.answer(RuntimeReplies.failed(request), new Verdict(Decision.ALLOWED, Outcome.ERROR,
                    e.getClass().getSimpleName()));
        }
    }

    /** The handler of the form the call matched: the only work the runtime calls for it. */
    private Command.Handler handlerOf(Command command, Invocation invocation) {
        return handlers.get(command.spec().name()).get(Command.keyOf(invocation.form()));
    }

    /** What let a change that needs a second person run, for its audit record. */
    private static String sanction(CommandCall call) {
        if (call.approvedBy().isPresent()) {
            return "approved by " + call.approvedBy().get().slackUserId() + " ("
                    + call.approvedBy().get().gitlabUsername() + "); ";
        }
        return call.emergency().map(reason -> "EMERGENCY, approval skipped: " + reason + "; ").orElse("");
    }
}
