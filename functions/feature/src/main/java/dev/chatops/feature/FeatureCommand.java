package dev.chatops.feature;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.gitlab.FeatureFlag;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code feature list|get|set|delete}: GitLab's feature flags through its Features API, with an
 * administrator's token, on each instance whose flag is given ({@code --staging --production};
 * production by default). {@code set} and {@code delete} run the {@link FeatureChecks} before a
 * change, report each instance's outcome on its own line, and {@link ChangeLog log} every production
 * change. Reads of GitLab are retried by the client; writes never are.
 */
public final class FeatureCommand implements Command {
    /** Rows a list shows per instance before it says how many more there are. */
    static final int MAX_ROWS = 1500;

    private final GitLab reader;
    private final GitLab gitlab;
    private final FeatureChecks checks;
    private final ChangeLog log;
    private final AccessStore access;
    private final String productionInstance;

    /**
     * @param reader the instances with their read-only tokens, for {@code list} and {@code get}
     * @param gitlab the instances with their write tokens, for {@code set} and {@code delete}
     */
    FeatureCommand(GitLab reader, GitLab gitlab, FeatureChecks checks, ChangeLog log, AccessStore access, String productionInstance) {
        this.reader = reader;
        this.gitlab = gitlab;
        this.checks = checks;
        this.log = log;
        this.access = access;
        this.productionInstance = productionInstance;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.FEATURE;
    }

    @Override
    public Reply run(CommandCall call) {
        Invocation invocation = call.invocation();
        List<String> instances = invocation.instancesOr(gitlab.config().defaultInstance());
        return switch (invocation.form().subcommand()) {
            case "list" -> list(instances, invocation.option("match").orElse(""));
            case "get" -> get(instances, invocation.args().get(0));
            case "set" -> set(call, instances);
            default -> delete(call, instances);
        };
    }

    // ------------------------------------------------------------------ list and get

    private Reply list(List<String> instances, String match) {
        if (match.length() > 100) {
            return Reply.refusal(":warning: `--match` takes at most 100 characters.");
        }
        String needle = match.toLowerCase(Locale.ROOT);
        Reply.Builder reply = Reply.ephemeral("Feature flags on " + String.join(", ", instances));
        boolean failed = false;
        for (String instance : instances) {
            List<FeatureFlag> flags;
            try {
                flags = reader.client(instance).features().stream()
                        .filter(f -> f.name().toLowerCase(Locale.ROOT).contains(needle))
                        .sorted(Comparator.comparing(FeatureFlag::name)).toList();
            } catch (GitLabException e) {
                failed = true;
                reply.text(":x: " + GitLabErrors.sentence(instance, e, false, ""));
                continue;
            }
            List<FeatureFlag> enabled = flags.stream().filter(f -> !f.off()).toList();
            List<FeatureFlag> disabled = flags.stream().filter(FeatureFlag::off).toList();
            reply.text("*Feature flags on " + instance + "* (`" + host(instance) + "`)"
                    + (match.isEmpty() ? "" : " matching `" + Text.inCode(match, 100) + "`") + ": "
                    + enabled.size() + " enabled, " + disabled.size() + " disabled");
            section(reply, "Enabled", enabled, true);
            section(reply, "Disabled", disabled, false);
        }
        return failed && instances.size() == 1 ? reply.outcome(Reply.Outcome.FAILED).build() : reply.build();
    }

    /** One section of a list: a title with the count, then the flags as a table, cut with a count past {@link #MAX_ROWS}. */
    private static void section(Reply.Builder reply, String title, List<FeatureFlag> flags, boolean withState) {
        if (flags.isEmpty()) {
            reply.context(title + ": none");
            return;
        }
        int width = Math.min(60, flags.stream().mapToInt(f -> f.name().length()).max().orElse(0));
        StringBuilder table = new StringBuilder();
        for (FeatureFlag flag : flags.subList(0, Math.min(MAX_ROWS, flags.size()))) {
            // Names and states come from GitLab: escaped after padding, so columns line up as typed.
            table.append(Text.escape(withState ? String.format("%-" + width + "s  %s%n", flag.name(), flag.describe())
                    : flag.name() + "\n"));
        }
        reply.text("*" + title + " (" + flags.size() + ")*");
        reply.code(table.toString().stripTrailing());
        if (flags.size() > MAX_ROWS) {
            reply.context("… and " + (flags.size() - MAX_ROWS) + " more " + title.toLowerCase(Locale.ROOT)
                    + " flags not shown: narrow the list with `--match=TEXT`.");
        }
    }

