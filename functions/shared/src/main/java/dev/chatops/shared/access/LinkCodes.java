package dev.chatops.shared.access;

import static dev.chatops.shared.access.AccessLinks.PK;
import static dev.chatops.shared.access.AccessLinks.s;

import dev.chatops.shared.access.AccessStore.Confirmation;
import dev.chatops.shared.access.AccessStore.Pending;
import dev.chatops.shared.runtime.StoreException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The one-time codes and link states of {@link AccessStore}: {@code pending#<code>} holds a GitLab
 * account that signed in until its owner confirms in Slack (or the code expires), and
 * {@code state#<nonce>} marks a link state used.
 */
final class LinkCodes {
    private static final String CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    private final DynamoDbClient dynamo;
    private final String table;
    private final AccessLinks links;

    LinkCodes(DynamoDbClient dynamo, String table, AccessLinks links) {
        this.dynamo = dynamo;
        this.table = table;
        this.links = links;
    }

    /** Links with a code, in the one transaction {@link AccessStore#confirm} describes. */
    Confirmation confirm(String code, String workspace, String slackUserId, Instant now) {
        Optional<String> key = pendingKeyOf(code);
        Optional<Pending> held = key.flatMap(k -> readPending(k, now));
        if (held.isEmpty()) {
            return new Confirmation.CodeUnusable();
        }
        Pending account = held.get();
        // No role or 2FA from the held code: LinkFunction writes it, and may not vouch for them. They are read
        // from GitLab by `link CODE` right after, or by the next command.
        Link link = Link.of(workspace, slackUserId, account.instance(), account.gitlabUserId(),
                account.gitlabUsername(), now);
        TransactWriteItem spend = TransactWriteItem.builder()
                .delete(d -> d.tableName(table).key(Map.of(PK, s(key.get())))
                .conditionExpression("attribute_exists(pk) AND expiresAt > :now AND gitlabUserId = :id")
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now.getEpochSecond())),
                        ":id", AttributeValue.fromN(Long.toString(account.gitlabUserId()))))).build();
        Optional<TransactionCanceledException> refused = links.transact("link " + slackUserId + " with a code",
                spend, links.forwardPut(link), links.reversePut(link));
        if (refused.isEmpty()) {
            return new Confirmation.Linked(account);
        }
        List<CancellationReason> reasons = refused.get().cancellationReasons();
        if (AccessLinks.conditionFailed(reasons, 0)) {
            return new Confirmation.CodeUnusable();
        }
        if (AccessLinks.conditionFailed(reasons, 1)) {
            Map<String, AttributeValue> existing = reasons.get(1).hasItem() ? reasons.get(1).item() : Map.of();
            return new Confirmation.SlackUserLinked(existing.containsKey("gitlabUsername")
                    ? existing.get("gitlabUsername").s() : "another account");
        }
        return new Confirmation.AccountTaken(account);
    }

    /**
     * Marks a link state's nonce used, once: false when it was used before. The item expires with
     * the state (DynamoDB's TTL on {@code expiresAt}).
     */
    boolean consumeNonce(String nonce, Instant expiresAt) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of(PK, s("state#" + nonce),
                            "expiresAt", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond()))))
                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new StoreException("could not record a link state", e);
        }
    }

    /**
     * Keeps a signed-in GitLab account under a fresh one-time code until {@code expiresAt}; the code
     * (8 characters, about 40 bits) is what its owner types in Slack.
     */
    String holdPending(Pending pending, Instant expiresAt) {
        for (int attempt = 0; attempt < 5; attempt++) {
            StringBuilder code = new StringBuilder();
            SecureRandom random = new SecureRandom();
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
            } catch (ConditionalCheckFailedException e) {
                // a code in use: draw another
            } catch (SdkException e) {
                throw new StoreException("could not hold a pending link", e);
            }
        }
        throw new StoreException("could not draw a free link code", null);
    }

    /** The account held under {@code code}, if the code is held and unexpired; the code stays as it is. */
    Optional<Pending> pending(String code, Instant now) {
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

    /**
     * The key a code as typed is held under ({@code abcd efgh}, {@code ABCDEFGH} → {@code pending#ABCD-EFGH});
     * empty if no code could look like it.
     */
    private static Optional<String> pendingKeyOf(String code) {
        String normalised = code.strip().toUpperCase(Locale.ROOT).replace(" ", "");
        if (!normalised.matches("[A-Z0-9]{4}-?[A-Z0-9]{4}")) {
            return Optional.empty();
        }
        return Optional.of(pendingKey(normalised.contains("-") ? normalised
                : normalised.substring(0, 4) + "-" + normalised.substring(4)));
    }

    private static String pendingKey(String code) {
        return "pending#" + code;
    }
}
