package dev.chatops.shared.gitlab;

import java.util.Map;

/** A commit as GitLab's Commits API returns it: the fields ChatOps shows. */
public record GitLabCommit(String id, String title, String createdAt, String webUrl) {
    static GitLabCommit from(Map<String, Object> json) {
        return new GitLabCommit(String.valueOf(json.get("id")), String.valueOf(json.getOrDefault("title", "")),
                String.valueOf(json.getOrDefault("created_at", "")), String.valueOf(json.getOrDefault("web_url", "")));
    }
}
