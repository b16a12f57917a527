package dev.chatops.shared.access;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.command.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether a person may run a command form, from the access state in DynamoDB: a form that
 * needs more than {@link Role#ANYONE} needs a linked GitLab account with two-factor authentication
 * and, on the chatops project, at least the form's role, as last read from GitLab no longer than
 * {@code maxAge} ago. Anything less is refused, with what is missing.
 */
public final class Authorizer {
    /** Allowed, or refused with the reason shown to the person and audited. */
    public record Decision(boolean allowed, String reason) {
        static Decision allow() {
            return new Decision(true, "");
        }

        static Decision deny(String reason) {
            return new Decision(false, reason);
        }
    }

    private final AccessStore access;
    private final Clock clock;
    private final Duration maxAge;

    public Authorizer(AccessStore access, Clock clock, Duration maxAge) {
        this.access = access;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    public Decision decide(CommandRequest request, Role needed) {
        if (needed == Role.ANYONE) {
            return Decision.allow();
        }
        Optional<Link> found = access.findLink(AccessStore.workspaceOf(request.teamId(), request.enterpriseId()), request.userId());
        if (found.isEmpty()) {
            return Decision.deny("Your Slack account is not linked to a GitLab account, and this command needs "
                    + needed.label() + " on the chatops project.");
        }
        Link link = found.get();
        if (!Boolean.TRUE.equals(link.twoFactor().orElse(false))) {
            return Decision.deny("Your GitLab account `" + link.gitlabUsername()
                    + "` needs two-factor authentication before it can run commands.");
        }
        Instant checked = link.checkedAt().orElse(Instant.EPOCH);
        if (link.accessLevel().isEmpty() || checked.plus(maxAge).isBefore(clock.instant())) {
            return Decision.deny("Your role on the chatops project has not been confirmed with GitLab in the last "
                    + maxAge.toMinutes() + " minutes.");
        }
        int level = link.accessLevel().get();
        if (level < needed.accessLevel()) {
            return Decision.deny("You need " + needed.label() + " on the chatops project; you are "
                    + (level <= 0 ? "not a member" : Role.ofAccessLevel(level).label()) + ".");
        }
        return Decision.allow();
    }
}
