package dev.chatops.testing;

import static dev.chatops.testing.StandInHttp.json;
import static dev.chatops.testing.StandInHttp.message;
import static dev.chatops.testing.StandInHttp.page;
import static dev.chatops.testing.StandInHttp.parseId;
import static dev.chatops.testing.StandInState.TIMESTAMP;

import dev.chatops.testing.GitLabStandIn.User;
import dev.chatops.testing.StandInHttp.Caller;
import dev.chatops.testing.StandInHttp.Reply;
import dev.chatops.testing.StandInHttp.Request;
import dev.chatops.testing.StandInState.Membership;
import dev.chatops.testing.StandInState.Source;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The group and project Members API of the {@link GitLabStandIn} ({@code /projects/:id/members...},
 * {@code /groups/:id/members...}, {@code /all} for inherited ones), and the members a test seeds.
 */
final class StandInMembers {
    /** GitLab's access levels (Gitlab::Access): minimal, guest, planner, reporter, developer, maintainer, owner. */
    private static final Set<Integer> ACCESS_LEVELS = Set.of(5, 10, 15, 20, 30, 40, 50);

    private final StandInState state;
    private final StandInUsers users;

    StandInMembers(StandInState state, StandInUsers users) {
        this.state = state;
        this.users = users;
    }

    /** Makes {@code username} a direct member of the project or group at {@code path}, replacing any level. */
    void add(String path, String username, int accessLevel, String expiresAt) {
        state.memberships.computeIfAbsent(state.requireSource(path).key(), k -> new LinkedHashMap<>())
                .put(state.requireUser(username).id(),
                        new Membership(accessLevel, expiresAt, TIMESTAMP.format(Instant.now())));
    }

    void remove(String path, String username) {
        state.direct(state.requireSource(path)).remove(state.requireUser(username).id());
    }

    Optional<Integer> accessLevel(String path, String username) {
        return Optional.ofNullable(state.direct(state.requireSource(path)).get(state.requireUser(username).id()))
                .map(Membership::accessLevel);
    }

    /** The day a direct membership ends (GitLab's {@code expires_at}); empty when it does not, or there is none. */
    Optional<String> expiresAt(String path, String username) {
        return Optional.ofNullable(state.direct(state.requireSource(path)).get(state.requireUser(username).id()))
                .map(Membership::expiresAt).filter(day -> !day.isEmpty());
    }

