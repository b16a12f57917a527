package dev.chatops.shared.access;

import dev.chatops.shared.runtime.StoreException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Access state in DynamoDB, one table keyed by {@code pk}:
 * <ul>
 *   <li>{@code slack#<workspace>#<user>}: the Slack user's link and the cached GitLab snapshot;</li>
 *   <li>{@code gitlab#<instance>#<id>}: the reverse entry that makes a link one-to-one.</li>
 * </ul>
 * The workspace is the Enterprise Grid organisation when there is one (a user keeps one id across
 * its workspaces), otherwise the team.
 */
public final class AccessStore {
    static final String PK = "pk";

    private final DynamoDbClient dynamo;
    private final String table;

    public AccessStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The workspace a Slack user's link belongs to: the enterprise when there is one, else the team. */
    public static String workspaceOf(String teamId, String enterpriseId) {
        return enterpriseId == null || enterpriseId.isEmpty() ? teamId : enterpriseId;
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
        Map<String, AttributeValue> forward = new HashMap<>();
        forward.put(PK, s(slackKey(link.slackWorkspace(), link.slackUserId())));
        forward.put("instance", s(link.instance()));
        forward.put("gitlabUserId", AttributeValue.fromN(Long.toString(link.gitlabUserId())));
        forward.put("gitlabUsername", s(link.gitlabUsername()));
        forward.put("linkedAt", s(link.linkedAt().toString()));
        link.accessLevel().ifPresent(level -> forward.put("accessLevel", AttributeValue.fromN(Integer.toString(level))));
        link.twoFactor().ifPresent(on -> forward.put("twoFactor", AttributeValue.fromBool(on)));
        link.checkedAt().ifPresent(at -> forward.put("checkedAt", s(at.toString())));
        Map<String, AttributeValue> reverse = Map.of(
                PK, s(gitlabKey(link.instance(), link.gitlabUserId())),
                "slackWorkspace", s(link.slackWorkspace()),
                "slackUserId", s(link.slackUserId()));
        for (int attempt = 1; ; attempt++) {
            try {
                dynamo.transactWriteItems(b -> b.transactItems(
                        TransactWriteItem.builder().put(Put.builder().tableName(table).item(forward)
                                .conditionExpression("attribute_not_exists(pk)").build()).build(),
                        TransactWriteItem.builder().put(Put.builder().tableName(table).item(reverse)
                                .conditionExpression("attribute_not_exists(pk)").build()).build()));
                return;
            } catch (TransactionCanceledException e) {
                boolean taken = e.hasCancellationReasons() && e.cancellationReasons().stream()
                        .anyMatch(r -> "ConditionalCheckFailed".equals(r.code()));
                if (taken) {
                    throw new LinkConflictException("Slack user " + link.slackUserId() + " or GitLab user "
                            + link.gitlabUsername() + " is already linked", e);
                }
                // Cancelled for another reason (a concurrent transaction on the same items): try again,
                // and the condition decides who wins.
                if (attempt >= 5) {
                    throw new StoreException("could not store the link of " + link.slackUserId(), e);
                }
                pause(attempt);
            } catch (SdkException e) {
                throw new StoreException("could not store the link of " + link.slackUserId(), e);
            }
        }
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
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(slackKey(link.slackWorkspace(), link.slackUserId()))))
                    .updateExpression("SET accessLevel = :level, twoFactor = :tfa, checkedAt = :at")
                    .conditionExpression("gitlabUserId = :id")
                    .expressionAttributeValues(Map.of(":level", AttributeValue.fromN(Integer.toString(accessLevel)),
                            ":tfa", AttributeValue.fromBool(twoFactor), ":at", s(checkedAt.toString()),
                            ":id", AttributeValue.fromN(Long.toString(link.gitlabUserId())))));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            // Unlinked or relinked meanwhile: this snapshot belongs to nobody now.
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
                dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(slackKey(slack[0], slack[1]))))
                        .updateExpression("REMOVE checkedAt")
                        .conditionExpression("gitlabUserId = :id")
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromN(Long.toString(gitlabUserId)))));
            } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
                // relinked meanwhile: nothing cached belongs to this account
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

    /** Takes the account held under {@code code}, once, if it has not expired. */
    public Optional<Pending> takePending(String code, Instant now) {
        String normalised = code.strip().toUpperCase(java.util.Locale.ROOT).replace(" ", "");
        if (!normalised.matches("[A-Z0-9]{4}-?[A-Z0-9]{4}")) {
            return Optional.empty();
        }
        String key = pendingKey(normalised.contains("-") ? normalised : normalised.substring(0, 4) + "-" + normalised.substring(4));
        try {
            Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table).key(Map.of(PK, s(key)))
                    .conditionExpression("attribute_exists(pk) AND expiresAt > :now")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now.getEpochSecond()))))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_OLD)).attributes();
            return Optional.of(new Pending(old.get("instance").s(), Long.parseLong(old.get("gitlabUserId").n()),
                    old.get("gitlabUsername").s(), Integer.parseInt(old.get("accessLevel").n()),
                    Instant.parse(old.get("checkedAt").s())));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not take a pending link", e);
        }
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
