package dev.chatops.shared.access;

import java.time.Instant;

/**
 * Reads, now, what the {@link Authorizer} needs of a linked GitLab account: its level on the
 * chatops project and whether it has two-factor authentication. Two ways: with the read-only admin
 * token ({@link GitLabAccessCheck}), or by asking the function that holds it
 * ({@link DelegatedAccessCheck}), for a function that holds no GitLab token at all.
 */
public interface AccessCheck {
    /** What GitLab said of an account at {@code checkedAt}; a blocked or deleted account has level 0 and no 2FA. */
    record Snapshot(int accessLevel, boolean twoFactor, Instant checkedAt) {
    }

    /**
     * The account's level and 2FA now.
     *
     * @throws AccessCheckException when they could not be read (GitLab unreachable or refusing, the
     *                              function that reads them failing); nothing may be assumed then
     */
    Snapshot check(Link link);
}
