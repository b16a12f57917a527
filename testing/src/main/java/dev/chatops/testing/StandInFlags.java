package dev.chatops.testing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The feature flags of the {@link GitLabStandIn}, with the gate semantics of Flipper as GitLab uses
 * it (GitLab's Features API documentation and {@code Feature}): enabling or disabling the boolean
 * gate clears every other gate; an actor or feature group is added to or removed from its set;
 * a percentage replaces the previous one of its kind. A flag is {@code on} when its boolean gate is
 * true or its percentage of time is 100, {@code conditional} when any other gate lets something
 * through, {@code off} otherwise. Not thread-safe: the stand-in guards it.
 */
final class StandInFlags {
    /** One stored flag. */
    static final class Flag {
        boolean enabled;
        BigDecimal percentageOfTime = BigDecimal.ZERO;
        BigDecimal percentageOfActors = BigDecimal.ZERO;
        final Set<String> actors = new LinkedHashSet<>();
        final Set<String> groups = new LinkedHashSet<>();

        String state() {
            if (enabled || percentageOfTime.compareTo(BigDecimal.valueOf(100)) == 0) {
                return "on";
            }
            boolean some = percentageOfTime.signum() > 0 || percentageOfActors.signum() > 0 || !actors.isEmpty()
                    || !groups.isEmpty();
            return some ? "conditional" : "off";
        }

        void clear() {
            enabled = false;
            percentageOfTime = BigDecimal.ZERO;
            percentageOfActors = BigDecimal.ZERO;
            actors.clear();
            groups.clear();
        }
    }

    private final Map<String, Flag> flags = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> definitions = new LinkedHashMap<>();
    private final Set<String> featureGroups = new LinkedHashSet<>(List.of("gitlab_team_members"));

    void reset() {
        flags.clear();
        definitions.clear();
        featureGroups.clear();
        featureGroups.add("gitlab_team_members");
    }

    Flag flag(String name) {
        return flags.computeIfAbsent(name, n -> new Flag());
    }

    Flag find(String name) {
        return flags.get(name);
    }

    boolean remove(String name) {
        return flags.remove(name) != null;
    }

    /**
     * A YAML definition, as {@code GET /features/definitions} lists them; once any exists, unknown
     * names are refused.
     */
    void define(String name, String type, boolean defaultEnabled) {
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("name", name);
        definition.put("introduced_by_url", "https://gitlab.example.com/gitlab-org/gitlab/-/merge_requests/1");
        definition.put("rollout_issue_url", "https://gitlab.example.com/gitlab-org/gitlab/-/issues/1");
        definition.put("milestone", "17.0");
        definition.put("type", type);
        definition.put("group", "group::delivery");
        definition.put("default_enabled", defaultEnabled);
        definitions.put(name, definition);
    }

    boolean validates() {
        return !definitions.isEmpty();
    }

    boolean defined(String name) {
        return definitions.containsKey(name);
    }

    boolean groupRegistered(String group) {
        return featureGroups.contains(group);
    }

    List<Object> definitionsJson() {
        return new ArrayList<>(definitions.values());
    }

    List<Object> allJson() {
        List<Object> all = new ArrayList<>();
        for (String name : flags.keySet()) {
            all.add(json(name));
        }
        return all;
    }

    /** A flag as the API shows it: the boolean gate always, other gates only when set. */
    Map<String, Object> json(String name) {
        Flag flag = flag(name);
        List<Object> gates = new ArrayList<>();
        gates.add(gate("boolean", flag.enabled));
        if (!flag.actors.isEmpty()) {
            gates.add(gate("actors", new ArrayList<>(flag.actors)));
        }
        if (!flag.groups.isEmpty()) {
            gates.add(gate("groups", new ArrayList<>(flag.groups)));
        }
        if (flag.percentageOfActors.signum() > 0) {
            gates.add(gate("percentage_of_actors", number(flag.percentageOfActors)));
        }
        if (flag.percentageOfTime.signum() > 0) {
            gates.add(gate("percentage_of_time", number(flag.percentageOfTime)));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("state", flag.state());
        json.put("gates", gates);
        json.put("definition", definitions.get(name));
        return json;
    }

    private static Map<String, Object> gate(String key, Object value) {
        Map<String, Object> gate = new LinkedHashMap<>();
        gate.put("key", key);
        gate.put("value", value);
        return gate;
    }

    /** 42 as an integer, 12.5 as a decimal, as Flipper's typecast keeps them. */
    private static Object number(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() <= 0 ? (Object) stripped.intValueExact() : (Object) stripped.doubleValue();
    }
}
