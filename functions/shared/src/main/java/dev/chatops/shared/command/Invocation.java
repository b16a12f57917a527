package dev.chatops.shared.command;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command call matched to one of its forms: the arguments after the subcommand, the options, and
 * the instance flags given, in the order given, if the form takes them (the command applies its
 * default otherwise).
 */
public record Invocation(CommandSpec spec, Form form, List<String> args, Map<String, String> options,
                         List<String> instances) {
    public Invocation {
        args = List.copyOf(args);
        instances = List.copyOf(instances);
    }

    public boolean has(String option) {
        return options.containsKey(option);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** The one instance flag given, for forms that take one. */
    public Optional<String> instance() {
        return instances.isEmpty() ? Optional.empty() : Optional.of(instances.get(0));
    }

    /** The instances given, or {@code fallback} alone when none was. */
    public List<String> instancesOr(String fallback) {
        return instances.isEmpty() ? List.of(fallback) : instances;
    }
}
