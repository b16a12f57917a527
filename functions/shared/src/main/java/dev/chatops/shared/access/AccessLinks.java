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
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The links of {@link AccessStore}: {@code slack#<workspace>#<user>} and its reverse entry
 * {@code gitlab#<instance>#<id>}, written and removed together so that a link is one-to-one.
 */
final class AccessLinks {
    static final String PK = "pk";

    private final DynamoDbClient dynamo;
    private final String table;

    AccessLinks(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    Optional<Link> findLink(String workspace, String slackUserId) {
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
            // Not a link UserFunction wrote (an update of the cached level alone creates such an
            // item): nobody is linked.
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
    void link(Link link) {
        Optional<TransactionCanceledException> refused = transact("store the link of " + link.slackUserId(),
                forwardPut(link), reversePut(link));
        if (refused.isPresent()) {
            throw new LinkConflictException("Slack user " + link.slackUserId() + " or GitLab user "
                    + link.gitlabUsername() + " is already linked", refused.get());
        }
    }

    TransactWriteItem forwardPut(Link link) {
        Map<String, AttributeValue> forward = new HashMap<>();
        forward.put(PK, s(slackKey(link.slackWorkspace(), link.slackUserId())));
        forward.put("instance", s(link.instance()));
        forward.put("gitlabUserId", AttributeValue.fromN(Long.toString(link.gitlabUserId())));
        forward.put("gitlabUsername", s(link.gitlabUsername()));
        forward.put("linkedAt", s(link.linkedAt().toString()));
        link.accessLevel()
                .ifPresent(level -> forward.put("accessLevel", AttributeValue.fromN(Integer.toString(level))));
        link.twoFactor().ifPresent(on -> forward.put("twoFactor", AttributeValue.fromBool(on)));
        link.checkedAt().ifPresent(at -> forward.put("checkedAt", s(at.toString())));
        // On refusal, the link that is there: whom the Slack user is linked to already.
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(forward)
                .conditionExpression("attribute_not_exists(pk)")
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build();
    }

    TransactWriteItem reversePut(Link link) {
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
    Optional<TransactionCanceledException> transact(String what, TransactWriteItem... items) {
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

    static boolean conditionFailed(List<CancellationReason> reasons, int item) {
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

    /** Removes a Slack user's link and its reverse entry together; the link that was removed, if any. */
    Optional<Link> unlink(String workspace, String slackUserId) {
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
                            .expressionAttributeValues(
                                    Map.of(":id", AttributeValue.fromN(Long.toString(l.gitlabUserId())))))
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
    Optional<String[]> slackUserOf(String instance, long gitlabUserId) {
        try {
            GetItemResponse response = dynamo.getItem(
                    b -> b.tableName(table).key(Map.of(PK, s(gitlabKey(instance, gitlabUserId)))));
            if (!response.hasItem() || response.item().isEmpty()) {
                return Optional.empty();
            }
            Map<String, AttributeValue> item = response.item();
            return Optional.of(new String[] {item.get("slackWorkspace").s(), item.get("slackUserId").s()});
        } catch (SdkException e) {
            throw new StoreException("could not read the link of GitLab user " + gitlabUserId, e);
        }
    }

    static String slackKey(String workspace, String userId) {
        return "slack#" + workspace + "#" + userId;
    }

    static String gitlabKey(String instance, long gitlabUserId) {
        return "gitlab#" + instance + "#" + gitlabUserId;
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
