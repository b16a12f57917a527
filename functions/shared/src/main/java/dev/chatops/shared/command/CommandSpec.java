package dev.chatops.shared.command;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a command is, as people and the gateway see it: its name, one-line summary, the function
 * that runs it, and its forms. Help and usage errors are built from this, and nothing else.
 */
public record CommandSpec(String name, String summary, Target target, List<Form> forms) {
    public CommandSpec {
        forms = List.copyOf(forms);
        if (forms.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least one form: " + name);
        }
        boolean sub = forms.get(0).subcommand() != null;
        if (forms.stream().anyMatch(f -> (f.subcommand() != null) != sub) || (!sub && forms.size() > 1)) {
            throw new IllegalArgumentException("either one form without a subcommand or all forms with one: " + name);
        }
    }

    public static CommandSpec of(String name, String summary, Target target, Form... forms) {
        return new CommandSpec(name, summary, target, List.of(forms));
    }

    public boolean hasSubcommands() {
        return forms.get(0).subcommand() != null;
    }

    public Optional<Form> form(String subcommand) {
        return forms.stream().filter(f -> f.subcommand() != null && f.subcommand().equals(subcommand)).findFirst();
    }

    /**
     * The names of the options that take a value in the form {@code args} (the words after the
     * command's name) call; none while the subcommand is missing or unknown.
     */
    public Set<String> valuedOptions(List<String> args) {
        Optional<Form> form = !hasSubcommands() ? Optional.of(forms.get(0))
                : args.isEmpty() ? Optional.empty() : form(args.get(0).toLowerCase(Locale.ROOT));
        return form.map(f -> f.options().stream().filter(OptionSpec::takesValue).map(OptionSpec::name)
                .collect(Collectors.toUnmodifiableSet())).orElse(Set.of());
    }

    /** Every usage line, one per form. */
    public String usage(String slashCommand) {
        StringBuilder usage = new StringBuilder();
        for (Form form : forms) {
            if (usage.length() > 0) {
                usage.append('\n');
            }
            usage.append(form.usage(slashCommand, name));
        }
        return usage.toString();
    }
}
