package dev.chatops.shared.gitlab;

import dev.chatops.shared.ChatOpsException;

/**
 * GitLab answered with an error status, or could not be reached ({@link #status()} 0). The message
 * is GitLab's own ({@code "Member already exists"}), fit to show a person; tokens never appear in it.
 */
public class GitLabException extends ChatOpsException {
    private final int status;

    public GitLabException(int status, String message) {
        super(message);
        this.status = status;
    }

    public GitLabException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }

    public boolean notFound() {
        return status == 404;
    }
}
