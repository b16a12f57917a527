package dev.chatops.feature;

import dev.chatops.shared.approval.Approval;
import java.util.List;
import java.util.Optional;

/** One production change; {@code action} is {@code set} or {@code deleted}. */
record ChangeEntry(String requestId, String slackUserId, String gitlabUsername, String instance, String host,
                   String flag, String action, String before, String after, List<String> overrides, String command,
                   Optional<Approval.Decision> approvedBy, Optional<String> emergency) {
    String who() {
        return gitlabUsername.isEmpty() ? "Slack user " + slackUserId : "@" + gitlabUsername;
    }

    /** Who let it run besides its requester: the second person, or the emergency; empty when nobody had to. */
    String sanction() {
        if (approvedBy.isPresent()) {
            Approval.Decision by = approvedBy.get();
            return "approved by @" + by.gitlabUsername() + " (Slack `" + by.slackUserId() + "`)";
        }
        return emergency.map(reason -> "EMERGENCY, approval skipped: " + reason).orElse("");
    }
}
