package dev.chatops.shared.runtime;

import dev.chatops.shared.runtime.RequestClaims.Acquired;
import dev.chatops.shared.runtime.RequestClaims.Busy;
import dev.chatops.shared.runtime.RequestClaims.Claim;
import dev.chatops.shared.runtime.RequestClaims.Completed;
import dev.chatops.shared.runtime.RequestClaims.Interrupted;
import dev.chatops.shared.runtime.RequestRecord.Status;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one delivery of a request does, decided from the record its claim met and the time: no
 * store, no Slack, only values (the store's writes are {@link RequestClaims}'s, the steps that
 * follow {@link CommandRuntime}'s). In two parts:
 * <ul>
 *   <li>what the record means for the claim ({@link #claimed}, {@link #refused}, {@link #asItStands}):
 *       this delivery holds the request now, or must take a hold over first, or finds it held or done;</li>
 *   <li>what the delivery does with that ({@link #course}).</li>
 * </ul>
 */
public final class DeliveryRules {
    private DeliveryRules() {
    }

    /** What a delivery does with its request. */
    public enum Course {
        /** Claimed fresh (or past retention, forgotten): run the command. */
        RUN,
        /** The delivery that held it stopped before it began to act: close its audit record, run the command. */
        RUN_AFTER_INTERRUPTION,
        /**
         * The delivery that held it stopped after it began to act and before recording its reply: the
         * command is not run again; the person hears that it may or may not have taken effect.
         */
        REPORT_INTERRUPTED,
        /** Another delivery holds it (running, or posting its reply): back off, Lambda retries later. */
        WAIT,
        /** Answered, and all of the answer reached Slack (or only a failure notice was sent): nothing to do. */
        SKIP,
        /** Answered, and some of the answer did not reach Slack: post what is left of the stored reply. */
        REPLAY,
        /** Answered, but the reply was too large to keep: post a note that it is lost. */
        REPLAY_LOST
    }

    /** What the claim does after its conditional write failed on a record. */
    public sealed interface Next permits Settled, TakeOverActing, TakeOverReply {
    }

    /** The claim ends here. */
    public record Settled(Claim claim) implements Next {
    }

    /**
     * The holder began to act and ran out of time: take its hold over, leaving the request ACTING
     * (so that whoever comes after knows too); once taken, {@link #taken()} is the claim.
     */
    public record TakeOverActing(String earlier) implements Next {
        public Claim taken() {
            return new Acquired(Optional.of(new Interrupted(earlier, true)));
        }
    }

    /**
     * The reply is recorded, not all of it reached Slack, and the delivery posting it ran out of time:
     * take the hold before posting what is left, so two deliveries never post it both.
     */
    public record TakeOverReply(RequestRecord found) implements Next {
        public Claim taken() {
            return new Completed(found.reply(), found.posted(), false);
        }
    }

    /** The claim's conditional write succeeded; {@code replaced} is the record it overwrote. */
    public static Claim claimed(RequestRecord replaced, Instant now) {
        boolean interrupted = replaced.status() == Status.RUNNING && !replaced.forgotten(now);
        return new Acquired(interrupted ? Optional.of(new Interrupted(replaced.holder(), false)) : Optional.empty());
    }

    /** The claim's conditional write failed on {@code found}: what that means for delivery {@code me}. */
    public static Next refused(RequestRecord found, String me, Instant now) {
        if (found.heldBy(me) && found.status() == Status.RUNNING) {
            return new Settled(new Acquired(Optional.empty())); // our own write, applied before the SDK retried it
        }
        if (found.status() == Status.ACTING && !found.forgotten(now) && found.holdRanOut(now)) {
            if (found.delivered()) {
                // Its answer reached Slack though it was never recorded: nothing is left to say.
                return new Settled(new Completed(List.of(), found.posted(), true));
            }
            return new TakeOverActing(found.holder());
        }
        return asItStands(found, now);
    }

    /** A record read as it stands: a reply to take over, or what it says. */
    public static Next asItStands(RequestRecord found, Instant now) {
        boolean replayable = found.status() == Status.COMPLETED && !found.delivered() && found.holdRanOut(now);
        return replayable ? new TakeOverReply(found) : new Settled(interpret(found, now));
    }

    private static Claim interpret(RequestRecord found, Instant now) {
        Instant heldUntil = found.heldUntil().orElse(now);
        return switch (found.status()) {
            // Deleted between our write and our read (TTL): report busy, Lambda's retry will claim it.
            case NONE -> new Busy(now);
            // Only a failure notice was recorded for this id: the person was told; nothing is left to do.
            case NOTICE_ONLY -> new Completed(List.of(), 0, true);
            case RUNNING, ACTING -> new Busy(heldUntil);
            // Not all delivered and the holder is still posting its reply: a second poster would duplicate messages.
            case COMPLETED -> !found.delivered() && heldUntil.isAfter(now) ? new Busy(heldUntil)
                    : new Completed(found.reply(), found.posted(), found.delivered());
        };
    }

    /** What the delivery does with the claim it made. */
    public static Course course(Claim claim) {
        if (claim instanceof Busy) {
            return Course.WAIT;
        }
        if (claim instanceof Completed done) {
            if (done.delivered()) {
                return Course.SKIP;
            }
            return done.reply().isEmpty() ? Course.REPLAY_LOST : Course.REPLAY;
        }
        Optional<Interrupted> interrupted = ((Acquired) claim).interrupted();
        if (interrupted.isEmpty()) {
            return Course.RUN;
        }
        return interrupted.get().acting() ? Course.REPORT_INTERRUPTED : Course.RUN_AFTER_INTERRUPTION;
    }
}
