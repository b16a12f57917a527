package dev.chatops.shared.command;

import dev.chatops.shared.ChatOpsException;

/** A command was called in a way none of its forms accepts. The message is for the user; the usage follows it. */
public class UsageException extends ChatOpsException {
    private final transient CommandSpec spec;

    public UsageException(String message, CommandSpec spec) {
        super(message);
        this.spec = spec;
    }

    public CommandSpec spec() {
        return spec;
    }
}
