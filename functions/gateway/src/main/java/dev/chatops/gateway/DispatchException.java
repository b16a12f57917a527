package dev.chatops.gateway;

import dev.chatops.shared.ChatOpsException;

/** The command function could not be invoked (throttled, missing, unreachable). */
public class DispatchException extends ChatOpsException {
    public DispatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
