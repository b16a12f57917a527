package dev.chatops.shared.access;

import static dev.chatops.shared.access.AccessLinks.PK;
import static dev.chatops.shared.access.AccessLinks.s;
import static dev.chatops.shared.access.AccessLinks.slackKey;

import dev.chatops.shared.runtime.StoreException;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The GitLab snapshot cached on a link (level on the chatops project, 2FA, when it was read), so
 * that not every command asks GitLab again.
 */
final class AccessSnapshots {
    private final DynamoDbClient dynamo;
    private final String table;
    private final AccessLinks links;

    AccessSnapshots(DynamoDbClient dynamo, String table, AccessLinks links) {
        this.dynamo = dynamo;
        this.table = table;
        this.links = links;
    }

    /** Stores what GitLab said of a linked account just now: its level on the chatops project and its 2FA. */
    void saveSnapshot(Link link, int accessLevel, boolean twoFactor, Instant checkedAt) {
        try {
            // The link is told by when it was made, not by whom it names: the role's IAM grant lets this update
            // touch the snapshot and linkedAt only, so that no function keeping a snapshot can re-point a link.
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(PK, s(slackKey(link.slackWorkspace(), link.slackUserId()))))
                    .updateExpression("SET accessLevel = :level, twoFactor = :tfa, checkedAt = :at")
                    .conditionExpression("linkedAt = :linked")
                    .expressionAttributeValues(Map.of(":level", AttributeValue.fromN(Integer.toString(accessLevel)),
                            ":tfa", AttributeValue.fromBool(twoFactor), ":at", s(checkedAt.toString()),
                            ":linked", s(link.linkedAt().toString())))
                    .returnValues(ReturnValue.NONE));
        } catch (ConditionalCheckFailedException e) {
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
    void forgetSnapshot(String instance, long gitlabUserId) {
        links.slackUserOf(instance, gitlabUserId).ifPresent(slack -> {
            try {
                // Relinked meanwhile, the next command merely reads the new account's role again.
                dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(slackKey(slack[0], slack[1]))))
                        .updateExpression("REMOVE checkedAt")
                        .conditionExpression("attribute_exists(pk)")
                        .returnValues(ReturnValue.NONE));
            } catch (ConditionalCheckFailedException e) {
                // unlinked meanwhile: nothing is cached
            } catch (SdkException e) {
                throw new StoreException("could not forget the access snapshot of GitLab user " + gitlabUserId, e);
            }
        });
    }
}
