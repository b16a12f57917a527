package dev.chatops.shared.runtime;

import dev.chatops.shared.ChatOpsException;

/** A reply could not be posted to the response_url (refused by policy, rejected by Slack, or out of retries). */
public class ReplyException extends ChatOpsException {
    private final boolean retryable;

    public ReplyException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public ReplyException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether trying again later (a Lambda retry) could succeed. */
    public boolean retryable() {
        return retryable;
    }
}
