package dev.chatops.shared.gitlab;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A feature flag as GitLab's Features API shows it ({@code GET /features}, {@code POST /features/:name}):
 * its state ({@code on}, {@code off}, {@code conditional}) and the gates that are set. Flipper's
 * gates: {@code boolean}; {@code percentage_of_time} and {@code percentage_of_actors} (decimals allowed);
 * {@code actors}, Flipper ids such as {@code User:1}, {@code Project:2}, {@code Group:3}; {@code groups},
 * the registered feature groups. A flag GitLab has never stored is {@link #absent} (its code default
 * applies); {@link #defaultEnabled()} is that default, when GitLab returns the flag's definition.
 */
public record FeatureFlag(
        String name,
        boolean persisted,
        String state,
        boolean booleanGate,
        BigDecimal percentageOfTime,
        BigDecimal percentageOfActors,
        List<String> actors,
        List<String> featureGroups,
        Map<String, Object> otherGates,
        Optional<Boolean> defaultEnabled) {
    /** Kinds of actor, by the prefix of their Flipper id, in the order a card shows them. */
    public static final Map<String, String> ACTOR_KINDS = kinds();

    private static final Map<String, String> SINGULAR = Map.of(
            "users",
            "user",
            "groups",
            "group",
            "projects",
            "project",
            "namespaces",
            "namespace",
            "repositories",
            "repository",
            "other actors",
            "other actor");

    public FeatureFlag {
        actors = List.copyOf(actors);
        featureGroups = List.copyOf(featureGroups);
        otherGates = Map.copyOf(otherGates);
    }

    /** A flag GitLab does not store: no gate is set, so its default applies. */
    public static FeatureFlag absent(String name) {
        return new FeatureFlag(name, false, "off", false, null, null, List.of(), List.of(), Map.of(), Optional.empty());
    }

    @SuppressWarnings("unchecked")
    public static FeatureFlag from(Map<String, Object> json) {
        boolean on = false;
        BigDecimal time = null;
        BigDecimal actors = null;
        List<String> ids = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        Map<String, Object> other = new LinkedHashMap<>();
        Object gates = json.get("gates");
        if (gates instanceof List<?> list) {
            for (Object gate : list) {
                if (!(gate instanceof Map<?, ?> g)) {
                    continue;
                }
                String key = String.valueOf(g.get("key"));
                Object value = g.get("value");
                switch (key) {
                    case "boolean" -> on = Boolean.TRUE.equals(value) || "true".equals(String.valueOf(value));
                    case "percentage_of_time" -> time = percent(value);
                    case "percentage_of_actors" -> actors = percent(value);
                    case "actors" -> ids.addAll(strings(value));
                    case "groups" -> groups.addAll(strings(value));
                    default -> other.put(key, value == null ? "" : value);
                }
            }
        }
        String state = json.get("state") == null ? "off" : String.valueOf(json.get("state"));
        Optional<Boolean> defaultEnabled = json.get("definition") instanceof Map<?, ?> definition
                && definition.get("default_enabled") instanceof Boolean b ? Optional.of(b) : Optional.empty();
        return new FeatureFlag(String.valueOf(json.get("name")), true, state, on, time, actors, ids, groups, other,
                defaultEnabled);
    }

    public boolean on() {
        return "on".equals(state);
    }

    public boolean off() {
        return "off".equals(state);
    }

    /** Enabled for some but not all: a percentage, actors or feature groups. */
    public boolean conditional() {
        return "conditional".equals(state);
    }

    /** One line: {@code on}, {@code off}, {@code not set}, or what a conditional flag is on for. */
    public String describe() {
        if (!persisted) {
            return "not set";
        }
        if (on()) {
            return "on";
        }
        List<String> parts = new ArrayList<>();
        if (percentageOfActors != null && percentageOfActors.signum() > 0) {
            parts.add(format(percentageOfActors) + "% of actors");
        }
        if (percentageOfTime != null && percentageOfTime.signum() > 0) {
            parts.add(format(percentageOfTime) + "% of time");
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String id : actors) {
            counts.merge(kindOf(id), 1, Integer::sum);
        }
        counts.forEach((kind, count) -> parts.add(count + " " + (count == 1 ? SINGULAR.get(kind) : kind)));
        for (String group : featureGroups) {
            parts.add("feature group " + group);
        }
        parts.addAll(otherGates.keySet());
        return parts.isEmpty()
                ? "off"
                : (off() ? "off (" + String.join(", ", parts) + ")" : "on for " + String.join(", ", parts));
    }

    /** Its actors of one kind ({@code users}, {@code projects}, …): their Flipper ids. */
    public List<String> actorsOf(String kind) {
        return actors.stream().filter(id -> kindOf(id).equals(kind)).toList();
    }

    /**
     * {@code users}, {@code projects}, {@code groups}, {@code namespaces}, {@code repositories} or
     * {@code other actors}.
     */
    public static String kindOf(String flipperId) {
        int colon = flipperId.lastIndexOf(':');
        String type = colon < 0 ? "" : flipperId.substring(0, colon);
        String kind = ACTOR_KINDS.get(type);
        if (kind == null && type.startsWith("Namespaces::")) {
            kind = "namespaces";
        }
        return kind == null ? "other actors" : kind;
    }

    /** 25, 12.5, 0.25: as people write percentages. */
    public static String format(BigDecimal percent) {
        return percent.stripTrailingZeros().toPlainString();
    }

    private static Map<String, String> kinds() {
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("User", "users");
        kinds.put("Group", "groups");
        kinds.put("Project", "projects");
        kinds.put("Namespace", "namespaces");
        kinds.put("Repository", "repositories");
        return Collections.unmodifiableMap(kinds);
    }

    private static BigDecimal percent(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return new BigDecimal(String.valueOf(value).trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof Iterable<?> items) {
            for (Object item : items) {
                out.add(String.valueOf(item));
            }
        }
        return out;
    }
}
