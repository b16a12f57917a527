package dev.chatops.testing.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A statement's {@code Condition} block, evaluated as the IAM User Guide has it ("IAM JSON policy
 * elements: Condition operators", "Multivalued context keys"): every operator block must hold, and
 * within one every key; a key holds when the request's value matches any of the policy's values.
 * <ul>
 *   <li>{@code StringEquals}/{@code StringLike} (case-sensitive; {@code *} and {@code ?} wildcards
 *       in {@code Like}) are false when the key is absent from the request; their negations
 *       ({@code StringNotEquals}/{@code StringNotLike}) are true then.</li>
 *   <li>{@code …IfExists} is true when the key is absent.</li>
 *   <li>{@code ForAllValues:} holds when every value of the request's key matches (and when the key
 *       is absent or empty: the gap that makes it unsafe on keys a request can leave out);
 *       {@code ForAnyValue:} when at least one does.</li>
 * </ul>
 * Only the keys a request's context is given here are accepted ({@link #KEYS}): a condition on any
 * other key would be evaluated as absent, laxer than AWS, so the policy is refused when read. The
 * multivalued DynamoDB keys take a set operator, as DynamoDB's guide requires.
 */
public final class Conditions {
    /** The context keys the local stack gives requests, and whether each is multivalued. */
    static final Map<String, Boolean> KEYS = Map.of(
            "dynamodb:LeadingKeys", true,
            "dynamodb:Attributes", true,
            "dynamodb:ReturnValues", false,
            "dynamodb:Select", false);

    private static final List<String> OPERATORS =
            List.of("StringEquals", "StringNotEquals", "StringLike", "StringNotLike");

    private record Test(String operator, Qualifier qualifier, boolean ifExists, String key, List<String> values) {
        boolean negated() {
            return operator.contains("Not");
        }

        boolean matchesOne(String requestValue) {
            boolean any = values.stream()
                    .anyMatch(v -> operator.endsWith("Like") ? like(v, requestValue) : v.equals(requestValue));
            return negated() != any;
        }

        boolean holds(Map<String, List<String>> context) {
            List<String> present = context.get(key);
            switch (qualifier) {
                case FOR_ALL_VALUES:
                    return present == null || present.stream().allMatch(this::matchesOne);
                case FOR_ANY_VALUE:
                    return present != null && present.stream().anyMatch(this::matchesOne);
                default:
                    if (present == null || present.isEmpty()) {
                        return ifExists || negated();
                    }
                    return matchesOne(present.get(0));
            }
        }
    }

    private enum Qualifier { NONE, FOR_ALL_VALUES, FOR_ANY_VALUE }

    private static final Conditions NONE = new Conditions(List.of());

    private final List<Test> tests;

    private Conditions(List<Test> tests) {
        this.tests = List.copyOf(tests);
    }

    /** Whether every test holds for a request with these context keys. */
    public boolean hold(Map<String, List<String>> context) {
        return tests.stream().allMatch(t -> t.holds(context));
    }

    /** The {@code Condition} element of the statement {@code where}, or none when {@code condition} is null. */
    static Conditions of(Object condition, String where) {
        if (condition == null) {
            return NONE;
        }
        if (!(condition instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(
                    "statement " + where + " has a Condition that is not an object: " + condition);
        }
        List<Test> tests = new ArrayList<>();
        for (Map.Entry<String, Object> block : SamTemplate.map(condition).entrySet()) {
            String name = block.getKey();
            Qualifier qualifier = name.startsWith("ForAllValues:") ? Qualifier.FOR_ALL_VALUES
                    : name.startsWith("ForAnyValue:") ? Qualifier.FOR_ANY_VALUE : Qualifier.NONE;
            String operator = qualifier == Qualifier.NONE ? name : name.substring(name.indexOf(':') + 1);
            boolean ifExists = operator.endsWith("IfExists");
            operator = ifExists ? operator.substring(0, operator.length() - "IfExists".length()) : operator;
            if (!OPERATORS.contains(operator)) {
                throw new IllegalArgumentException("statement " + where + " uses the condition operator " + name
                        + ", which the local stack does not evaluate; it would be laxer than AWS");
            }
            if (!(block.getValue() instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(
                        "statement " + where + " has a condition " + name + " that is not an object");
            }
            for (Map.Entry<String, Object> test : SamTemplate.map(block.getValue()).entrySet()) {
                String key = test.getKey();
                Boolean multivalued = KEYS.get(key);
                if (multivalued == null) {
                    throw new IllegalArgumentException("statement " + where + " has a condition on " + key
                            + ", a key the local stack gives no request; it would be evaluated as absent,"
                            + " laxer than AWS");
                }
                if (multivalued != (qualifier != Qualifier.NONE)) {
                    throw new IllegalArgumentException("statement " + where + " tests " + key + " with " + name + ": "
                            + (multivalued
                                    ? "a multivalued key takes ForAllValues: or ForAnyValue:"
                                    : "a single-valued key takes no set operator"));
                }
                tests.add(new Test(operator, qualifier, ifExists, key, values(test.getValue(), where)));
            }
        }
        return new Conditions(tests);
    }

    private static List<String> values(Object value, String where) {
        List<String> values = new ArrayList<>();
        for (Object element : value instanceof List<?> ? SamTemplate.list(value) : List.of(value)) {
            if (!(element instanceof String text)) {
                throw new IllegalArgumentException(
                        "statement " + where + " has an unresolved or non-string condition value " + element);
            }
            if (text.contains("${")) {
                throw new IllegalArgumentException("statement " + where + " uses the policy variable in " + text
                        + ", which the local stack does not evaluate");
            }
            values.add(text);
        }
        return values;
    }

    /** {@code StringLike}: {@code *} any run of characters, {@code ?} any one, case-sensitive. */
    static boolean like(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(value).matches();
    }
}
