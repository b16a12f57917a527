package dev.chatops.shared.access;

/**
 * The person the {@link Authorizer} proved, for one request: their Slack account and the GitLab
 * account it is linked to, with the role and 2FA read for this decision. Read once, and carried to
 * the command so that it acts as exactly that account: a command never looks the person up again
 * (a second read costs a request and may see a link changed meanwhile).
 *
 * @param workspace   the Slack workspace the link belongs to ({@link dev.chatops.shared.CommandRequest#workspace()})
 * @param accessLevel the GitLab access level on the chatops project the decision was made with
 * @param twoFactor   whether the GitLab account had two-factor authentication when the decision was made
 */
public record Caller(String workspace, String slackUserId, String instance, long gitlabUserId, String gitlabUsername,
                     int accessLevel, boolean twoFactor) {
    static Caller of(Link link) {
        return new Caller(link.slackWorkspace(), link.slackUserId(), link.instance(), link.gitlabUserId(),
                link.gitlabUsername(), link.accessLevel().orElse(0), link.twoFactor().orElse(false));
    }
}