    private Reply get(List<String> instances, String name) {
        Optional<String> badName = FlagChange.checkName(name);
        if (badName.isPresent()) {
            return Reply.refusal(":warning: " + badName.get());
        }
        Reply.Builder reply = Reply.ephemeral("Feature flag " + name);
        boolean failed = false;
        for (String instance : instances) {
            GitLabClient client = reader.client(instance);
            try {
                card(reply, client, instance, client.feature(name));
            } catch (GitLabException e) {
                failed = true;
                reply.text(":x: " + GitLabErrors.sentence(instance, e, false, ""));
            }
        }
        return failed && instances.size() == 1 ? reply.outcome(Reply.Outcome.FAILED).build() : reply.build();
    }

    /** A flag's card: its state, every gate (set or not), its definition when GitLab knows it. */
    private void card(Reply.Builder reply, GitLabClient client, String instance, FeatureFlag flag) {
        String state = flag.persisted() ? flag.state() : "not set (its default applies)";
        reply.text("*`" + Text.inCode(flag.name(), 100) + "`* on " + instance + " (`" + host(instance) + "`): *"
                + Text.shown(state, 100) + "*" + (flag.conditional() ? " — " + Text.shown(flag.describe(), 1000) : ""));
        List<String> fields = new ArrayList<>();
        fields.add("*Boolean*\n" + (flag.booleanGate() ? "true" : "false"));
        fields.add("*Percentage of time*\n" + percent(flag.percentageOfTime()));
        fields.add("*Percentage of actors*\n" + percent(flag.percentageOfActors()));
        Map<String, String> names = names(client, flag.actors());
        for (String kind : List.of("users", "groups", "projects", "namespaces", "repositories", "other actors")) {
            List<String> ids = flag.actorsOf(kind);
            if (kind.equals("other actors") && ids.isEmpty()) {
                continue;
            }
            fields.add("*" + Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + "*\n"
                    + (ids.isEmpty() ? "—" : String.join(", ", ids.stream().map(id -> "`" + Text.inCode(names.getOrDefault(id, id), 100) + "`").toList())));
        }
        fields.add("*Feature groups*\n" + (flag.featureGroups().isEmpty() ? "—"
                : String.join(", ", flag.featureGroups().stream().map(g -> "`" + Text.inCode(g, 100) + "`").toList())));
        flag.otherGates().forEach((key, value) -> fields.add("*" + Text.shown(key, 60) + "*\n`" + Text.inCode(String.valueOf(value), 200) + "`"));
        reply.fields(fields);
    }

