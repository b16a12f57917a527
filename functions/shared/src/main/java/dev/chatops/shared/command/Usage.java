package dev.chatops.shared.command;

import dev.chatops.shared.Text;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Matching a call to one of a command's forms, or saying in a {@link UsageException} what is wrong with it. */
public final class Usage {
    private Usage() {
    }

    /** Matches a call to a form of {@code spec} that names no GitLab instance. */
    public static Invocation resolve(CommandSpec spec, List<String> args, Map<String, String> options) {
        return resolve(spec, args, options, Set.of());
    }

    /**
     * Matches a call to a form of {@code spec}, or says in a {@link UsageException} what is wrong with
     * it. {@code instances} are the configured instance names, whose flags ({@code --ops}) a form that
     * acts on instances accepts: one, or several for a form that takes several.
     */
    public static Invocation resolve(
            CommandSpec spec, List<String> args, Map<String, String> options, Set<String> instances) {
        Form form;
        List<String> rest;
        if (spec.hasSubcommands()) {
            if (args.isEmpty()) {
                throw new UsageException("`" + spec.name() + "` needs a subcommand: " + subcommands(spec) + ".", spec);
            }
            String sub = args.get(0).toLowerCase(Locale.ROOT);
            form = spec.form(sub)
                    .orElseThrow(() -> new UsageException(
                            "`" + spec.name() + " " + Text.inCode(args.get(0), 40)
                                    + "` is not a subcommand; use one of " + subcommands(spec) + ".",
                            spec));
            rest = args.subList(1, args.size());
        } else {
            form = spec.forms().get(0);
            rest = args;
        }
        Map<String, String> own = new LinkedHashMap<>(options);
        List<String> flagged = options.keySet().stream().filter(instances::contains)
                .filter(name -> form.options().stream().noneMatch(o -> o.name().equals(name))).toList();
        List<String> chosen = List.of();
        if (form.takesInstance() && !flagged.isEmpty()) {
            if (flagged.size() > 1 && !form.manyInstances()) {
                throw new UsageException("Give one instance, not " + String.join(" and ",
                        flagged.stream().map(f -> "`--" + f + "`").toList()) + ".", spec);
            }
            for (String flag : flagged) {
                if (options.get(flag) != null) {
                    throw new UsageException("`--" + flag + "` takes no value.", spec);
                }
                own.remove(flag);
            }
            chosen = flagged;
        }
        // Options first: in `whoami --user U1` the surprise is the option, not the word after it.
        checkOptions(spec, form, own);
        checkParams(spec, form, rest);
        return new Invocation(spec, form, List.copyOf(rest), own, chosen);
    }

    private static void checkParams(CommandSpec spec, Form form, List<String> args) {
        int required = (int) form.params().stream().filter(p -> !p.optional()).count();
        boolean unbounded = form.params().stream().anyMatch(Param::rest);
        String what = "`" + spec.name() + (form.subcommand() == null ? "" : " " + form.subcommand()) + "`";
        if (args.size() < required) {
            Param missing = form.params().get(args.size());
            throw new UsageException(what + " is missing " + missing.usage() + ".", spec);
        }
        if (!unbounded && args.size() > form.params().size()) {
            String extra = args.get(form.params().size());
            throw new UsageException(what + " does not take `" + Text.inCode(extra, 40) + "`"
                    + (form.params().isEmpty() ? ": it takes no arguments." : "."), spec);
        }
    }

    private static void checkOptions(CommandSpec spec, Form form, Map<String, String> options) {
        for (Map.Entry<String, String> given : options.entrySet()) {
            OptionSpec option = form.options().stream().filter(o -> o.name().equals(given.getKey())).findFirst()
                    .orElseThrow(() -> new UsageException("`--" + given.getKey() + "` is not an option of `"
                            + spec.name() + (form.subcommand() == null ? "" : " " + form.subcommand()) + "`.", spec));
            if (option.takesValue() && (given.getValue() == null || given.getValue().isEmpty())) {
                throw new UsageException("`--" + option.name() + "` needs a value: `" + option.usage() + "`.", spec);
            }
            if (!option.takesValue() && given.getValue() != null) {
                throw new UsageException("`--" + option.name() + "` takes no value.", spec);
            }
        }
    }

    static String subcommands(CommandSpec spec) {
        return String.join(", ", spec.forms().stream().map(f -> "`" + f.subcommand() + "`").toList());
    }

}
