package dev.chatops.feature;

import dev.chatops.shared.Text;
import dev.chatops.shared.gitlab.FeatureFlag;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabErrors;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.runtime.Reply;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code feature list} and {@code feature get}: the flags of each instance asked for, read with the
 * read-only tokens, as tables (enabled, disabled) or as one flag's card with every gate.
 */
final class FlagReader {
    /** Rows a list shows per instance before it says how many more there are. */
    static final int MAX_ROWS = 1500;

    private final GitLab reader;

    /** @param reader the instances with their read-only tokens */
    FlagReader(GitLab reader) {
        this.reader = reader;
    }

    Reply list(List<String> instances, String match) {
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
            reply.text("*Feature flags on " + instance + "* (`" + FeatureCommand.host(reader, instance) + "`)"
                    + (match.isEmpty() ? "" : " matching `" + Text.inCode(match, 100) + "`") + ": "
                    + enabled.size() + " enabled, " + disabled.size() + " disabled");
            section(reply, "Enabled", enabled, true);
            section(reply, "Disabled", disabled, false);
        }
        return failed && instances.size() == 1 ? reply.outcome(Reply.Outcome.FAILED).build() : reply.build();
    }

    /**
     * One section of a list: a title with the count, then the flags as a table, cut with a count
     * past {@link #MAX_ROWS}.
     */
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

    Reply get(List<String> instances, String name) {
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
        reply.text("*`" + Text.inCode(flag.name(), 100) + "`* on " + instance + " (`"
                + FeatureCommand.host(reader, instance) + "`): *" + Text.shown(state, 100) + "*"
                + (flag.conditional() ? " — " + Text.shown(flag.describe(), 1000) : ""));
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
                    + (ids.isEmpty()
                            ? "—"
                            : String.join(
                                    ", ",
                                    ids.stream()
                                            .map(id -> "`" + Text.inCode(names.getOrDefault(id, id), 100) + "`")
                                            .toList())));
        }
        fields.add("*Feature groups*\n" + (flag.featureGroups().isEmpty() ? "—"
                : String.join(", ", flag.featureGroups().stream().map(g -> "`" + Text.inCode(g, 100) + "`").toList())));
        flag.otherGates()
                .forEach((key, value) ->
                        fields.add("*" + Text.shown(key, 60) + "*\n`" + Text.inCode(String.valueOf(value), 200) + "`"));
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

    private static String percent(BigDecimal value) {
        return value == null || value.signum() == 0 ? "—" : FeatureFlag.format(value) + "%";
    }
}
