package dev.chatops.gateway;

import dev.chatops.shared.ChatOpsException;

/**
 * The execution role's credentials could not be had from Lambda's container credentials endpoint
 * (refused, unreachable, a malformed answer). The message names the endpoint's host and the status,
 * never the token or a key.
 */
public class ExecutionRoleException extends ChatOpsException {
    public ExecutionRoleException(String message) {
        super(message);
    }

    public ExecutionRoleException(String message, Throwable cause) {
        super(message, cause);
    }
}
