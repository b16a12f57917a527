package dev.chatops.shared.runtime;

import dev.chatops.shared.ChatOpsException;

/**
 * Another invocation holds this request's claim and has not yet run out of time. Thrown out of the
 * handler on purpose: Lambda retries the event later, when the claim is either completed (and the
 * retry does nothing) or expired (and the retry takes over).
 */
public class RequestInProgressException extends ChatOpsException {
    public RequestInProgressException(String requestId) {
        super("request " + requestId + " is being handled by another invocation");
    }
}
