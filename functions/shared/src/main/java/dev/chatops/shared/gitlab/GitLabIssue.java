package dev.chatops.shared.gitlab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An issue as GitLab's Issues API returns it: the fields ChatOps shows or needs. */
public record GitLabIssue(long id, long iid, String title, String state, String webUrl, List<String> labels) {
    public GitLabIssue {
        labels = List.copyOf(labels);
    }

    static GitLabIssue from(Map<String, Object> json) {
        List<String> labels = new ArrayList<>();
        if (json.get("labels") instanceof List<?> list) {
            for (Object label : list) {
                // Plain names, or objects with with_labels_details=true.
                labels.add(label instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : String.valueOf(label));
            }
        }
        return new GitLabIssue(((Number) json.get("id")).longValue(), ((Number) json.get("iid")).longValue(),
                String.valueOf(json.get("title")), String.valueOf(json.get("state")),
                json.get("web_url") == null ? "" : String.valueOf(json.get("web_url")), labels);
    }
}
