package dev.chatops.shared.runtime;

import dev.chatops.shared.approval.ApprovalStore;
import dev.chatops.shared.command.ApprovalPolicy;
import java.time.Duration;
import java.util.Optional;

/**
 * A function's approvals: which changes wait for a second person ({@code APPROVALS}), for how long
 * ({@code APPROVAL_TTL_MINUTES}), and the table they wait in ({@code APPROVALS_TABLE}, absent in
 * functions none of whose commands can wait).
 */
public record Approvals(ApprovalPolicy policy, Duration ttl, Optional<ApprovalStore> store) {
    /** No change waits: for tests and functions whose commands never do. */
    public static Approvals none() {
        return new Approvals(ApprovalPolicy.NONE, Duration.ofMinutes(15), Optional.empty());
    }
}
