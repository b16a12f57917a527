package dev.chatops.shared.gitlab;

import dev.chatops.shared.ChatOpsException;
import java.net.http.HttpTimeoutException;

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

    /** GitLab took longer than the client waits: a change may or may not have been made. */
    public boolean timedOut() {
        return getCause() instanceof HttpTimeoutException;
    }

    /** Worth another try for a read: GitLab unreachable, overloaded or failing. */
    public boolean transientFailure() {
        return (status == 0 && !(getCause() instanceof InterruptedException)) || status == 429 || status >= 500;
    }

    /**
     * A few words for inside another sentence: {@code GitLab answered 503}, {@code not reachable},
     * {@code timed out}.
     */
    public String brief() {
        if (status == 0) {
            return timedOut() ? "timed out" : "not reachable";
        }
        return "GitLab answered " + status;
    }

    public boolean notFound() {
        return status == 404;
    }
}
