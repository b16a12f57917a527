package dev.chatops.shared.command;

/**
 * The Lambda function that runs a command. The gateway finds the function's name (or alias ARN)
 * in the environment variable {@link #envName()}, which template.yaml sets.
 */
public enum Target {
    USER,
    MEMBER,
    FEATURE,
    EXPLAIN,
    AUTO_DEPLOY;

    public String envName() {
        return name() + "_FUNCTION_NAME";
    }
}
