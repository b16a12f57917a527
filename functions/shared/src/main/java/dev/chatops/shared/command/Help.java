package dev.chatops.shared.command;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The help text built from the catalogue's declarations, and the names closest to a mistyped one. */
public final class Help {
    private Help() {
    }

    /** The answer to {@code help}: every command of {@code catalog} with its summary. */
    public static String commands(Catalog catalog, String slashCommand) {
        StringBuilder help = new StringBuilder("*Commands* — `")
                .append(slashCommand)
                .append(" run <command> …`, and `")
                .append(slashCommand)
                .append(" run help <command>` for one in full:");
        catalog.all().stream().sorted(Comparator.comparing(CommandSpec::name)).forEach(spec ->
                help.append("\n• `").append(spec.name()).append("` — ").append(spec.summary()));
        return help.toString();
    }

    /** The answer to {@code help <command>} where no change waits for a second person. */
    public static String of(String slashCommand, CommandSpec spec) {
        return of(slashCommand, spec, ApprovalPolicy.NONE);
    }

    /**
     * The answer to {@code help <command>}: its summary, every form's usage, description, role, whether
     * it waits for a second person's approval under {@code approvals}, and options.
     */
    public static String of(String slashCommand, CommandSpec spec, ApprovalPolicy approvals) {
        StringBuilder help = new StringBuilder("*").append(spec.name()).append("* — ").append(spec.summary());
        for (Form form : spec.forms()) {
            help.append("\n\n`").append(form.usage(slashCommand, spec.name())).append("`\n").append(form.description());
            help.append("\nNeeds: ").append(form.role() == Role.ANYONE ? "nothing (anyone may run it)"
                    : form.role().label() + " on the chatops project");
            if (form.productionRole() != form.role()) {
                help.append("; ").append(form.productionRole().label()).append(" to change production");
            }
            if (!approvals.when(form).isEmpty()) {
                help.append("; ").append(approvals.when(form));
            }
            for (OptionSpec option : form.options()) {
                help.append("\n  `").append(option.usage()).append("` — ").append(option.description());
            }
            if (form.takesInstance()) {
                help.append(
                        form.manyInstances()
                                ? "\n"
                                        + "  `--<instance>…` — the GitLab instances, one or several: `--staging`,"
                                        + " `--production` (the default), …"
                                : "\n  `--<instance>` — the GitLab instance: `--ops`, `--production` (the default), …");
            }
        }
        return help.toString();
    }

    /** Up to {@code max} known names closest to {@code name}, nearest first; none when nothing is close. */
    public static List<String> closest(Catalog catalog, String name, int max) {
        String wanted = name.toLowerCase(Locale.ROOT);
        List<Map.Entry<String, Integer>> scored = new ArrayList<>();
        for (String known : catalog.all().stream().map(CommandSpec::name).toList()) {
            int distance = distance(wanted, known);
            boolean close = distance <= Math.max(2, known.length() / 3)
                    || (wanted.length() >= 2 && (known.startsWith(wanted) || wanted.startsWith(known)));
            if (close) {
                scored.add(Map.entry(known, distance));
            }
        }
        scored.sort(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        return scored.stream().limit(max).map(Map.Entry::getKey).toList();
    }

    /** Damerau–Levenshtein (optimal string alignment) distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