    /** The answer to a request under {@code /projects/:id/members} or {@code /groups/:id/members}. */
    Reply handle(Request r, Caller caller, List<String> p) {
        boolean project = p.get(0).equals("projects");
        Source source = state.resolve(project, p.get(1));
        if (source == null) {
            return json(404, message("404 " + (project ? "Project" : "Group") + " Not Found"));
        }
        List<String> rest = p.subList(3, p.size());
        String method = r.method();
        if (!rest.isEmpty() && rest.get(0).equals("all") && method.equals("GET")) {
            Map<Long, Membership> all = state.inherited(source);
            if (rest.size() == 1) {
                return page(r, memberList(all));
            }
            if (rest.size() == 2) {
                return oneMember(all, rest.get(1));
            }
        } else if (rest.isEmpty() && method.equals("GET")) {
            return page(r, memberList(state.direct(source)));
        } else if (rest.isEmpty() && method.equals("POST")) {
            return addMemberByApi(r, caller, source);
        } else if (rest.size() == 1 && method.equals("GET")) {
            return oneMember(state.direct(source), rest.get(0));
        } else if (rest.size() == 1 && (method.equals("PUT") || method.equals("DELETE"))) {
            return changeMember(r, caller, source, rest.get(0));
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    /** PUT (new access_level, optional expires_at) or DELETE of a direct member. */
    private Reply changeMember(Request r, Caller caller, Source source, String rawUserId) {
        if (!caller.admin() && callerLevel(caller, source) < 40) {
            return json(403, message("403 Forbidden"));
        }
        Long userId = parseId(rawUserId);
        if (userId == null) {
            return json(400, Map.of("error", "user_id is invalid"));
        }
        Map<Long, Membership> members = state.direct(source);
        Membership current = members.get(userId);
        // As in GitLab, a maintainer cannot remove or change an owner, nor give more than they have.
        if (!caller.admin() && current != null && current.accessLevel() > callerLevel(caller, source)) {
            return json(403, message("403 Forbidden"));
        }
        if (!caller.admin() && r.param("access_level") != null && r.param("access_level").matches("\\d+")
                && Integer.parseInt(r.param("access_level")) > callerLevel(caller, source)) {
            return json(403, message("403 Forbidden"));
        }
        if (r.method().equals("DELETE")) {
            if (current == null) {
                return json(404, message("404 Member Not Found"));
            }
            members.remove(userId);
            return new Reply(204, null, Map.of(), new byte[0]);
        }
        Reply invalid = validateMemberParams(r);
        if (invalid != null) {
            return invalid;
        }
        if (current == null) {
            return json(404, message("404 Member Not Found"));
        }
        Membership updated = new Membership(Integer.parseInt(r.param("access_level")),
                r.params().containsKey("expires_at") ? r.param("expires_at") : current.expiresAt(),
                current.createdAt());
        members.put(userId, updated);
        return json(200, memberJson(userId, updated));
    }

    /** The caller's level on a project or group, inherited ones included (0 when none). */
    private int callerLevel(Caller caller, Source source) {
        if (caller.user() == null) {
            return 0;
        }
        Membership membership = state.inherited(source).get(caller.user().id());
        return membership == null ? 0 : membership.accessLevel();
    }

    private Reply addMemberByApi(Request r, Caller caller, Source source) {
        if (!caller.admin() && callerLevel(caller, source) < 40) {
            return json(403, message("403 Forbidden"));
        }
        if (!caller.admin() && r.param("access_level") != null && r.param("access_level").matches("\\d+")
                && Integer.parseInt(r.param("access_level")) > callerLevel(caller, source)) {
            return json(403, message("403 Forbidden"));
        }
        String userId = r.param("user_id");
        String username = r.param("username");
        if (userId == null && username == null) {
            return json(400, Map.of("error", "user_id, username are missing, exactly one parameter must be provided"));
        }
        if (userId != null && username != null) {
            return json(400, Map.of("error", "user_id, username are mutually exclusive"));
        }
        Reply invalid = validateMemberParams(r);
        if (invalid != null) {
            return invalid;
        }
        String expiresAt = r.param("expires_at");
        User user = userId != null ? state.users.get(parseId(userId)) : state.findUser(username);
        if (user == null) {
            return json(404, message("404 User Not Found"));
        }
        Map<Long, Membership> members = state.memberships.computeIfAbsent(source.key(), k -> new LinkedHashMap<>());
        if (members.containsKey(user.id())) {
            return json(409, message("Member already exists"));
        }
        Membership membership = new Membership(Integer.parseInt(r.param("access_level")), expiresAt,
                TIMESTAMP.format(Instant.now()));
        members.put(user.id(), membership);
        return json(201, memberJson(user.id(), membership));
    }

    /**
     * access_level required and one of GitLab's levels; expires_at, if given, YEAR-MONTH-DAY and not
     * before today (GitLab's Member validates it as a future date: today is allowed, the membership
     * ending when the day does).
     */
    private static Reply validateMemberParams(Request r) {
        String expiresAt = r.param("expires_at");
        if (expiresAt != null && !expiresAt.isEmpty()) {
            try {
                if (LocalDate.parse(expiresAt).isBefore(LocalDate.now(ZoneOffset.UTC))) {
                    return json(400,
                            Map.of("message", Map.of("expires_at", List.of("cannot be a date in the past"))));
                }
            } catch (DateTimeParseException e) {
                return json(400, Map.of("error", "expires_at is invalid"));
            }
        }
        String raw = r.param("access_level");
        if (raw == null) {
            return json(400, Map.of("error", "access_level is missing"));
        }
        try {
            if (ACCESS_LEVELS.contains(Integer.parseInt(raw))) {
                return null;
            }
        } catch (NumberFormatException e) {
            return json(400, Map.of("error", "access_level is invalid"));
        }
        return json(400, Map.of("error", "access_level does not have a valid value"));
    }

    private Reply oneMember(Map<Long, Membership> members, String rawUserId) {
        Long userId = parseId(rawUserId);
        if (userId == null) {
            return json(400, Map.of("error", "user_id is invalid"));
        }
        Membership membership = members.get(userId);
        return membership == null || !state.users.containsKey(userId) ? json(404, message("404 Member Not Found"))
                : json(200, memberJson(userId, membership));
    }

    private List<Object> memberList(Map<Long, Membership> members) {
        return members.entrySet().stream().map(e -> (Object) memberJson(e.getKey(), e.getValue())).toList();
    }

    private Map<String, Object> memberJson(long userId, Membership m) {
        // A member is the user's public shape plus the membership's own attributes.
        Map<String, Object> json = users.userJson(state.users.get(userId), false);
        json.put("access_level", m.accessLevel());
        json.put("created_at", m.createdAt());
        json.put("expires_at", m.expiresAt());
        json.put("membership_state", "active");
        return json;
    }
}
