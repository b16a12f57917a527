package dev.chatops.shared.access;

import dev.chatops.shared.Log;
import dev.chatops.shared.access.DelegatedAccessCheck.AccessCheckRequest;
import java.util.Optional;

/**
 * The answering side of {@link DelegatedAccessCheck}, in AccessCheckFunction, which holds the read-only token:
 * reads the caller's link itself, checks it names the account asked about, reads the level and 2FA
 * from GitLab and keeps them, as its own commands would. Nothing in the request is trusted beyond
 * whom to look up: a wrong or stale request gets "not linked", never another account's role.
 */
public final class AccessCheckAnswers {
    private final AccessStore access;
    private final String chatopsInstance;
    private final AccessCheck check;

    /** @param chatopsInstance where the chatops project is: a link to an account elsewhere has no role to check */
    public AccessCheckAnswers(AccessStore access, String chatopsInstance, AccessCheck check) {
        this.access = access;
        this.chatopsInstance = chatopsInstance;
        this.check = check;
    }

    /** The answer to {@code asked}, as JSON. */
    public String answer(AccessCheckRequest asked) {
        Optional<Link> link = access.findLink(asked.workspace(), asked.slackUserId());
        if (link.isEmpty()
                || link.get().gitlabUserId() != asked.gitlabUserId()
                || !link.get().instance().equals(chatopsInstance)) {
            Log.info("access.check_unlinked", "slackUser", asked.slackUserId());
            return AccessCheckRequest.notLinked();
        }
        AccessCheck.Snapshot now;
        try {
            now = check.check(link.get());
        } catch (AccessCheckException e) {
            Log.error("access.check_failed", e);
            return AccessCheckRequest.failed(e.brief());
        }
        access.saveSnapshot(link.get(), now.accessLevel(), now.twoFactor(), now.checkedAt());
        Log.info(
                "access.checked",
                "gitlabUser",
                link.get().gitlabUsername(),
                "accessLevel",
                now.accessLevel(),
                "twoFactor",
                now.twoFactor());
        return AccessCheckRequest.answer(now);
    }
}
