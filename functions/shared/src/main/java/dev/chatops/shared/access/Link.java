package dev.chatops.shared.access;

import java.time.Instant;
import java.util.Optional;

/**
 * A Slack user's link to a GitLab account on the ops instance, with the last snapshot of what
 * GitLab said about that account: its access level on the chatops project and its 2FA.
 */
public record Link(
        String slackWorkspace,
        String slackUserId,
        String instance,
        long gitlabUserId,
        String gitlabUsername,
        Instant linkedAt,
        Optional<Integer> accessLevel,
        Optional<Boolean> twoFactor,
        Optional<Instant> checkedAt) {

    public static Link of(String slackWorkspace, String slackUserId, String instance, long gitlabUserId,
                          String gitlabUsername, Instant linkedAt) {
        return new Link(slackWorkspace, slackUserId, instance, gitlabUserId, gitlabUsername, linkedAt,
                Optional.empty(), Optional.empty(), Optional.empty());
    }
}
