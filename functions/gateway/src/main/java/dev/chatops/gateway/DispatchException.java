package dev.chatops.gateway;

import dev.chatops.shared.ChatOpsException;

/**
 * The command function could not be invoked for certain (throttled, missing, unreachable), or,
 * when {@link #mayHaveStarted()}, Lambda may have queued the invocation without our hearing so.
 */
public class DispatchException extends ChatOpsException {
    private final boolean mayHaveStarted;

    public DispatchException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public DispatchException(String message, Throwable cause, boolean mayHaveStarted) {
        super(message, cause);
        this.mayHaveStarted = mayHaveStarted;
    }

    /**
     * True when an attempt ended without a refusal that proves nothing was queued: a timeout or a
     * broken connection after the request went out, or Lambda's own failure (5xx).
     */
    public boolean mayHaveStarted() {
        return mayHaveStarted;
    }
}
