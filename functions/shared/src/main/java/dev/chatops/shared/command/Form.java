package dev.chatops.shared.command;

import java.util.List;

/**
 * One way to call a command: an optional subcommand word, positional parameters, options and the
 * role it needs. {@code feature get NAME} and {@code feature set NAME VALUE} are two forms of one command.
 */
public record Form(String subcommand, List<Param> params, List<OptionSpec> options, Role role, String description,
                   boolean takesInstance, boolean changes) {
    public Form {
        params = List.copyOf(params);
        options = List.copyOf(options);
    }

    public static Form of(Role role, String description, Param... params) {
        return new Form(null, List.of(params), List.of(), role, description, false, false);
    }

    public static Form sub(String subcommand, Role role, String description, Param... params) {
        return new Form(subcommand, List.of(params), List.of(), role, description, false, false);
    }

    /** This form with {@code options} as its options. */
    public Form withOptions(OptionSpec... more) {
        return new Form(subcommand, params, List.of(more), role, description, takesInstance, changes);
    }

    /** This form, acting on one GitLab instance chosen by its flag ({@code --ops}, {@code --production}, …). */
    public Form onInstance() {
        return new Form(subcommand, params, options, role, description, true, changes);
    }

    /** This form, which changes the instance it acts on: on production, only from the production channels. */
    public Form changing() {
        return new Form(subcommand, params, options, role, description, takesInstance, true);
    }

    public String usage(String slashCommand, String command) {
        StringBuilder usage = new StringBuilder(slashCommand).append(" run ").append(command);
        if (subcommand != null) {
            usage.append(' ').append(subcommand);
        }
        for (Param param : params) {
            usage.append(' ').append(param.usage());
        }
        for (OptionSpec option : options) {
            usage.append(" [").append(option.usage()).append(']');
        }
        if (takesInstance) {
            usage.append(" [--<instance>]");
        }
        return usage.toString();
    }
}
