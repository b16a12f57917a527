package dev.chatops.shared.gitlab;

import java.util.Map;

/**
 * A GitLab account as the Users API returns it. The admin-only fields (email, two-factor, sign-in
 * dates) are empty when the token cannot see them.
 */
public record GitLabUser(long id, String username, String name, String state, String email, Boolean twoFactorEnabled,
                         boolean admin, boolean bot, String createdAt, String confirmedAt, String lastActivityOn,
                         String lastSignInAt, String webUrl) {

    static GitLabUser from(Map<String, Object> json) {
        return new GitLabUser(
                ((Number) json.get("id")).longValue(),
                str(json, "username"), str(json, "name"), str(json, "state"), str(json, "email"),
                json.get("two_factor_enabled") instanceof Boolean b ? b : null,
                Boolean.TRUE.equals(json.get("is_admin")), Boolean.TRUE.equals(json.get("bot")),
                str(json, "created_at"), str(json, "confirmed_at"), str(json, "last_activity_on"),
                str(json, "last_sign_in_at"), str(json, "web_url"));
    }

    private static String str(Map<String, Object> json, String key) {
        Object value = json.get(key);
        return value == null ? "" : String.valueOf(value);
    }
}
