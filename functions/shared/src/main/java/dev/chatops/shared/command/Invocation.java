package dev.chatops.shared.command;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command call matched to one of its forms: the arguments after the subcommand, the options, and
 * the instance flag given, if the form takes one (the command applies its default otherwise).
 */
public record Invocation(CommandSpec spec, Form form, List<String> args, Map<String, String> options,
                         Optional<String> instance) {
    public boolean has(String option) {
        return options.containsKey(option);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }
}
