package dev.chatops.shared.approval;

import dev.chatops.shared.CommandRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A change waiting for, or decided by, a second person: the request exactly as its requester sent
 * it (run again, as them, once approved), who they were proven to be, the role an approver needs,
 * what the change was when asked (shown in the message), when the request expires, and the one
 * decision made on it.
 *
 * @param id      opaque; derived from the request's id, so that a second delivery of one request
 *                finds the approval the first one asked for instead of asking twice
 * @param summary the change as the message shows it (before → after, as of the request)
 */
public record Approval(String id, Status status, CommandRequest request, long requesterGitlabId,
                       String requesterGitlabUsername, int approverLevel, String summary, Instant createdAt,
                       Instant expiresAt, Optional<Decision> decision) {
    /** Where the approval stands: a pending one is decided once, by a conditional write. */
    public enum Status { PENDING, APPROVED, DENIED }

    /** Who decided, as proven at their click, and which click it was (a retried delivery of that click goes on). */
    public record Decision(String slackUserId, long gitlabUserId, String gitlabUsername, Instant at, String clickId) {
    }

    /** The id of the approval {@code requestId} asks for. */
    public static String idFor(String requestId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("approval:" + requestId).getBytes(StandardCharsets.UTF_8));
            return "ap-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** The id under which the approved change runs: the request's own, marked, so that it runs once. */
    public String executionRequestId() {
        return request.requestId() + "/approved";
    }

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** This approval with the decision now stored. */
    Approval decided(Status now, Decision by) {
        return new Approval(id, now, request, requesterGitlabId, requesterGitlabUsername, approverLevel, summary,
                createdAt, expiresAt, Optional.of(by));
    }
}
