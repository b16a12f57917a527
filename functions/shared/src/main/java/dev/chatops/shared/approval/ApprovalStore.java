package dev.chatops.shared.approval;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.runtime.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Approvals in their DynamoDB table, one item each under {@code <command>#<id>}: the key starts
 * with the command, so that IAM lets each function touch only its own command's approvals
 * ({@code dynamodb:LeadingKeys}). Asked for at most once per request (a conditional put); decided
 * at most once (a conditional update that also requires the request to be pending and unexpired).
 * Items expire through DynamoDB's TTL a week after the request does. Each names its command, by
 * which the index {@value #BY_COMMAND} lists one command's approvals in the order they were asked.
 */
public final class ApprovalStore {
    /** How long a decided or expired approval is kept for {@code audit} and late clicks. */
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofDays(7);
    /** The global secondary index of the table by {@code command} (partition) and {@code createdAt} (sort). */
    static final String BY_COMMAND = "ByCommand";

    private final DynamoDbClient dynamo;
    private final String table;

    public ApprovalStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The key of an approval of {@code command}'s. */
    static String key(String command, String id) {
        return command + "#" + id;
    }

    /**
     * Stores {@code approval} as pending, unless its request asked already: then the stored one is
     * returned (a second delivery of one request shows the same buttons, never a second approval).
     */
    public Approval ask(Approval approval) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(key(approval.request().command(), approval.id())));
        item.put("command", s(approval.request().command()));
        item.put("status", s(approval.status().name().toLowerCase(Locale.ROOT)));
        item.put("request", s(approval.request().toJson()));
        item.put("requesterGitlabId", n(approval.requesterGitlabId()));
        item.put("requesterGitlabUsername", s(approval.requesterGitlabUsername()));
        item.put("approverLevel", n(approval.approverLevel()));
        item.put("summary", s(approval.summary()));
        item.put("createdAt", s(approval.createdAt().toString()));
        item.put("expiresAt", n(approval.expiresAt().getEpochSecond()));
        item.put("ttl", n(approval.expiresAt().plus(KEPT_AFTER_EXPIRY).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")
                    .returnValues(ReturnValue.NONE));
            return approval;
        } catch (ConditionalCheckFailedException e) {
            return find(approval.request().command(), approval.id())
                    .orElseThrow(() -> new StoreException("approval " + approval.id() + " vanished", e));
        } catch (SdkException e) {
            throw new StoreException("could not store approval " + approval.id(), e);
        }
    }

    /** The approval {@code id} of {@code command}, read consistently; empty when unknown (or expired long ago). */
    public Optional<Approval> find(String command, String id) {
        Map<String, AttributeValue> item;
        try {
            item = dynamo.getItem(b -> b.tableName(table).key(Map.of("pk", s(key(command, id)))).consistentRead(true))
                    .item();
        } catch (SdkException e) {
            throw new StoreException("could not read approval " + id, e);
        }
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(from(id, item));
    }

    /**
     * The approvals of {@code command} still pending and unexpired at {@code now}, oldest first. Read
     * from the index, which DynamoDB keeps eventually consistent: one asked or decided a moment ago
     * may show as it was (a click decides by the table itself, never by this list).
     */
    public List<Approval> pending(String command, Instant now) {
        List<Approval> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        try {
            do {
                Map<String, AttributeValue> after = start;
                QueryResponse page = dynamo.query(b -> b.tableName(table).indexName(BY_COMMAND)
                        .keyConditionExpression("#command = :command")
                        .filterExpression("#status = :pending AND expiresAt > :now")
                        .expressionAttributeNames(Map.of("#command", "command", "#status", "status"))
                        .expressionAttributeValues(Map.of(":command", s(command), ":pending", s("pending"),
                                ":now", n(now.getEpochSecond())))
                        .exclusiveStartKey(after));
                for (Map<String, AttributeValue> item : page.items()) {
                    String pk = item.get("pk").s();
                    found.add(from(pk.substring(pk.indexOf('#') + 1), item));
                }
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey()
                        : null;
            } while (start != null);
        } catch (SdkException e) {
            throw new StoreException("could not list the pending approvals of " + command, e);
        }
        found.sort(Comparator.comparing(Approval::createdAt));
        return found;
    }

    private static Approval from(String id, Map<String, AttributeValue> item) {
        Optional<Approval.Decision> decision = Optional.ofNullable(item.get("decidedBy"))
                .map(by -> new Approval.Decision(by.s(), Long.parseLong(item.get("decidedByGitlabId").n()),
                        item.get("decidedByGitlab").s(),
                        Instant.parse(item.get("decidedAt").s()), item.get("decisionClick").s()));
        return new Approval(id, Approval.Status.valueOf(item.get("status").s().toUpperCase(Locale.ROOT)),
                CommandRequest.fromJson(item.get("request").s()), Long.parseLong(item.get("requesterGitlabId").n()),
                item.get("requesterGitlabUsername").s(), Integer.parseInt(item.get("approverLevel").n()),
                item.get("summary").s(), Instant.parse(item.get("createdAt").s()),
                Instant.ofEpochSecond(Long.parseLong(item.get("expiresAt").n())), decision);
    }

    /**
     * Decides {@code approval} as {@code status}, by {@code by}, if it is still pending and unexpired
     * at {@code by.at()}: the decided approval, or empty when another decision won or it expired.
     */
    public Optional<Approval> decide(Approval approval, Approval.Status status, Approval.Decision by) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of("pk", s(key(approval.request().command(), approval.id()))))
                    .updateExpression("SET #status = :decided, decidedBy = :by, decidedByGitlabId = :gitlabId, "
                            + "decidedByGitlab = :gitlab, decidedAt = :at, decisionClick = :click")
                    .conditionExpression("#status = :pending AND expiresAt > :now")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":decided", s(status.name().toLowerCase(Locale.ROOT)),
                            ":pending", s("pending"),
                            ":by", s(by.slackUserId()),
                            ":gitlabId", n(by.gitlabUserId()),
                            ":gitlab", s(by.gitlabUsername()),
                            ":at", s(by.at().toString()),
                            ":click", s(by.clickId()),
                            ":now", n(by.at().getEpochSecond())))
                    .returnValues(ReturnValue.NONE));
            return Optional.of(approval.decided(status, by));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not decide approval " + approval.id(), e);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
