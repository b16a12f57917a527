package dev.chatops.shared.command;

/** A positional argument of a command form; {@code rest} takes every remaining word. */
public record Param(String name, boolean optional, boolean rest) {
    public static Param required(String name) {
        return new Param(name, false, false);
    }

    public static Param optional(String name) {
        return new Param(name, true, false);
    }

    /** Every remaining word, as one parameter ({@code <statement>…}). */
    public static Param rest(String name) {
        return new Param(name, false, true);
    }

    public String usage() {
        String shown = "<" + name + ">" + (rest ? "…" : "");
        return optional ? "[" + shown + "]" : shown;
    }
}
