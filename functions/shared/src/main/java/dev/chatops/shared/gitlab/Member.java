package dev.chatops.shared.gitlab;

import java.time.LocalDate;
import java.util.Map;

/** A member of a GitLab project or group, with GitLab's numeric access level. */
public record Member(long id, String username, String name, String state, int accessLevel, String expiresAt,
                     String membershipState) {
    static Member from(Map<String, Object> json) {
        return new Member(((Number) json.get("id")).longValue(), String.valueOf(json.get("username")),
                String.valueOf(json.getOrDefault("name", "")), String.valueOf(json.getOrDefault("state", "")),
                ((Number) json.get("access_level")).intValue(),
                json.get("expires_at") == null ? "" : String.valueOf(json.get("expires_at")),
                json.get("membership_state") == null ? "active" : String.valueOf(json.get("membership_state")));
    }

    /** Whether the membership counts today: accepted (not awaiting) and not past its expiry date. */
    public boolean effective(LocalDate today) {
        if (!"active".equals(membershipState)) {
            return false;
        }
        try {
            return expiresAt.isEmpty() || !LocalDate.parse(expiresAt.substring(0, 10)).isBefore(today);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
