package dev.chatops.shared.command;

/**
 * An option a command form accepts: a switch ({@code --production}) when {@code valueName} is
 * null, otherwise {@code --name=VALUE}.
 */
public record OptionSpec(String name, String valueName, String description) {
    public static OptionSpec flag(String name, String description) {
        return new OptionSpec(name, null, description);
    }

    public static OptionSpec valued(String name, String valueName, String description) {
        return new OptionSpec(name, valueName, description);
    }

    public boolean takesValue() {
        return valueName != null;
    }

    public String usage() {
        return takesValue() ? "--" + name + "=" + valueName : "--" + name;
    }
}
