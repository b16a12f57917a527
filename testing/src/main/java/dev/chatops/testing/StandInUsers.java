package dev.chatops.testing;

import static dev.chatops.testing.StandInHttp.json;
import static dev.chatops.testing.StandInHttp.message;
import static dev.chatops.testing.StandInHttp.page;
import static dev.chatops.testing.StandInHttp.parseId;

import dev.chatops.testing.GitLabStandIn.User;
import dev.chatops.testing.StandInHttp.Caller;
import dev.chatops.testing.StandInHttp.Reply;
import dev.chatops.testing.StandInHttp.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Users API of the {@link GitLabStandIn}: {@code GET /user}, {@code GET /users}, {@code GET /users/:id}. */
final class StandInUsers {
    private final StandInState state;

    StandInUsers(StandInState state) {
        this.state = state;
    }

    /** The answer to {@code GET /user} or {@code GET /users...}; {@code p} is the path after {@code /api/v4}. */
    Reply handle(Request r, Caller caller, List<String> p) {
        if (p.size() == 1 && p.get(0).equals("user")) {
            return caller.user() == null ? json(404, message("404 User Not Found"))
                    : json(200, currentUserJson(caller.user()));
        }
        if (p.size() == 1) {
            return listUsers(r, caller);
        }
        User user = state.users.get(parseId(p.get(1)));
        return user == null ? json(404, message("404 User Not Found")) : json(200, userJson(user, caller.admin()));
    }

    private Reply listUsers(Request r, Caller caller) {
        String username = r.param("username");
        String search = r.param("search") == null ? null : r.param("search").toLowerCase(Locale.ROOT);
        List<Object> found = new ArrayList<>();
        for (User u : state.users.values()) {
            boolean matches = username != null ? u.username().equalsIgnoreCase(username)
                    : search == null || u.username().toLowerCase(Locale.ROOT).contains(search)
                            || u.name().toLowerCase(Locale.ROOT).contains(search)
                            || caller.admin() && u.email().toLowerCase(Locale.ROOT).contains(search);
            boolean active = !"true".equals(r.param("active")) || u.state().equals("active");
            boolean blocked = !"true".equals(r.param("blocked")) || u.state().equals("blocked");
            if (matches && active && blocked) {
                found.add(userJson(u, caller.admin()));
            }
        }
        return page(r, found);
    }

    /** Users API: the public shape for everyone, plus the admin-only attributes for an admin. */
    Map<String, Object> userJson(User u, boolean adminView) {
        // The field, not baseUrl(), which throws: showing a user never fails, even while the stand-in closes.
        String baseUrl = state.baseUrl;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", u.id());
        json.put("username", u.username());
        json.put("name", u.name());
        json.put("state", u.state());
        json.put("locked", false);
        json.put("avatar_url", baseUrl + "/uploads/-/system/user/avatar/" + u.id() + "/avatar.png");
        json.put("web_url", baseUrl + "/" + u.username());
        if (adminView) {
            json.put("created_at", u.createdAt());
            json.put("bio", "");
            json.put("bot", u.bot());
            json.put("public_email", null);
            json.put("last_sign_in_at", u.lastSignInAt());
            json.put("confirmed_at", u.confirmedAt());
            json.put("last_activity_on", u.lastActivityOn());
            json.put("email", u.email());
            json.put("two_factor_enabled", u.twoFactorEnabled());
            json.put("external", false);
            json.put("private_profile", false);
            json.put("is_admin", u.admin());
        }
        return json;
    }

    /** GET /user: the caller's own details, which include email and two_factor_enabled (is_admin for admins). */
    private Map<String, Object> currentUserJson(User u) {
        Map<String, Object> json = userJson(u, true);
        if (!u.admin()) {
            json.remove("is_admin");
        }
        return json;
    }
}
