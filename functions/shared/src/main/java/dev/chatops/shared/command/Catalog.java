package dev.chatops.shared.command;

import dev.chatops.shared.Text;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one list of commands. The gateway answers help and usage from it and routes by it; each
 * command function looks its commands up in it. A command that is not finished is not here.
 */
public final class Catalog {
    /** {@code whoami}: the caller's Slack ids, linked GitLab account and ChatOps role. */
    public static final CommandSpec WHOAMI = CommandSpec.of("whoami",
            "Shows who you are to ChatOps: your Slack ids, the GitLab account they are linked to, and your role.",
            Target.USER,
            Form.of(Role.ANYONE, "Your Slack ids, linked GitLab account and ChatOps role."));

    /** {@code unlink}: removes the caller's own link. */
    public static final CommandSpec UNLINK = CommandSpec.of("unlink",
            "Removes the link between your Slack account and your GitLab account.",
            Target.USER,
            Form.of(Role.ANYONE, "Unlinks your own Slack account; any command that needs a role offers to link again.")
                    .changing());

    /** {@code link CODE}: the last step of linking, proving in Slack who signed in to GitLab. */
    public static final CommandSpec LINK = CommandSpec.of("link",
            "Finishes linking your Slack account to your GitLab account, with the code the linking page showed you.",
            Target.USER,
            Form.of(Role.ANYONE, "Links the Slack account that types the code to the GitLab account that signed in.",
                    Param.secret("code")).changing());

    /** {@code user find}: a GitLab account and what it still needs, in the order of "Requesting access". */
    public static final CommandSpec USER = CommandSpec.of("user",
            "Finds a GitLab account and tells what it still needs to run ChatOps commands.",
            Target.USER,
            Form.sub("find", Role.ANYONE, "The account (by username or email), its Slack link, its role on the chatops "
                    + "project, and a checklist of what is missing.", Param.required("username|email")).onInstance());

    /** {@code audit}: the latest attempts, for maintainers. */
    public static final CommandSpec AUDIT = CommandSpec.of("audit",
            "Lists the latest ChatOps attempts, newest first.",
            Target.USER,
            Form.of(Role.MAINTAINER, "Who ran what, when, and how it ended.").withOptions(
                    OptionSpec.valued("user", "SLACK_ID", "only this Slack user's attempts (U… or a mention)"),
                    OptionSpec.valued("command", "NAME", "only this command"),
                    OptionSpec.valued("limit", "N", "how many, 1 to 50 (default 20)")));

    /** {@code member}: membership of GitLab projects and groups, through GitLab's Members API. */
    public static final CommandSpec MEMBER = CommandSpec.of("member",
            "Adds, removes and lists members of GitLab projects and groups.",
            Target.MEMBER,
            Form.sub("add", Role.MAINTAINER, "Adds a GitLab user to a project or group.",
                    Param.required("username"), Param.required("project|group"))
                    .withOptions(OptionSpec.valued("level", "guest|reporter|developer|maintainer",
                            "the role to give (default developer)")).onInstance().changing(),
            Form.sub("remove", Role.MAINTAINER, "Removes a GitLab user from a project or group.",
                    Param.required("username"), Param.required("project|group")).onInstance().changing(),
            Form.sub("list", Role.DEVELOPER, "Lists the members of a project or group, inherited ones included.",
                    Param.required("project|group")).onInstance());

    /**
     * {@code feature}: GitLab's feature flags through its Features API, on one or several instances,
     * with GitLab.com's ChatOps options and its checks before a production change.
     */
    public static final CommandSpec FEATURE = CommandSpec.of("feature",
            "Lists, shows, sets and deletes GitLab feature flags, on one or several instances.",
            Target.FEATURE,
            Form.sub("list", Role.DEVELOPER, "Enabled and disabled flags, with how each is on.")
                    .withOptions(OptionSpec.valued("match", "TEXT", "only flags whose name contains TEXT"))
                    .onInstances(),
            Form.sub("get", Role.DEVELOPER, "One flag: its state and every gate.", Param.required("name")).onInstances(),
            Form.sub("set", Role.DEVELOPER, "Sets a flag to true, false or a percentage, for everyone or for actors; "
                    + "shows it before → after. On production: checks staging, open incidents and the channel first, "
                    + "and logs the change.", Param.required("name"), Param.required("true|false|percentage"))
                    .withOptions(
                            OptionSpec.flag("actors", "the percentage is of actors (each user, project… always sees the same)"),
                            OptionSpec.flag("random", "the percentage is of time (deprecated; needs --ignore-random-deprecation-check)"),
                            OptionSpec.valued("user", "USERNAMES", "only for these users (comma-separated usernames or ids)"),
                            OptionSpec.valued("project", "PATHS", "only for these projects (paths or ids)"),
                            OptionSpec.valued("group", "PATHS", "only for these groups (paths or ids)"),
                            OptionSpec.valued("namespace", "PATHS", "only for these group or user namespaces (paths)"),
                            OptionSpec.valued("repository", "PATHS", "only for these repositories (`group/project.git`, `….wiki.git`)"),
                            OptionSpec.valued("feature-group", "NAME", "only for this feature group"),
                            OptionSpec.flag("ignore-random-deprecation-check", "allow a percentage of time"),
                            OptionSpec.flag("ignore-feature-flag-consistency-check",
                                    "change production even though staging disagrees (or staging against production)"),
                            OptionSpec.flag("ignore-production-check", "change production despite open incidents"))
                    .onInstances().changing().onProductionNeeds(Role.MAINTAINER),
            Form.sub("delete", Role.DEVELOPER, "Deletes a flag's stored gates, so its default applies again.",
                    Param.required("name"))
                    .withOptions(
                            OptionSpec.flag("ignore-feature-flag-consistency-check",
                                    "delete on staging even though production has it on"),
                            OptionSpec.flag("ignore-production-check", "delete on production despite open incidents"))
                    .onInstances().changing().onProductionNeeds(Role.MAINTAINER));

