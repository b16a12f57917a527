package dev.chatops.shared.access;

import dev.chatops.shared.runtime.StoreException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

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
    static final String PK = "pk";

    private final DynamoDbClient dynamo;
    private final String table;

    public AccessStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public Optional<Link> findLink(String workspace, String slackUserId) {
        GetItemResponse response;
        try {
            response = dynamo.getItem(b -> b.tableName(table).key(Map.of(PK, s(slackKey(workspace, slackUserId)))));
        } catch (SdkException e) {
            throw new StoreException("could not read the link of " + slackUserId, e);
        }
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        if (!item.containsKey("instance") || !item.containsKey("gitlabUserId") || !item.containsKey("gitlabUsername")
                || !item.containsKey("linkedAt")) {
            // Not a link UserFunction wrote (an update of the cached level alone creates such an item): nobody is linked.
            return Optional.empty();
        }
        return Optional.of(new Link(workspace, slackUserId,
                item.get("instance").s(),
                Long.parseLong(item.get("gitlabUserId").n()),
                item.get("gitlabUsername").s(),
                Instant.parse(item.get("linkedAt").s()),
                Optional.ofNullable(item.get("accessLevel")).map(v -> Integer.parseInt(v.n())),
                Optional.ofNullable(item.get("twoFactor")).map(AttributeValue::bool),
                Optional.ofNullable(item.get("checkedAt")).map(v -> Instant.parse(v.s()))));
    }

    /**
     * Stores {@code link} and its reverse entry in one transaction that fails, with a
     * {@link LinkConflictException}, when either side is already linked: of two concurrent links of
     * one GitLab account, exactly one succeeds.
     */
    public void link(Link link) {
        Optional<TransactionCanceledException> refused = transact("store the link of " + link.slackUserId(),
                forwardPut(link), reversePut(link));
        if (refused.isPresent()) {
            throw new LinkConflictException("Slack user " + link.slackUserId() + " or GitLab user "
                    + link.gitlabUsername() + " is already linked", refused.get());
        }
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

        /** The GitLab account held under the code is linked to another Slack user. Nothing changed; the code still works. */
        record AccountTaken(Pending account) implements Confirmation {
        }
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
        Optional<String> key = pendingKeyOf(code);
        Optional<Pending> held = key.flatMap(k -> readPending(k, now));
        if (held.isEmpty()) {
            return new Confirmation.CodeUnusable();
        }
        Pending account = held.get();
        // No role or 2FA from the held code: LinkFunction writes it, and may not vouch for them. They are read from
        // GitLab by `link CODE` right after, or by the next command.
        Link link = Link.of(workspace, slackUserId, account.instance(), account.gitlabUserId(), account.gitlabUsername(), now);
        TransactWriteItem spend = TransactWriteItem.builder().delete(d -> d.tableName(table).key(Map.of(PK, s(key.get())))
                .conditionExpression("attribute_exists(pk) AND expiresAt > :now AND gitlabUserId = :id")
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now.getEpochSecond())),
                        ":id", AttributeValue.fromN(Long.toString(account.gitlabUserId()))))).build();
        Optional<TransactionCanceledException> refused = transact("link " + slackUserId + " with a code",
                spend, forwardPut(link), reversePut(link));
        if (refused.isEmpty()) {
            return new Confirmation.Linked(account);
        }
        List<CancellationReason> reasons = refused.get().cancellationReasons();
        if (conditionFailed(reasons, 0)) {
            return new Confirmation.CodeUnusable();
        }
        if (conditionFailed(reasons, 1)) {
            Map<String, AttributeValue> existing = reasons.get(1).hasItem() ? reasons.get(1).item() : Map.of();
            return new Confirmation.SlackUserLinked(existing.containsKey("gitlabUsername")
                    ? existing.get("gitlabUsername").s() : "another account");
        }
        return new Confirmation.AccountTaken(account);
    }

    private TransactWriteItem forwardPut(Link link) {
        Map<String, AttributeValue> forward = new HashMap<>();
        forward.put(PK, s(slackKey(link.slackWorkspace(), link.slackUserId())));
        forward.put("instance", s(link.instance()));
        forward.put("gitlabUserId", AttributeValue.fromN(Long.toString(link.gitlabUserId())));
        forward.put("gitlabUsername", s(link.gitlabUsername()));
        forward.put("linkedAt", s(link.linkedAt().toString()));
        link.accessLevel().ifPresent(level -> forward.put("accessLevel", AttributeValue.fromN(Integer.toString(level))));
        link.twoFactor().ifPresent(on -> forward.put("twoFactor", AttributeValue.fromBool(on)));
        link.checkedAt().ifPresent(at -> forward.put("checkedAt", s(at.toString())));
        // On refusal, the link that is there: whom the Slack user is linked to already.
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(forward)
                .conditionExpression("attribute_not_exists(pk)")
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build();
    }

    private TransactWriteItem reversePut(Link link) {
        Map<String, AttributeValue> reverse = Map.of(
                PK, s(gitlabKey(link.instance(), link.gitlabUserId())),
                "slackWorkspace", s(link.slackWorkspace()),
                "slackUserId", s(link.slackUserId()));
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(reverse)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    /**
     * Runs a write transaction: empty when it was done, otherwise its cancellation when an item's
     * condition failed (its reasons say which, one per item in order). Cancelled for another reason
     * only (a concurrent transaction on the same items), it is tried again and the conditions decide.
     */
    private Optional<TransactionCanceledException> transact(String what, TransactWriteItem... items) {
        for (int attempt = 1; ; attempt++) {
            try {
                dynamo.transactWriteItems(b -> b.transactItems(items));
                return Optional.empty();
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                for (int i = 0; i < reasons.size(); i++) {
                    if (conditionFailed(reasons, i)) {
                        return Optional.of(e);
                    }
                }
                if (attempt >= 5) {
                    throw new StoreException("could not " + what, e);
                }
                pause(attempt);
            } catch (SdkException e) {
                throw new StoreException("could not " + what, e);
            }
        }
    }

    private static boolean conditionFailed(List<CancellationReason> reasons, int item) {
        return item < reasons.size() && "ConditionalCheckFailed".equals(reasons.get(item).code());
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(10, 50L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while linking", e);
        }
    }

    /** Stores what GitLab said of a linked account just now: its level on the chatops project and its 2FA. */
    public void saveSnapshot(Link link, int accessLevel, boolean twoFactor, Instant checkedAt) {
        try {
            // The link is told by when it was made, not by whom it names: the role's IAM grant lets this update touch
            // the snapshot and linkedAt only, so that no function keeping a snapshot can re-point a link.
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(slackKey(link.slackWorkspace(), link.slackUserId()))))
                    .updateExpression("SET accessLevel = :level, twoFactor = :tfa, checkedAt = :at")
                    .conditionExpression("linkedAt = :linked")
                    .expressionAttributeValues(Map.of(":level", AttributeValue.fromN(Integer.toString(accessLevel)),
                            ":tfa", AttributeValue.fromBool(twoFactor), ":at", s(checkedAt.toString()),
                            ":linked", s(link.linkedAt().toString())))
                    .returnValues(ReturnValue.NONE));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            // Unlinked or relinked meanwhile (a new link has a new linkedAt): this snapshot belongs to nobody now.
        } catch (SdkException e) {
            throw new StoreException("could not store the access snapshot of " + link.slackUserId(), e);
        }
    }

    /**
     * Forgets the cached level and 2FA of whoever is linked to this GitLab account, so the next
     * command reads them from GitLab again: after a membership change made through ChatOps, the new
     * rights apply at once rather than when the cache expires.
     */
    public void forgetSnapshot(String instance, long gitlabUserId) {
        slackUserOf(instance, gitlabUserId).ifPresent(slack -> {
            try {
                // Relinked meanwhile, the next command merely reads the new account's role again.
                dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(slackKey(slack[0], slack[1]))))
                        .updateExpression("REMOVE checkedAt")
                        .conditionExpression("attribute_exists(pk)")
                        .returnValues(ReturnValue.NONE));
            } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
                // unlinked meanwhile: nothing is cached
            } catch (SdkException e) {
                throw new StoreException("could not forget the access snapshot of GitLab user " + gitlabUserId, e);
            }
        });
    }

    /** Removes a Slack user's link and its reverse entry together; the link that was removed, if any. */
    public Optional<Link> unlink(String workspace, String slackUserId) {
        Optional<Link> link = findLink(workspace, slackUserId);
        if (link.isEmpty()) {
            return link;
        }
        Link l = link.get();
        try {
            dynamo.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().delete(d -> d.tableName(table)
                            .key(Map.of(PK, s(slackKey(workspace, slackUserId))))
                            .conditionExpression("gitlabUserId = :id")
                            .expressionAttributeValues(Map.of(":id", AttributeValue.fromN(Long.toString(l.gitlabUserId())))))
                            .build(),
                    TransactWriteItem.builder().delete(d -> d.tableName(table)
                            .key(Map.of(PK, s(gitlabKey(l.instance(), l.gitlabUserId()))))
                            .conditionExpression("slackUserId = :user")
                            .expressionAttributeValues(Map.of(":user", s(slackUserId)))).build()));
            return link;
        } catch (TransactionCanceledException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not unlink " + slackUserId, e);
        }
    }

    /** The Slack user a GitLab account is linked to: {@code [workspace, user id]}. */
    public Optional<String[]> slackUserOf(String instance, long gitlabUserId) {
        try {
            GetItemResponse response = dynamo.getItem(b -> b.tableName(table).key(Map.of(PK, s(gitlabKey(instance, gitlabUserId)))));
            if (!response.hasItem() || response.item().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new String[] {response.item().get("slackWorkspace").s(), response.item().get("slackUserId").s()});
        } catch (SdkException e) {
            throw new StoreException("could not read the link of GitLab user " + gitlabUserId, e);
        }
    }

    /**
     * Marks a link state's nonce used, once: false when it was used before. The item expires with
     * the state (DynamoDB's TTL on {@code expiresAt}).
     */
    public boolean consumeNonce(String nonce, Instant expiresAt) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of(PK, s("state#" + nonce), "expiresAt", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond()))))
                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new StoreException("could not record a link state", e);
        }
    }

    /** A GitLab account that signed in and passed the checks, waiting for its owner to confirm in Slack. */
    public record Pending(String instance, long gitlabUserId, String gitlabUsername, int accessLevel, Instant checkedAt) {
    }

    private static final String CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /**
     * Keeps a signed-in GitLab account under a fresh one-time code until {@code expiresAt}; the code
     * (8 characters, about 40 bits) is what its owner types in Slack.
     */
    public String holdPending(Pending pending, Instant expiresAt) {
        for (int attempt = 0; attempt < 5; attempt++) {
            StringBuilder code = new StringBuilder();
            java.security.SecureRandom random = new java.security.SecureRandom();
            for (int i = 0; i < 8; i++) {
                code.append(CODE_ALPHABET.charAt(random.nextInt(CODE_ALPHABET.length())));
            }
            String shown = code.substring(0, 4) + "-" + code.substring(4);
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(PK, s(pendingKey(shown)));
            item.put("instance", s(pending.instance()));
            item.put("gitlabUserId", AttributeValue.fromN(Long.toString(pending.gitlabUserId())));
            item.put("gitlabUsername", s(pending.gitlabUsername()));
            item.put("accessLevel", AttributeValue.fromN(Integer.toString(pending.accessLevel())));
            item.put("checkedAt", s(pending.checkedAt().toString()));
            item.put("expiresAt", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond())));
            try {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
                return shown;
            } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
                // a code in use: draw another
            } catch (SdkException e) {
                throw new StoreException("could not hold a pending link", e);
            }
        }
        throw new StoreException("could not draw a free link code", null);
    }

    /** The account held under {@code code}, if the code is held and unexpired; the code stays as it is. */
    public Optional<Pending> pending(String code, Instant now) {
        return pendingKeyOf(code).flatMap(key -> readPending(key, now));
    }

    private Optional<Pending> readPending(String key, Instant now) {
        GetItemResponse response;
        try {
            // Consistent: a code shown a moment ago is found.
            response = dynamo.getItem(b -> b.tableName(table).key(Map.of(PK, s(key))).consistentRead(true));
        } catch (SdkException e) {
            throw new StoreException("could not read a pending link", e);
        }
        Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
        // Expired items linger until DynamoDB's TTL removes them.
        if (item.isEmpty() || Long.parseLong(item.get("expiresAt").n()) <= now.getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(new Pending(item.get("instance").s(), Long.parseLong(item.get("gitlabUserId").n()),
                item.get("gitlabUsername").s(), Integer.parseInt(item.get("accessLevel").n()),
                Instant.parse(item.get("checkedAt").s())));
    }

    /** The key a code as typed is held under ({@code abcd efgh}, {@code ABCDEFGH} → {@code pending#ABCD-EFGH}); empty if no code could look like it. */
    private static Optional<String> pendingKeyOf(String code) {
        String normalised = code.strip().toUpperCase(java.util.Locale.ROOT).replace(" ", "");
        if (!normalised.matches("[A-Z0-9]{4}-?[A-Z0-9]{4}")) {
            return Optional.empty();
        }
        return Optional.of(pendingKey(normalised.contains("-") ? normalised : normalised.substring(0, 4) + "-" + normalised.substring(4)));
    }

    private static String pendingKey(String code) {
        return "pending#" + code;
    }

    static String slackKey(String workspace, String userId) {
        return "slack#" + workspace + "#" + userId;
    }

    static String gitlabKey(String instance, long gitlabUserId) {
        return "gitlab#" + instance + "#" + gitlabUserId;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
