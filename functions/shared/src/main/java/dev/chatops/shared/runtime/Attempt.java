package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.access.Caller;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import dev.chatops.shared.runtime.DeliveryRules.Course;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One delivery of a command request, as {@link CommandRuntime}'s steps fill it in: its audit
 * record, its claim on the request, the command and form it resolved to, the caller it proved,
 * the answer with its verdict, and how much of that answer reached Slack.
 */
final class Attempt {
    final CommandRequest request;
    /** This attempt's audit record; its attempt id names it as the request's holder. */
    final AuditLog.Entry audit;
    /** The end of the invocation: the claim holds the request until then. */
    final Instant holdUntil;
    /** When the command must have its answer ready: the end, less the time to store and post it. */
    final Instant deadline;
    /** The second person's approval this delivery runs under; empty for a request as its requester sent it. */
    final Optional<Approval> approval;
    /** DynamoDB calls this environment had made before this attempt began ({@link DynamoDbCalls}). */
    final long dynamoCallsBefore;

    private RequestClaims.Claim claim;
    private Course course;
    private Command command;
    private Invocation invocation;
    private Optional<Caller> caller = Optional.empty();
    /** The answer as recorded for a retry. */
    private List<Message> answer = List.of();
    /** What is posted of it: from {@link #from}, perhaps with a note the record does not hold. */
    private List<Message> toPost = List.of();
    private int from;
    /** How many of the answer's messages have reached Slack (counting those before {@link #from}). */
    private int reached;
    private Verdict verdict;
    private boolean unrecorded;

    Attempt(CommandRequest request, AuditLog.Entry audit, Duration remaining, Duration safetyMargin,
            Optional<Approval> approval, long dynamoCallsBefore) {
        this.request = request;
        this.dynamoCallsBefore = dynamoCallsBefore;
        this.approval = approval;
        this.audit = audit;
        this.holdUntil = audit.startedAt().plus(remaining);
        this.deadline = holdUntil.minus(safetyMargin);
    }

    String requestId() {
        return request.requestId();
    }

    /** The audit attempt id: the name this delivery holds the request under. */
    String holder() {
        return audit.attempt();
    }

    void claimed(RequestClaims.Claim value) {
        this.claim = value;
        this.course = DeliveryRules.course(value);
    }

    RequestClaims.Claim claim() {
        return claim;
    }

    Course course() {
        return course;
    }

    void resolved(Command value, Invocation form) {
        this.command = value;
        this.invocation = form;
    }

    Command command() {
        return command;
    }

    Invocation invocation() {
        return invocation;
    }

    void authorised(Optional<Caller> value) {
        this.caller = value;
    }

    Optional<Caller> caller() {
        return caller;
    }

    /** The answer to record and post, whole. */
    void answer(Reply reply, Verdict value) {
        answer(reply.messages(), 0, value);
    }

    /** An answer of which the messages before {@code start} already reached Slack. */
    void answer(List<Message> messages, int start, Verdict value) {
        this.answer = messages;
        this.toPost = messages;
        this.from = start;
        this.reached = start;
        this.verdict = value;
    }

    /** The answer could not be recorded: {@code noted} (it, with a note saying so) is posted instead. */
    void unrecorded(List<Message> noted) {
        this.unrecorded = true;
        this.toPost = noted;
    }

    boolean isUnrecorded() {
        return unrecorded;
    }

    List<Message> answer() {
        return answer;
    }

    List<Message> toPost() {
        return toPost;
    }

    int from() {
        return from;
    }

    void reached(int count) {
        this.reached = count;
    }

    /**
     * This attempt posted the answer's last message, and the request's record, writable a moment ago,
     * counts it with the audit record's finish, in one write ({@link AnswerPoster}, {@link Bookkeeping}).
     */
    boolean countsLastPostAtFinish() {
        return !unrecorded && reached > from && reached == toPost.size();
    }

    int reached() {
        return reached;
    }

    Verdict verdict() {
        return verdict;
    }
}
