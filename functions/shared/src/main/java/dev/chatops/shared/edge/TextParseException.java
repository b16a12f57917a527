package dev.chatops.shared.edge;

import dev.chatops.shared.ChatOpsException;

/** The command text cannot be read (an unbalanced quote, an option named twice…). The message is for the user. */
public class TextParseException extends ChatOpsException {
    public TextParseException(String message) {
        super(message);
    }
}
