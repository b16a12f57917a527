package dev.chatops.testing;

import static dev.chatops.testing.StandInHttp.json;
import static dev.chatops.testing.StandInHttp.message;
import static dev.chatops.testing.StandInState.key;

import dev.chatops.testing.GitLabStandIn.User;
import dev.chatops.testing.StandInHttp.Caller;
import dev.chatops.testing.StandInHttp.Reply;
import dev.chatops.testing.StandInHttp.Request;
import dev.chatops.testing.StandInState.Source;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Features API of the {@link GitLabStandIn} ({@code GET /features}, {@code GET /features/definitions},
 * {@code POST} and {@code DELETE /features/:name}), over the flags in {@link StandInFlags}.
 */
final class StandInFeatures {
    private static final List<String> GATE_PARAMS =
            List.of("feature_group", "user", "group", "namespace", "project", "repository");

    private final StandInState state;
    private final StandInFlags flags = new StandInFlags();

    StandInFeatures(StandInState state) {
        this.state = state;
    }

    void clear() {
        flags.reset();
    }

    /** Sets a flag through the same semantics as {@code POST /features/:name} with {@code value} alone. */
    void set(String name, String value) {
        applyFeature(name, value, null, List.of(), List.of());
    }

    /** Sets a flag for actors given as in the API ({@code user} → usernames, {@code project} → paths, …). */
    void setFor(String name, boolean enable, String param, String commaSeparated) {
        List<String> ids = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        String problem = resolveActors(param, commaSeparated, ids, groups);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        applyFeature(name, Boolean.toString(enable), null, ids, groups);
    }

    void define(String name, String type, boolean defaultEnabled) {
        flags.define(name, type, defaultEnabled);
    }

    Optional<Map<String, Object>> find(String name) {
        return flags.find(name) == null ? Optional.empty() : Optional.of(flags.json(name));
    }

    /** The answer to a request under {@code /features}; {@code p} is the path after {@code /api/v4}. */
    Reply handle(Request r, Caller caller, List<String> p) {
        if (!caller.admin()) {
            return json(403, message("403 Forbidden"));
        }
        boolean get = r.method().equals("GET");
        if (get && p.size() == 1) {
            return json(200, flags.allJson());
        }
        if (get && p.size() == 2 && p.get(1).equals("definitions")) {
            return json(200, flags.definitionsJson());
        }
        if (p.size() != 2) {
            return json(404, Map.of("error", "404 Not Found"));
        }
        String name = p.get(1);
        if (r.method().equals("DELETE")) {
            flags.remove(name);
            return new Reply(204, null, Map.of(), new byte[0]);
        }
        if (!r.method().equals("POST")) {
            return json(405, Map.of("error", "405 Not Allowed"));
        }
        String value = r.param("value");
        if (value == null) {
            return json(400, Map.of("error", "value is missing"));
        }
        for (String gate : GATE_PARAMS) {
            if (r.param("key") != null && r.params().containsKey(gate)) {
                return json(400, Map.of("error", "key, " + gate + " are mutually exclusive"));
            }
        }
        if (!"true".equals(r.param("force")) && flags.validates() && !flags.defined(name)) {
            return json(400, message("400 Bad request - The '" + name + "' does not have feature flag definition,"
                    + " and thus it cannot be used as a feature flag name. Use `rails console` or `--force` to set"
                    + " this feature flag regardless of this check."));
        }
        List<String> ids = new ArrayList<>();
        List<String> groupNames = new ArrayList<>();
        boolean gated = false;
        for (String gate : GATE_PARAMS) {
            if (r.params().containsKey(gate)) {
                gated = true;
                String problem = resolveActors(gate, r.params().get(gate), ids, groupNames);
                if (problem != null) {
                    return problem.startsWith("500") ? json(500, message("500 Internal Server Error"))
                            : json(400, message("400 Bad request - " + problem));
                }
            }
        }
        if (!value.equals("true") && !value.equals("false") && !value.equals("0")) {
            if (!value.matches("\\d+(\\.\\d+)?")) {
                return json(400, message("400 Bad request - Value must be boolean or numeric, got " + value));
            }
            if (new BigDecimal(value).compareTo(BigDecimal.valueOf(100)) > 0) {
                // Flipper raises ArgumentError, which GitLab does not catch.
                return json(500, message("500 Internal Server Error"));
            }
        }
        applyFeature(name, value, r.param("key"), gated ? ids : null, groupNames);
        return json(201, flags.json(name));
    }

    /**
     * What {@code POST /features/:name} does: {@code true} enables each actor, or the boolean gate
     * (clearing the others); {@code false} or {@code 0} disables each actor, or clears every gate;
     * a number sets the percentage of {@code key} (of time by default). {@code actorIds} is null when
     * no actor parameter was given.
     */
    private void applyFeature(String name, String value, String key, List<String> actorIds, List<String> groupNames) {
        StandInFlags.Flag flag = flags.flag(name);
        boolean gated = actorIds != null && (!actorIds.isEmpty() || !groupNames.isEmpty());
        if (value.equals("true")) {
            if (gated) {
                flag.actors.addAll(actorIds);
                flag.groups.addAll(groupNames);
            } else {
                flag.clear();
                flag.enabled = true;
            }
        } else if (value.equals("false") || value.equals("0")) {
            if (gated) {
                actorIds.forEach(flag.actors::remove);
                groupNames.forEach(flag.groups::remove);
            } else {
                flag.clear();
            }
        } else if ("percentage_of_actors".equals(key)) {
            flag.percentageOfActors = new BigDecimal(value);
        } else {
            flag.percentageOfTime = new BigDecimal(value);
        }
    }

    /**
     * Flipper ids for a gate parameter's comma-separated values ({@code User:1}, {@code Project:2},
     * {@code Group:3}, {@code Namespaces::UserNamespace:4}, {@code Repository:path.git}), or feature group
     * names; the problem in GitLab's words ({@code "x is not found!"}) when one is unknown.
     */
    private String resolveActors(String param, String commaSeparated, List<String> ids, List<String> groupNames) {
        if (param.equals("feature_group")) {
            if (!flags.groupRegistered(commaSeparated)) {
                return "500 group " + commaSeparated + " is not registered";
            }
            groupNames.add(commaSeparated);
            return null;
        }
        for (String item : commaSeparated.split(",")) {
            String id = actorId(param, item);
            if (id == null) {
                return item + " is not found!";
            }
            ids.add(id);
        }
        return null;
    }

    private String actorId(String param, String item) {
        return switch (param) {
            case "user" -> {
                User user = state.findUser(item);
                yield user == null ? null : "User:" + user.id();
            }
            case "project" -> {
                Source project = state.projects.get(key(item));
                yield project == null ? null : "Project:" + project.id();
            }
            case "group" -> {
                Source group = state.groups.get(key(item));
                yield group == null ? null : "Group:" + group.id();
            }
            case "namespace" -> {
                Source group = state.groups.get(key(item));
                User user = state.findUser(item);
                yield group != null ? "Group:" + group.id()
                        : user != null ? "Namespaces::UserNamespace:" + user.id() : null;
            }
            default -> {
                String path = item.replaceFirst("\\.wiki\\.git$", "").replaceFirst("\\.git$", "");
                yield item.endsWith(".git") && state.projects.containsKey(key(path)) ? "Repository:" + item : null;
            }
        };
    }
}
