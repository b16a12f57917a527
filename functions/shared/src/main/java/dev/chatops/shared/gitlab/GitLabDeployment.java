package dev.chatops.shared.gitlab;

import java.util.Map;

/**
 * A deployment as GitLab's Deployments API returns it: what was deployed ({@code sha}, {@code ref},
 * whether the ref is a tag, as its deployable job says), how it ended, when, by whom, and its pipeline.
 */
public record GitLabDeployment(long id, String sha, String ref, boolean tag, String status, String createdAt,
                               String finishedAt, String username, String pipelineUrl) {
    static GitLabDeployment from(Map<String, Object> json) {
        Map<?, ?> user = json.get("user") instanceof Map<?, ?> u ? u : Map.of();
        Map<?, ?> deployable = json.get("deployable") instanceof Map<?, ?> d ? d : Map.of();
        Map<?, ?> pipeline = deployable.get("pipeline") instanceof Map<?, ?> p ? p : Map.of();
        return new GitLabDeployment(((Number) json.get("id")).longValue(), str(json.get("sha")), str(json.get("ref")),
                Boolean.TRUE.equals(deployable.get("tag")), str(json.get("status")), str(json.get("created_at")),
                str(json.get("finished_at")), str(user.get("username")), str(pipeline.get("web_url")));
    }

    private static String str(Object value) {
        return value == null ? "" : String.valueOf(value);
    }
}
