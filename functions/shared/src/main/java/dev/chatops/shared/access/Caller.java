package dev.chatops.shared.access;

/**
 * The GitLab account the {@link Authorizer} proved a person holds, for one request: read once, with
 * their role and 2FA, and carried to the command so that it acts as exactly that account. A command
 * never looks the person up again (a second read may see a link changed meanwhile).
 */
public record Caller(String instance, long gitlabUserId, String gitlabUsername) {
    static Caller of(Link link) {
        return new Caller(link.instance(), link.gitlabUserId(), link.gitlabUsername());
    }
}
