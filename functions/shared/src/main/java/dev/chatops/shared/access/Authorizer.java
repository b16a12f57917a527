package dev.chatops.shared.access;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLabConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether a person may run a command form, as GitLab.com's "Requesting access" has it: a
 * form that needs more than {@link Role#ANYONE} needs a Slack account linked to a GitLab account on
 * the chatops project's instance, with two-factor authentication, and at least the form's role on
 * the chatops project. Level and 2FA are read from GitLab (Members and Users APIs) and kept in
 * DynamoDB for {@code maxAge}, so someone removed on GitLab loses their rights within that time.
 */
public final class Authorizer {
    /** What a refused person is missing. */
    public enum Missing { NOTHING, LINK, TWO_FACTOR, ROLE, CONFIRMATION }

    /**
     * Allowed, or refused with what is missing and the reason shown to the person and audited. An
     * allowed decision that needed a role carries the GitLab account it proved ({@link #caller()}).
     */
    public record Decision(Missing missing, String reason, Optional<Caller> caller) {
        Decision(Missing missing, String reason) {
            this(missing, reason, Optional.empty());
        }

        public boolean allowed() {
            return missing == Missing.NOTHING;
        }

        static Decision allow() {
            return new Decision(Missing.NOTHING, "");
        }

        static Decision allow(Link proved) {
            return new Decision(Missing.NOTHING, "", Optional.of(Caller.of(proved)));
        }
    }

    /**
     * Whether a level and 2FA read from GitLab are kept in the access table for the next command.
     * Functions that only read (explain, auto_deploy) may not write that table, so that one of them
     * subverted cannot raise anybody's cached role: they use what they read for the command at hand.
     */
    public enum Snapshots { KEEP, READ_ONLY }

    /** How far ahead of this function's clock a kept check's time may be and still count. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final AccessStore access;
    private final GitLabConfig gitlab;
    private final AccessCheck check;
    private final Clock clock;
    private final Duration maxAge;
    private final Snapshots snapshots;

    /**
     * @param check     how the level and 2FA are read when the kept ones are missing or older than {@code maxAge}
     * @param snapshots whether what {@code check} read is kept in the access table
     */
    public Authorizer(
            AccessStore access,
            GitLabConfig gitlab,
            AccessCheck check,
            Clock clock,
            Duration maxAge,
            Snapshots snapshots) {
        this.access = access;
        this.gitlab = gitlab;
        this.check = check;
        this.clock = clock;
        this.maxAge = maxAge;
        this.snapshots = snapshots;
    }

    public Decision decide(CommandRequest request, Role needed) {
        return decide(request, needed, "");
    }

    /**
     * As {@link #decide(CommandRequest, Role)}; {@code purpose} ("to change production") says why the
     * role is needed, when it is more than the command's usual one.
     */
    public Decision decide(CommandRequest request, Role needed, String purpose) {
        if (needed == Role.ANYONE) {
            return Decision.allow();
        }
        String project = gitlab.chatopsProject();
        Optional<Link> found = access.findLink(request.workspace(), request.userId());
        if (found.isEmpty()) {
            return new Decision(Missing.LINK, "Your Slack account is not linked to a GitLab account on "
                    + gitlab.chatopsInstance() + "; this command needs " + needed.label() + " on `" + project + "`.");
        }
        Link link = found.get();
        if (!link.instance().equals(gitlab.chatopsInstance())) {
            return new Decision(Missing.LINK, "Your Slack account is linked to a GitLab account on " + link.instance()
                    + ", not on " + gitlab.chatopsInstance() + " where the chatops project is: run "
                    + "`/chatops run unlink` and link again.");
        }
        Instant checked = link.checkedAt().orElse(Instant.EPOCH);
        Instant now = clock.instant();
        // A time ahead of now (beyond a clock's skew) was not written by a check: it is not trusted either.
        boolean due = checked.plus(maxAge).isBefore(now) || checked.isAfter(now.plus(CLOCK_SKEW));
        if (link.accessLevel().isEmpty() || link.twoFactor().isEmpty() || due) {
            try {
                link = refresh(link);
            } catch (AccessCheckException e) {
                Log.error("access.refresh_failed", e);
                // By the instance's name: GitLab's address is the operators' business, not every caller's.
                return new Decision(Missing.CONFIRMATION, "GitLab on " + gitlab.chatopsInstance()
                        + " could not confirm your role on `" + project + "` just now (" + e.brief()
                        + "). Try again in a minute.");
            }
        }
        if (!link.twoFactor().orElse(false)) {
            return new Decision(Missing.TWO_FACTOR, "Your GitLab account `" + Text.inCode(link.gitlabUsername(), 80)
                    + "` needs two-factor authentication before it can run commands.");
        }
        int level = link.accessLevel().orElse(0);
        if (level < needed.accessLevel()) {
            return new Decision(Missing.ROLE, "You need " + needed.label() + " on `" + project + "`"
                    + (purpose.isEmpty() ? "" : " " + purpose) + "; you are "
                    + (level <= 0 ? "not a member" : Role.ofAccessLevel(level).label()) + ".");
        }
        return Decision.allow(link);
    }

    /** Reads the level and 2FA now and keeps them (unless read-only); a blocked or deleted account has neither. */
    private Link refresh(Link link) {
        AccessCheck.Snapshot now = check.check(link);
        if (snapshots == Snapshots.KEEP) {
            access.saveSnapshot(link, now.accessLevel(), now.twoFactor(), now.checkedAt());
        }
        Log.info("access.refreshed", "gitlabUser", link.gitlabUsername(), "accessLevel", now.accessLevel(),
                "twoFactor", now.twoFactor(), "kept", snapshots == Snapshots.KEEP);
        return new Link(
                link.slackWorkspace(),
                link.slackUserId(),
                link.instance(),
                link.gitlabUserId(),
                link.gitlabUsername(),
                link.linkedAt(),
                Optional.of(now.accessLevel()),
                Optional.of(now.twoFactor()),
                Optional.of(now.checkedAt()));
    }
}
