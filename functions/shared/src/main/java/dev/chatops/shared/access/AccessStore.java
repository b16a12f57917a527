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
                            .key(Map.of(PK, s(gitlabKey(l.instance(), l.gitlabUserId()))))).build()));
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
