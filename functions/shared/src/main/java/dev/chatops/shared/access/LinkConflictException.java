package dev.chatops.shared.access;

import dev.chatops.shared.ChatOpsException;

/** The Slack user is already linked, or the GitLab account is already linked to another Slack user. */
public class LinkConflictException extends ChatOpsException {
    public LinkConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
