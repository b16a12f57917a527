package dev.chatops.testing.aws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The DynamoDB condition keys of one item request, as DynamoDB's guide ("Using IAM policy conditions
 * for fine-grained access control") defines them:
 * <ul>
 *   <li>{@code dynamodb:LeadingKeys}: the partition key values of the items the request touches;</li>
 *   <li>{@code dynamodb:Attributes}: the top-level attribute names the request reads, writes or
 *       evaluates: the key, the item put, every name of its update, condition, key condition, filter
 *       and projection expressions (and their legacy parameters); a read that names no attributes
 *       returns all of them, which no list of names covers ({@link #ALL_ATTRIBUTES});</li>
 *   <li>{@code dynamodb:ReturnValues}: the request's {@code ReturnValues}, {@code NONE} when not given;</li>
 *   <li>{@code dynamodb:Select}: a query's or scan's {@code Select}, {@code ALL_ATTRIBUTES} when not given.</li>
 * </ul>
 */
final class DynamoDbContext {
    /** The attribute name a read of every attribute stands for: matched by {@code *}, equal to no real name. */
    static final String ALL_ATTRIBUTES = "*all attributes*";

    private static final Set<String> KEYWORDS =
            Set.of("set", "remove", "add", "delete", "and", "or", "not", "between", "in");
    private static final Pattern KEY_EQUALS = Pattern.compile("(#?[A-Za-z0-9_]+)\\s*=\\s*(:[A-Za-z0-9_]+)");

    private DynamoDbContext() {
    }

    /**
     * The context of one item operation ({@code GetItem}, {@code PutItem}, {@code UpdateItem},
     * {@code DeleteItem}, {@code ConditionCheck}, {@code Query}) on a table whose partition key is
     * {@code partitionKey}.
     *
     * @throws IllegalArgumentException when the request cannot be read as DynamoDB would (an
     *                                  expression name without its placeholder, a query whose key
     *                                  condition names no partition key value)
     */
    static Map<String, List<String>> of(String operation, Map<String, Object> request, String partitionKey) {
        Map<String, String> names = strings(request.get("ExpressionAttributeNames"));
        Set<String> attributes = new LinkedHashSet<>();
        List<String> leadingKeys = new ArrayList<>();
        Map<String, Object> key = SamTemplate.map(request.get(operation.equals("PutItem") ? "Item" : "Key"));
        attributes.addAll(key.keySet());
        attributes.addAll(SamTemplate.map(request.get("Expected")).keySet());
        attributes.addAll(SamTemplate.map(request.get("AttributeUpdates")).keySet());
        for (Object name : SamTemplate.list(request.get("AttributesToGet"))) {
            attributes.add(String.valueOf(name));
        }
        for (String expression : List.of("UpdateExpression", "ConditionExpression", "KeyConditionExpression",
                "FilterExpression", "ProjectionExpression")) {
            if (request.get(expression) instanceof String text) {
                attributes.addAll(topLevelNames(text, names));
            }
        }
        Map<String, List<String>> context = new LinkedHashMap<>();
        if (operation.equals("Query")) {
            leadingKeys.add(queriedPartition(request, names, partitionKey));
            context.put("dynamodb:Select", List.of(text(request.get("Select"), "ALL_ATTRIBUTES")));
        } else {
            if (!key.containsKey(partitionKey)) {
                throw new IllegalArgumentException(operation + " names no value of the partition key " + partitionKey);
            }
            leadingKeys.add(scalar(key.get(partitionKey)));
        }
        boolean reads = operation.equals("GetItem") || operation.equals("Query");
        boolean namesWhatItReads = request.containsKey("ProjectionExpression") || request.containsKey("AttributesToGet")
                || "COUNT".equals(request.get("Select"));
        if (reads && !namesWhatItReads) {
            attributes.add(ALL_ATTRIBUTES);
        }
        context.put("dynamodb:LeadingKeys", List.copyOf(leadingKeys));
        context.put("dynamodb:Attributes", List.copyOf(new TreeSet<>(attributes)));
        if (!reads && !operation.equals("ConditionCheck")) {
            context.put("dynamodb:ReturnValues", List.of(text(request.get("ReturnValues"), "NONE")));
        }
        return context;
    }

    /** The value a query's key condition gives the partition key ({@code pk = :v}). */
    private static String queriedPartition(
            Map<String, Object> request, Map<String, String> names, String partitionKey) {
        String condition = text(request.get("KeyConditionExpression"), "");
        Matcher equals = KEY_EQUALS.matcher(condition);
        Map<String, Object> values = SamTemplate.map(request.get("ExpressionAttributeValues"));
        while (equals.find()) {
            String name = equals.group(1).startsWith("#") ? names.get(equals.group(1)) : equals.group(1);
            if (partitionKey.equals(name) && values.containsKey(equals.group(2))) {
                return scalar(values.get(equals.group(2)));
            }
        }
        throw new IllegalArgumentException("Query's key condition gives no value of the partition key " + partitionKey);
    }

    /**
     * The top-level attribute names of an expression: each path's first name ({@code a} of
     * {@code a.b[1].c}), placeholders resolved; functions, keywords and values left out.
     */
    static Set<String> topLevelNames(String expression, Map<String, String> names) {
        Set<String> found = new LinkedHashSet<>();
        boolean nested = false;
        int i = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (c == '#' || c == ':' || Character.isLetterOrDigit(c) || c == '_') {
                int start = i;
                i++;
                while (i < expression.length()
                        && (Character.isLetterOrDigit(expression.charAt(i)) || expression.charAt(i) == '_')) {
                    i++;
                }
                String token = expression.substring(start, i);
                int next = i;
                while (next < expression.length() && Character.isWhitespace(expression.charAt(next))) {
                    next++;
                }
                boolean function = next < expression.length() && expression.charAt(next) == '(';
                if (c == ':' || function || KEYWORDS.contains(token.toLowerCase(Locale.ROOT))) {
                    nested = false;
                    continue;
                }
                String name = c == '#'
                        ? Optional.ofNullable(names.get(token))
                                .orElseThrow(() -> new IllegalArgumentException("the expression uses " + token
                                        + ", which ExpressionAttributeNames does not define"))
                        : token;
                if (!nested) {
                    found.add(name);
                }
                nested = false;
            } else if (c == '.') {
                nested = true;
                i++;
            } else if (c == '[') {
                int close = expression.indexOf(']', i);
                i = close < 0 ? expression.length() : close + 1;
            } else {
                if (!Character.isWhitespace(c)) {
                    nested = false;
                }
                i++;
            }
        }
        return found;
    }

    private static String scalar(Object attributeValue) {
        Map<String, Object> value = SamTemplate.map(attributeValue);
        for (String type : List.of("S", "N", "B")) {
            if (value.get(type) != null) {
                return String.valueOf(value.get(type));
            }
        }
        throw new IllegalArgumentException("a key value that is not a string, number or binary: " + attributeValue);
    }

    private static Map<String, String> strings(Object map) {
        Map<String, String> strings = new LinkedHashMap<>();
        SamTemplate.map(map).forEach((k, v) -> strings.put(k, String.valueOf(v)));
        return strings;
    }

    private static String text(Object value, String otherwise) {
        return value instanceof String s ? s : otherwise;
    }
}
