package dev.chatops.shared;

/**
 * Root of the project's unchecked exceptions. Each subclass names one kind of failure and keeps
 * the underlying SDK or I/O exception as its cause. Messages may reach logs, never a Slack reply.
 */
public class ChatOpsException extends RuntimeException {
    public ChatOpsException(String message) {
        super(message);
    }

    public ChatOpsException(String message, Throwable cause) {
        super(message, cause);
    }
}
