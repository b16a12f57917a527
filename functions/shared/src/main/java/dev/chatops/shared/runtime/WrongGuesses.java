package dev.chatops.shared.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Wrong guesses of a secret (a link code) per person, counted in the requests table beside
 * {@link RequestClaims}' items (key {@code guesses#<kind>#<workspace>#<user>}, which cannot be a request
 * id): at most {@link #LIMIT} in a window of {@link #WINDOW} that opens with the first wrong guess;
 * once the limit is reached, guessing is paused until the window ends. The window's end is checked
 * in each write's condition (TTL deletes late); an atomic {@code ADD} counts each guess before it is
 * checked, so of guesses made at once no more than the limit are checked.
 */
public final class WrongGuesses {
    public static final int LIMIT = 5;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    static final String WRONG = "wrong";
    static final String WINDOW_ENDS = "windowEndsMs";

    private final DynamoDbClient dynamo;
    private final String table;

    public WrongGuesses(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Counts one guess, before it is checked (counting only wrong ones after checking would let
     * attempts made at once all be checked before any was counted): the count so far in this window,
     * this one included, and when the window ends. A guess whose count is over {@link #LIMIT} is not
     * to be checked.
     */
    public Count count(String kind, String workspace, String user, Instant now) {
        // Two tries at most: a window can end between the first write's condition and the second's.
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<Count> added = add(kind, workspace, user, now);
            if (added.isPresent()) {
                return added.get();
            }
            Optional<Count> opened = open(kind, workspace, user, now);
            if (opened.isPresent()) {
                return opened.get();
            }
        }
        throw new StoreException(
                "could not count a wrong " + kind + " guess of " + user + ": the window kept changing", null);
    }

    /** What {@link #count} found: the guesses counted in the window, this one included, and when it ends. */
    public record Count(int wrong, Instant windowEnds) {
    }

    /** One more wrong guess in an open window; empty when there is none (no item, or its window over). */
    private Optional<Count> add(String kind, String workspace, String user, Instant now) {
        try {
            UpdateItemResponse response = dynamo.updateItem(b -> b.tableName(table).key(key(kind, workspace, user))
                    .updateExpression("ADD #wrong :one")
                    .conditionExpression("#ends > :nowMs")
                    .expressionAttributeNames(Map.of("#wrong", WRONG, "#ends", WINDOW_ENDS))
                    .expressionAttributeValues(Map.of(":one", n(1), ":nowMs", n(now.toEpochMilli())))
                    .returnValues(ReturnValue.ALL_NEW));
            return Optional.of(countOf(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not count a wrong " + kind + " guess of " + user, e);
        }
    }

    /** A new window with this first wrong guess; empty when another request opened one meanwhile. */
    private Optional<Count> open(String kind, String workspace, String user, Instant now) {
        Instant ends = now.plus(WINDOW);
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(key(kind, workspace, user))
                    .updateExpression("SET #wrong = :one, #ends = :endsMs, #expires = :expires")
                    .conditionExpression("attribute_not_exists(#ends) OR #ends <= :nowMs")
                    .expressionAttributeNames(
                            Map.of("#wrong", WRONG, "#ends", WINDOW_ENDS, "#expires", RequestClaims.EXPIRES_AT))
                    .expressionAttributeValues(Map.of(
                            ":one",
                            n(1),
                            ":endsMs",
                            n(ends.toEpochMilli()),
                            ":nowMs",
                            n(now.toEpochMilli()),
                            ":expires",
                            n(ends.plus(RequestClaims.RETENTION).getEpochSecond()))));
            return Optional.of(new Count(1, ends));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new StoreException("could not count a wrong " + kind + " guess of " + user, e);
        }
    }

    private static Count countOf(Map<String, AttributeValue> item) {
        return new Count(
                Integer.parseInt(item.get(WRONG).n()),
                Instant.ofEpochMilli(Long.parseLong(item.get(WINDOW_ENDS).n())));
    }

    private static Map<String, AttributeValue> key(String kind, String workspace, String user) {
        return Map.of(RequestClaims.ID, AttributeValue.fromS("guesses#" + kind + "#" + workspace + "#" + user));
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
