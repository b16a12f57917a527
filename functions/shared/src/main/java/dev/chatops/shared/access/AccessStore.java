package dev.chatops.shared.access;

import dev.chatops.shared.runtime.StoreException;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Access state in DynamoDB, one table keyed by {@code pk}:
 * <ul>
 *   <li>{@code slack#<workspace>#<user>}: the Slack user's link and the cached GitLab snapshot;</li>
 *   <li>{@code gitlab#<instance>#<id>}: the reverse entry that makes a link one-to-one;</li>
 *   <li>{@code pending#<code>}: a GitLab account that signed in, held under the one-time code its owner
 *       types in Slack, until the link is made or the code expires;</li>
 *   <li>{@code state#<nonce>}: a used link state.</li>
 * </ul>
 * The workspace is {@link dev.chatops.shared.CommandRequest#workspace()}: the Enterprise Grid
 * organisation when there is one (a user keeps one id across its workspaces), otherwise the team.
 */
public final class AccessStore {
    private final AccessLinks links;
    private final LinkCodes codes;
    private final AccessSnapshots snapshots;

    public AccessStore(DynamoDbClient dynamo, String table) {
        this.links = new AccessLinks(dynamo, table);
        this.codes = new LinkCodes(dynamo, table, links);
        this.snapshots = new AccessSnapshots(dynamo, table, links);
    }

    public Optional<Link> findLink(String workspace, String slackUserId) {
        return links.findLink(workspace, slackUserId);
    }

    /**
     * Stores {@code link} and its reverse entry in one transaction that fails, with a
     * {@link LinkConflictException}, when either side is already linked: of two concurrent links of
     * one GitLab account, exactly one succeeds.
     */
    public void link(Link link) {
        links.link(link);
    }

    /** What came of {@link #confirm}: linked, or why not. Only {@link Linked} spent the code. */
    public sealed interface Confirmation {
        /** The Slack user is now linked to the account held under the code, and the code is spent. */
        record Linked(Pending account) implements Confirmation {
        }

        /** No code like it is held: unknown, expired or already used. Nothing changed. */
        record CodeUnusable() implements Confirmation {
        }

        /** The Slack user is linked already, to {@code gitlabUsername}. Nothing changed; the code still works. */
        record SlackUserLinked(String gitlabUsername) implements Confirmation {
        }

        /**
         * The GitLab account held under the code is linked to another Slack user. Nothing changed; the
         * code still works.
         */
        record AccountTaken(Pending account) implements Confirmation {
        }
    }

    /** A GitLab account that signed in and passed the checks, waiting for its owner to confirm in Slack. */
    public record Pending(String instance, long gitlabUserId, String gitlabUsername, int accessLevel,
                          Instant checkedAt) {
    }

    /**
     * Links a Slack user to the GitLab account held under a one-time {@code code} and spends the code,
     * in one transaction of three items:
     * <ol>
     *   <li>{@code Delete} the code, on condition that it is still there (a used code is deleted),
     *       unexpired and held for the account read a moment before;</li>
     *   <li>{@code Put} the Slack user's link, on condition that the user has none;</li>
     *   <li>{@code Put} the reverse entry, on condition that the GitLab account has none.</li>
     * </ol>
     * All three happen or none does: a refused or failed link leaves the code usable until it expires,
     * and of two uses of one code, however close, at most one links.
     *
     * @throws StoreException when DynamoDB did not do it (unreachable, throttled, access denied):
     *                        nothing changed, the code included
     */
    public Confirmation confirm(String code, String workspace, String slackUserId, Instant now) {
        return codes.confirm(code, workspace, slackUserId, now);
    }

    /** Stores what GitLab said of a linked account just now: its level on the chatops project and its 2FA. */
    public void saveSnapshot(Link link, int accessLevel, boolean twoFactor, Instant checkedAt) {
        snapshots.saveSnapshot(link, accessLevel, twoFactor, checkedAt);
    }

    /**
     * Forgets the cached level and 2FA of whoever is linked to this GitLab account, so the next
     * command reads them from GitLab again: after a membership change made through ChatOps, the new
     * rights apply at once rather than when the cache expires.
     */
    public void forgetSnapshot(String instance, long gitlabUserId) {
        snapshots.forgetSnapshot(instance, gitlabUserId);
    }

    /** Removes a Slack user's link and its reverse entry together; the link that was removed, if any. */
    public Optional<Link> unlink(String workspace, String slackUserId) {
        return links.unlink(workspace, slackUserId);
    }

    /** The Slack user a GitLab account is linked to: {@code [workspace, user id]}. */
    public Optional<String[]> slackUserOf(String instance, long gitlabUserId) {
        return links.slackUserOf(instance, gitlabUserId);
    }

    /**
     * Marks a link state's nonce used, once: false when it was used before. The item expires with
     * the state (DynamoDB's TTL on {@code expiresAt}).
     */
    public boolean consumeNonce(String nonce, Instant expiresAt) {
        return codes.consumeNonce(nonce, expiresAt);
    }

    /**
     * Keeps a signed-in GitLab account under a fresh one-time code until {@code expiresAt}; the code
     * (8 characters, about 40 bits) is what its owner types in Slack.
     */
    public String holdPending(Pending pending, Instant expiresAt) {
        return codes.holdPending(pending, expiresAt);
    }

    /** The account held under {@code code}, if the code is held and unexpired; the code stays as it is. */
    public Optional<Pending> pending(String code, Instant now) {
        return codes.pending(code, now);
    }
}
