package dev.chatops.shared.runtime;

import dev.chatops.shared.Log;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import dev.chatops.shared.runtime.RequestClaims.Acquired;
import dev.chatops.shared.runtime.RequestClaims.Interrupted;
import java.time.Clock;

/**
 * The runtime's writes whose failure is logged, never thrown: thrown, it would make Lambda retry a
 * delivery that may already have acted, or that is giving up anyway.
 */
final class Bookkeeping {
    private final AuditLog audit;
    private final RequestClaims claims;
    private final Clock clock;

    Bookkeeping(AuditLog audit, RequestClaims claims, Clock clock) {
        this.audit = audit;
        this.claims = claims;
        this.clock = clock;
    }

    /**
     * Completes the attempt's audit record, in one write with the count of the answer's last message
     * when it reached Slack just before (so no retry posts it again), and writes its metrics
     * ({@link AttemptMetrics}).
     */
    void finish(Attempt attempt, Verdict verdict) {
        if (!attempt.countsLastPostAtFinish() || !finishCounting(attempt, verdict)) {
            try {
                audit.finish(attempt.audit, verdict, clock.instant());
            } catch (StoreException e) {
                Log.error("audit.finish_failed", e, "decision", verdict.decision().stored(),
                        "outcome", verdict.storedOutcome());
            }
        }
        AttemptMetrics.emit(attempt, verdict, clock.instant());
    }

    /**
     * The audit finish and the last message's count in one transaction. A transaction fails whole, and
     * in ways two writes do not (a conflict with a duplicate's claim; throttling, which the SDK does
     * not retry for a transaction): then the count is written on its own, and false says the audit
     * finish is still to write.
     */
    private boolean finishCounting(Attempt attempt, Verdict verdict) {
        try {
            audit.finish(attempt.audit, verdict, clock.instant(),
                    claims.posted(attempt.requestId(), attempt.reached(), true));
            return true;
        } catch (StoreException e) {
            Log.warn("audit.finish_with_count_failed", "error", e.getMessage());
        }
        try {
            claims.markPosted(attempt.requestId(), attempt.reached(), true);
        } catch (StoreException e) {
            // The answer is in Slack; a retry may post its last message again, which beats failing the command.
            Log.error("reply.count_failed", e);
        }
        return false;
    }

    /** An earlier delivery held this request and stopped before recording its reply: its audit record says so. */
    void closeInterrupted(Attempt attempt) {
        Interrupted earlier = ((Acquired) attempt.claim()).interrupted().orElseThrow();
        Log.warn("command.takeover", "command", attempt.request.command(), "acting", earlier.acting());
        try {
            audit.interrupted(attempt.requestId(), earlier.holder(), Outcome.UNKNOWN, earlier.acting()
                    ? "stopped after it began to change things, before its outcome was recorded"
                    : "stopped before recording its outcome; a later delivery ran the command again");
        } catch (StoreException e) {
            Log.error("audit.interrupted_failed", e);
        }
    }

    /** Gives the hold back early (the delivery is giving up), so the next delivery may carry on at once. */
    void releaseHold(Attempt attempt) {
        try {
            claims.releaseHold(attempt.requestId(), attempt.holder(), clock.instant());
        } catch (StoreException releaseFailed) {
            Log.error("claim.release_failed", releaseFailed);
        }
    }

    /**
     * After an unrecorded answer reached Slack, one more try at recording it as answered: if the store
     * is back, a later delivery of the request finds it answered rather than interrupted.
     */
    void recordLate(Attempt attempt) {
        try {
            claims.complete(attempt.requestId(), attempt.answer(), attempt.verdict().outcome().stored(),
                    attempt.reached());
            Log.info("command.recorded_late", "posted", attempt.reached());
        } catch (StoreException e) {
            Log.warn("command.still_unrecorded", "error", e.getMessage());
        }
    }
}