    /**
     * {@code explain}: {@code EXPLAIN (ANALYZE, BUFFERS)} of one query on an instance's database
     * replica. The statement is taken as typed; only options at the very end are options.
     */
    public static final CommandSpec EXPLAIN = CommandSpec.of("explain",
            "Runs EXPLAIN (ANALYZE, BUFFERS) of a query on an instance's database replica, in a read-only transaction.",
            Target.EXPLAIN,
            Form.of(Role.DEVELOPER, "The plan with a summary first: times, rows, buffers, the slowest node and what to "
                    + "look at. Only one query (SELECT, WITH … SELECT, TABLE, VALUES); options go at the very end.",
                    Param.rest("statement"))
                    .withOptions(OptionSpec.flag("no-analyze", "plan only: the query is not run"))
                    .onInstance());

    /** {@code auto_deploy status [sha]}: what is deployed where, and whether a commit has reached each environment. */
    public static final CommandSpec AUTO_DEPLOY = CommandSpec.of("auto_deploy",
            "Shows what is deployed to each environment, or whether a commit has reached each one.",
            Target.AUTO_DEPLOY,
            Form.sub("status", Role.DEVELOPER, "Each environment in deploy order: revision, branch, package, status, "
                    + "when and by whom, its pipeline and the diff to the next; with a commit sha (7 to 40 hex digits), "
                    + "whether that commit is deployed there.", Param.optional("commit_sha")));

    private static final Catalog STANDARD = new Catalog(List.of(WHOAMI, LINK, UNLINK, USER, AUDIT, MEMBER, FEATURE, EXPLAIN,
            AUTO_DEPLOY));

    private final Map<String, CommandSpec> commands = new LinkedHashMap<>();

    public Catalog(List<CommandSpec> specs) {
        for (CommandSpec spec : specs) {
            if (commands.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("command declared twice: " + spec.name());
            }
        }
    }

    public static Catalog standard() {
        return STANDARD;
    }

    public List<CommandSpec> all() {
        return List.copyOf(commands.values());
    }

    public Optional<CommandSpec> find(String name) {
        return Optional.ofNullable(commands.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Up to {@code max} known names closest to {@code name}, nearest first; none when nothing is close. */
    public List<String> closest(String name, int max) {
        String wanted = name.toLowerCase(Locale.ROOT);
        List<Map.Entry<String, Integer>> scored = new ArrayList<>();
        for (String known : commands.keySet()) {
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

    /** Matches a call to a form of {@code spec} that names no GitLab instance. */
    public static Invocation resolve(CommandSpec spec, List<String> args, Map<String, String> options) {
        return resolve(spec, args, options, Set.of());
    }

    /**
     * Matches a call to a form of {@code spec}, or says in a {@link UsageException} what is wrong with
     * it. {@code instances} are the configured instance names, whose flags ({@code --ops}) a form that
     * acts on instances accepts: one, or several for a form that takes several.
     */
    public static Invocation resolve(CommandSpec spec, List<String> args, Map<String, String> options, Set<String> instances) {
        Form form;
        List<String> rest;
        if (spec.hasSubcommands()) {
            if (args.isEmpty()) {
                throw new UsageException("`" + spec.name() + "` needs a subcommand: " + subcommands(spec) + ".", spec);
            }
            String sub = args.get(0).toLowerCase(Locale.ROOT);
            form = spec.form(sub).orElseThrow(() -> new UsageException(
                    "`" + spec.name() + " " + Text.inCode(args.get(0), 40) + "` is not a subcommand; use one of " + subcommands(spec) + ".",
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

    /** The answer to {@code help}: every command with its summary. */
    public String help(String slashCommand) {
        StringBuilder help = new StringBuilder("*Commands* — `").append(slashCommand)
                .append(" run <command> …`, and `").append(slashCommand).append(" run help <command>` for one in full:");
        commands.values().stream().sorted(Comparator.comparing(CommandSpec::name)).forEach(spec ->
                help.append("\n• `").append(spec.name()).append("` — ").append(spec.summary()));
        return help.toString();
    }

    /** The answer to {@code help <command>}: its summary, every form's usage, description, role and options. */
    public static String help(String slashCommand, CommandSpec spec) {
        StringBuilder help = new StringBuilder("*").append(spec.name()).append("* — ").append(spec.summary());
        for (Form form : spec.forms()) {
            help.append("\n\n`").append(form.usage(slashCommand, spec.name())).append("`\n").append(form.description());
            help.append("\nNeeds: ").append(form.role() == Role.ANYONE ? "nothing (anyone may run it)"
                    : form.role().label() + " on the chatops project");
            if (form.productionRole() != form.role()) {
                help.append("; ").append(form.productionRole().label()).append(" to change production");
            }
            for (OptionSpec option : form.options()) {
                help.append("\n  `").append(option.usage()).append("` — ").append(option.description());
            }
            if (form.takesInstance()) {
                help.append(form.manyInstances()
                        ? "\n  `--<instance>…` — the GitLab instances, one or several: `--staging`, `--production` (the default), …"
                        : "\n  `--<instance>` — the GitLab instance: `--ops`, `--production` (the default), …");
            }
        }
        return help.toString();
    }

    private static String subcommands(CommandSpec spec) {
        return String.join(", ", spec.forms().stream().map(f -> "`" + f.subcommand() + "`").toList());
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