    /** Usernames and paths for the first Flipper ids, so a card says {@code bob}, not {@code User:12}. */
    private static Map<String, String> names(GitLabClient client, List<String> ids) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String id : ids.subList(0, Math.min(20, ids.size()))) {
            try {
                client.actorName(id).ifPresent(name -> names.put(id, name));
            } catch (GitLabException e) {
                return names;
            }
        }
        return names;
    }

    // ------------------------------------------------------------------ set and delete

    /** One instance's outcome of a change. */
    private enum Status { CHANGED, UNCHANGED, REFUSED, FAILED }

    private record Result(Status status, String line, List<String> notes, String audit) {
    }

    private Reply set(CommandCall call, List<String> instances) {
        FlagChange.Parsed parsed = FlagChange.parse(call.invocation());
        if (parsed instanceof FlagChange.Invalid invalid) {
            return Reply.refusal(":warning: " + invalid.reason() + "\nUsage:\n```"
                    + call.invocation().form().usage(call.request().slashCommand(), "feature") + "```");
        }
        FlagChange change = ((FlagChange.Valid) parsed).change();
        Change run = new Change(call, change.name(), "set", change.describe());
        for (String instance : order(instances, change.enables())) {
            run.results.put(instance, guarded(run, instance, () -> setOn(run, instance, change)));
        }
        return run.reply();
    }

    private Reply delete(CommandCall call, List<String> instances) {
        String name = call.invocation().args().get(0);
        Optional<String> badName = FlagChange.checkName(name);
        if (badName.isPresent()) {
            return Reply.refusal(":warning: " + badName.get());
        }
        Change run = new Change(call, name, "delete", "deleted");
        for (String instance : order(instances, false)) {
            run.results.put(instance, guarded(run, instance, () -> deleteOn(run, instance)));
        }
        return run.reply();
    }

    /** Time an instance's change needs before it is started: reads, checks, the write, and the log. */
    static final java.time.Duration INSTANCE_NEEDS = java.time.Duration.ofSeconds(15);

    /**
     * One instance's change, reported whatever happens: out of time it is not started; an unexpected
     * error becomes that instance's failure, so what other instances did (a production change, its
     * log) is still reported and audited.
     */
    private Result guarded(Change run, String instance, java.util.function.Supplier<Result> change) {
        if (run.call.remaining().compareTo(INSTANCE_NEEDS) < 0) {
            return new Result(Status.FAILED, ":x: *" + instance + "* (`" + host(instance) + "`) — not attempted: the "
                    + "command ran out of time. Nothing was changed there; run it again for " + instance + ".",
                    List.of(), instance + " not attempted (out of time)");
        }
        try {
            return change.get();
        } catch (RuntimeException e) {
            dev.chatops.shared.Log.error("feature.instance_failed", e, "instance", instance, "flag", run.flag);
            return new Result(Status.FAILED, ":x: *" + instance + "* (`" + host(instance) + "`) — failed unexpectedly; "
                    + "whether `" + run.flag + "` changed there is not known: check with `feature get " + run.flag + " --"
                    + instance + "`. Request id: `" + run.call.request().requestId() + "`.", List.of(),
                    instance + " failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Production last when enabling, first when disabling, so that {@code --staging --production}
     * in one command passes the consistency check the way the two commands in the right order would.
     */
    private List<String> order(List<String> instances, boolean enabling) {
        List<String> ordered = new ArrayList<>(instances.stream().filter(i -> !i.equals(productionInstance)).toList());
        if (instances.contains(productionInstance)) {
            ordered.add(enabling ? ordered.size() : 0, productionInstance);
        }
        return ordered;
    }

    private Result setOn(Change run, String instance, FlagChange change) {
        GitLabClient client = gitlab.client(instance);
        String check = "feature get " + change.name() + " --" + instance;
        FeatureFlag before;
        Map<String, String> params;
        List<String> notes = new ArrayList<>();
        try {
            before = client.feature(change.name());
            params = withPaths(client, change.params(), notes);
        } catch (GitLabException e) {
            return failed(instance, GitLabErrors.sentence(instance, e, false, check));
        } catch (UnknownActor e) {
            return refused(instance, e.getMessage(), List.of());
        }
        List<String> blocked = new ArrayList<>();
        if (instance.equals(productionInstance)) {
            log.missing().ifPresent(missing -> blocked.add("• " + missing));
            if (change.enables()) {
                consider(run, checks.productionAgainstStaging(change.name(), change.fullyOn()),
                        FeatureChecks.CONSISTENCY_OVERRIDE, "Consistency check", notes, blocked);
            }
            consider(run, run.incidents(), FeatureChecks.PRODUCTION_OVERRIDE, "Production check", notes, blocked);
        } else if (change.fullyOff() && checks.stagingInstance().filter(instance::equals).isPresent()) {
            consider(run, checks.stagingAgainstProduction(change.name(), productionInstance),
                    FeatureChecks.CONSISTENCY_OVERRIDE, "Consistency check", notes, blocked);
        }
        if (!blocked.isEmpty()) {
            return refused(instance, "`" + change.name() + "` not changed (it stays " + before.describe() + "):\n"
                    + String.join("\n", blocked), notes);
        }
        FeatureFlag after;
        try {
            after = client.setFeature(change.name(), params);
        } catch (GitLabException e) {
            return failed(instance, GitLabErrors.sentence(instance, e, true, check));
        }
        return changed(run, instance, before.describe(), after.describe(), "set", notes);
    }

    private Result deleteOn(Change run, String instance) {
        GitLabClient client = gitlab.client(instance);
        String check = "feature get " + run.flag + " --" + instance;
        FeatureFlag before;
        try {
            before = client.feature(run.flag);
        } catch (GitLabException e) {
            return failed(instance, GitLabErrors.sentence(instance, e, false, check));
        }
        if (!before.persisted()) {
            return new Result(Status.UNCHANGED, ":information_source: *" + instance + "* (`" + host(instance) + "`) — there "
                    + "was no `" + run.flag + "` to delete; nothing was changed.", List.of(), instance + " had none");
        }
        List<String> notes = new ArrayList<>();
        List<String> blocked = new ArrayList<>();
        if (instance.equals(productionInstance)) {
            log.missing().ifPresent(missing -> blocked.add("• " + missing));
            if (before.defaultEnabled().orElse(false) && !before.on()) {
                // Deleting gives the flag back its default, which is on: that enables production.
                consider(run, checks.productionAgainstStaging(run.flag, true), FeatureChecks.CONSISTENCY_OVERRIDE,
                        "Consistency check (its default is on)", notes, blocked);
            }
            consider(run, run.incidents(), FeatureChecks.PRODUCTION_OVERRIDE, "Production check", notes, blocked);
        } else if (checks.stagingInstance().filter(instance::equals).isPresent()) {
            consider(run, checks.stagingAgainstProduction(run.flag, productionInstance),
                    FeatureChecks.CONSISTENCY_OVERRIDE, "Consistency check", notes, blocked);
        }
        if (!blocked.isEmpty()) {
            return refused(instance, "`" + run.flag + "` not deleted (it stays " + before.describe() + "):\n"
                    + String.join("\n", blocked), notes);
        }
        try {
            client.deleteFeature(run.flag);
        } catch (GitLabException e) {
            return failed(instance, GitLabErrors.sentence(instance, e, true, check));
        }
        return changed(run, instance, before.describe(), "deleted (its default applies"
                + before.defaultEnabled().map(on -> ": " + (on ? "on" : "off")).orElse("") + ")", "deleted", notes);
    }

    /** Applies a check's finding: a block refuses unless its override was given, which the notes then say. */
    private static void consider(Change run, FeatureChecks.Finding finding, String override, String check,
                                 List<String> notes, List<String> blocked) {
        if (!finding.blocks()) {
            notes.add(check + ": " + finding.text() + ".");
            return;
        }
        if (run.call.invocation().has(override)) {
            if (!run.overrides.contains("--" + override)) {
                run.overrides.add("--" + override);
            }
            notes.add(":warning: " + check + " overridden with `--" + override + "`: " + finding.text() + ".");
            return;
        }
        blocked.add("• " + check + ": " + finding.text() + ". Override with `--" + override + "` if you must.");
    }

    private Result changed(Change run, String instance, String before, String after, String action, List<String> notes) {
        List<String> all = new ArrayList<>(notes);
        String audit = instance + " " + before + " → " + after;
        if (instance.equals(productionInstance)) {
            ChangeLog.Result logged = log.record(new ChangeLog.Entry(run.call.request().requestId(),
                    run.call.request().userId(), run.gitlabUsername(), instance, host(instance), run.flag,
                    action, before, after, run.overrides,
                    run.call.request().display()), run.call::remaining);
            all.addAll(logged.notes());
            run.logFailed |= logged.failed();
            if (!logged.audit().isEmpty()) {
                audit += " (log: " + logged.audit() + ")";
            }
        }
        return new Result(Status.CHANGED, ":white_check_mark: *" + instance + "* (`" + host(instance) + "`) — `" + run.flag
                + "`: " + before + " → *" + after + "*", all, audit);
    }

    private Result refused(String instance, String why, List<String> notes) {
        String reasons = String.join(", ", why.lines().filter(l -> l.startsWith("• "))
                .map(l -> l.substring(2).replaceFirst(":.*", "")).toList());
        return new Result(Status.REFUSED, ":no_entry: *" + instance + "* (`" + host(instance) + "`) — " + why, notes,
                instance + " refused" + (reasons.isEmpty() ? "" : " (" + reasons + ")"));
    }

    private Result failed(String instance, String why) {
        return new Result(Status.FAILED, ":x: *" + instance + "* (`" + host(instance) + "`) — " + why, List.of(),
                instance + " failed");
    }

    /** Raised when an actor given by id does not exist on an instance. */
    private static final class UnknownActor extends RuntimeException {
        UnknownActor(String message) {
            super(message, null, false, false);
        }
    }

    /** Ids looked up per instance at most: each is a GitLab read. */
    static final int MAX_ID_LOOKUPS = 20;

    /**
     * The Features API takes paths; an actor given by id ({@code --user=12}) is looked up on this
     * instance, where ids are its own, and the reply says what it stood for. A number that is also a
     * username is refused as ambiguous: on production, the wrong actor is not a guess to make.
     */
    private static Map<String, String> withPaths(GitLabClient client, Map<String, String> params, List<String> notes) {
        Map<String, String> out = new LinkedHashMap<>(params);
        Map<String, String> types = new LinkedHashMap<>();
        types.put("user", "User");
        types.put("project", "Project");
        types.put("group", "Group");
        int lookups = 0;
        for (Map.Entry<String, String> type : types.entrySet()) {
            String list = out.get(type.getKey());
            if (list == null) {
                continue;
            }
            List<String> paths = new ArrayList<>();
            for (String item : list.split(",")) {
                if (!item.matches("[0-9]{1,18}")) {
                    paths.add(item);
                    continue;
                }
                if (++lookups > MAX_ID_LOOKUPS) {
                    throw new UnknownActor("give at most " + MAX_ID_LOOKUPS + " actors by id at once (paths need no "
                            + "lookup); nothing was changed.");
                }
                String path = client.actorName(type.getValue() + ":" + item).orElseThrow(() -> new UnknownActor(
                        "there is no " + type.getKey() + " with id " + item + " here; nothing was changed."));
                if (type.getKey().equals("user") && !path.equalsIgnoreCase(item) && client.userByUsername(item).isPresent()) {
                    throw new UnknownActor("`" + Text.inCode(item, 60) + "` is both a username and the id of user `"
                            + Text.inCode(path, 100) + "` here; give "
                            + "the username of the one you mean. Nothing was changed.");
                }
                notes.add("`--" + type.getKey() + "=" + Text.inCode(item, 60) + "` is " + type.getKey() + " `"
                        + Text.inCode(path, 100) + "` here.");
                paths.add(path);
            }
            out.put(type.getKey(), String.join(",", paths));
        }
        return out;
    }

    /** One {@code set} or {@code delete} across its instances, and the reply that reports it. */
    private final class Change {
        final CommandCall call;
        final String flag;
        final String verb;
        final String what;
        final Map<String, Result> results = new LinkedHashMap<>();
        final List<String> overrides = new ArrayList<>();
        boolean logFailed;
        private FeatureChecks.Finding incidents;
        private Optional<String> gitlabUsername;

        Change(CommandCall call, String flag, String verb, String what) {
            this.call = call;
            this.flag = flag;
            this.verb = verb;
            this.what = what;
        }

        /** The production check, made once per command, with "Production check initiated…" posted first. */
        FeatureChecks.Finding incidents() {
            if (incidents == null) {
                call.progress().post(":hourglass_flowing_sand: Production check initiated for `" + flag + "` on "
                        + productionInstance + ": looking for open incidents…");
                incidents = checks.incidents();
            }
            return incidents;
        }

        /** The caller's GitLab username, for the log; empty when their link cannot be read. */
        String gitlabUsername() {
            if (gitlabUsername == null) {
                CommandRequest request = call.request();
                Optional<Link> link;
                try {
                    link = access.findLink(AccessStore.workspaceOf(request.teamId(), request.enterpriseId()), request.userId());
                } catch (RuntimeException e) {
                    link = Optional.empty();
                }
                gitlabUsername = link.map(Link::gitlabUsername);
            }
            return gitlabUsername.orElse("");
        }

        Reply reply() {
            long changed = results.values().stream().filter(r -> r.status() == Status.CHANGED).count();
            boolean anyFailed = results.values().stream().anyMatch(r -> r.status() == Status.FAILED);
            String title = "<@" + call.request().userId() + "> " + (verb.equals("set") ? "set `" + flag + "` to " + what
                    : "deleted `" + flag + "`");
            Reply.Builder reply = changed > 0 ? Reply.inChannel(title) : Reply.ephemeral(title);
            if (changed > 0) {
                reply.text(title);
            } else if (results.size() > 1) {
                reply.text("`" + flag + "` was not " + (verb.equals("set") ? "changed" : "deleted") + " anywhere:");
            }
            for (Result result : results.values()) {
                reply.text(result.line());
                if (!result.notes().isEmpty()) {
                    reply.context(String.join("\n", result.notes()));
                }
            }
            if (!overrides.isEmpty()) {
                reply.context(":warning: Overrides used: " + String.join(", ", overrides.stream().map(o -> "`" + o + "`").toList()));
            }
            List<String> audit = new ArrayList<>();
            results.values().forEach(r -> audit.add(r.audit()));
            if (!overrides.isEmpty()) {
                audit.add("overrides: " + String.join(", ", overrides));
            }
            if (logFailed) {
                audit.add(0, "LOG INCOMPLETE");
            }
            reply.auditDetail(String.join("; ", audit));
            if (changed == 0) {
                boolean nothingToDo = results.values().stream().allMatch(r -> r.status() == Status.UNCHANGED);
                reply.outcome(nothingToDo ? Reply.Outcome.OK : anyFailed ? Reply.Outcome.FAILED : Reply.Outcome.REFUSED);
            }
            return reply.build();
        }
    }

    private String host(String instance) {
        String host = URI.create(gitlab.config().url(instance)).getHost();
        return host == null ? instance : host;
    }

    private static String percent(java.math.BigDecimal value) {
        return value == null || value.signum() == 0 ? "—" : FeatureFlag.format(value) + "%";
    }
}
