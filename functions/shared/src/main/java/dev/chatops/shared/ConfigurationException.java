package dev.chatops.shared;

/** A wiring mistake (missing or malformed configuration): raised at start-up, never shown to a user. */
public class ConfigurationException extends ChatOpsException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
