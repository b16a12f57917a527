package dev.chatops.shared.command;

/**
 * A positional argument of a command form; {@code rest} takes every remaining word; a
 * {@code secret} one (the code of {@code link}, which links whoever types it) is never kept in
 * audit records or logs.
 */
public record Param(String name, boolean optional, boolean rest, boolean secret) {
    public Param(String name, boolean optional, boolean rest) {
        this(name, optional, rest, false);
    }

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

    /** A required word that is a credential: audit records and logs mask it. */
    public static Param secret(String name) {
        return new Param(name, false, false, true);
    }

    public String usage() {
        String shown = "<" + name + ">" + (rest ? "…" : "");
        return optional ? "[" + shown + "]" : shown;
    }
}
