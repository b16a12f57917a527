package dev.chatops.shared.gitlab;

import java.util.Map;

/** A member of a GitLab project or group, with GitLab's numeric access level. */
public record Member(long id, String username, String name, String state, int accessLevel, String expiresAt) {
    static Member from(Map<String, Object> json) {
        return new Member(((Number) json.get("id")).longValue(), String.valueOf(json.get("username")),
                String.valueOf(json.getOrDefault("name", "")), String.valueOf(json.getOrDefault("state", "")),
                ((Number) json.get("access_level")).intValue(),
                json.get("expires_at") == null ? "" : String.valueOf(json.get("expires_at")));
    }
}
