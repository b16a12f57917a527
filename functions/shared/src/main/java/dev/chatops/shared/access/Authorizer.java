package dev.chatops.shared.access;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabUser;
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

    private final AccessStore access;
    private final GitLab gitlab;
    private final Clock clock;
    private final Duration maxAge;

    public Authorizer(AccessStore access, GitLab gitlab, Clock clock, Duration maxAge) {
        this.access = access;
        this.gitlab = gitlab;
        this.clock = clock;
        this.maxAge = maxAge;
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
        String project = gitlab.config().chatopsProject();
        Optional<Link> found = access.findLink(AccessStore.workspaceOf(request.teamId(), request.enterpriseId()), request.userId());
        if (found.isEmpty()) {
            return new Decision(Missing.LINK, "Your Slack account is not linked to a GitLab account on "
                    + gitlab.config().chatopsInstance() + "; this command needs " + needed.label() + " on `" + project + "`.");
        }
        Link link = found.get();
        if (!link.instance().equals(gitlab.config().chatopsInstance())) {
            return new Decision(Missing.LINK, "Your Slack account is linked to a GitLab account on " + link.instance()
                    + ", not on " + gitlab.config().chatopsInstance() + " where the chatops project is: run "
                    + "`/chatops run unlink` and link again.");
        }
        Instant checked = link.checkedAt().orElse(Instant.EPOCH);
        if (link.accessLevel().isEmpty() || link.twoFactor().isEmpty() || checked.plus(maxAge).isBefore(clock.instant())) {
            try {
                link = refresh(link);
            } catch (GitLabException e) {
                Log.error("access.refresh_failed", e);
                // By the instance's name: GitLab's address is the operators' business, not every caller's.
                return new Decision(Missing.CONFIRMATION, "GitLab on " + gitlab.config().chatopsInstance()
                        + " could not confirm your role on `" + project + "` just now (" + e.brief()
                        + "). Try again in a minute.");
            }
        }
        if (!link.twoFactor().orElse(false)) {
            return new Decision(Missing.TWO_FACTOR, "Your GitLab account `" + dev.chatops.shared.Text.inCode(link.gitlabUsername(), 80)
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

    /** Reads the level and 2FA from GitLab and keeps them; a blocked or deleted account has neither. */
    private Link refresh(Link link) {
        Optional<GitLabUser> user = gitlab.chatops().user(link.gitlabUserId());
        boolean active = user.isPresent() && "active".equals(user.get().state());
        boolean twoFactor = active && Boolean.TRUE.equals(user.get().twoFactorEnabled());
        int level = active ? gitlab.chatops().projectAccessLevel(gitlab.config().chatopsProject(), link.gitlabUserId()).orElse(0) : 0;
        Instant now = clock.instant();
        access.saveSnapshot(link, level, twoFactor, now);
        Log.info("access.refreshed", "gitlabUser", link.gitlabUsername(), "accessLevel", level, "twoFactor", twoFactor);
        return new Link(link.slackWorkspace(), link.slackUserId(), link.instance(), link.gitlabUserId(), link.gitlabUsername(),
                link.linkedAt(), Optional.of(level), Optional.of(twoFactor), Optional.of(now));
    }
}
