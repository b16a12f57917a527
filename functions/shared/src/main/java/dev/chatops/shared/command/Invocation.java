package dev.chatops.shared.command;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A command call matched to one of its forms: the arguments after the subcommand, and the options. */
public record Invocation(CommandSpec spec, Form form, List<String> args, Map<String, String> options) {
    public boolean has(String option) {
        return options.containsKey(option);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }
}
