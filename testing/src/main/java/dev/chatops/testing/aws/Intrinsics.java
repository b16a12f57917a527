package dev.chatops.testing.aws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * CloudFormation's intrinsic functions over a transformed template: {@code Ref}, {@code Fn::GetAtt},
 * {@code Fn::Sub}, {@code Fn::Join}, {@code Fn::If} with the template's {@code Conditions},
 * {@code Fn::Select}, {@code Fn::Split}, {@code AWS::NoValue}, pseudo parameters and the template's
 * parameters (defaults applied, {@code CommaDelimitedList} as lists). What a resource stands for
 * (its physical id and attributes) comes from the caller's {@link PhysicalIds}. Anything else, or
 * anything unknown, fails with a message that names it.
 */
public final class Intrinsics {
    /** What the resources of the template are where it is deployed. */
    public interface PhysicalIds {
        /** What {@code !Ref logicalId} returns (a table's name, a queue's URL, a secret's ARN, …). */
        String ref(String logicalId);

        /** What {@code !GetAtt logicalId.name} returns. */
        String attribute(String logicalId, String name);
    }

    /** The pseudo parameters of the stack. */
    public record Pseudo(String region, String accountId, String partition, String urlSuffix, String stackName) {
        /** A stack in {@code region} of the {@code aws} partition. */
        public static Pseudo of(String region, String accountId, String stackName) {
            return new Pseudo(region, accountId, "aws", "amazonaws.com", stackName);
        }
    }

    /** Stands for {@code AWS::NoValue} while resolving; removed from maps and lists. */
    private static final Object NO_VALUE = new Object();

    private final SamTemplate template;
    private final Map<String, String> parameters;
    private final Pseudo pseudo;
    private final PhysicalIds physicalIds;

    /**
     * @param parameterValues values of the template's parameters, over their defaults
     */
    public Intrinsics(
            SamTemplate template, Map<String, String> parameterValues, Pseudo pseudo, PhysicalIds physicalIds) {
        this.template = template;
        this.pseudo = pseudo;
        this.physicalIds = physicalIds;
        for (String name : parameterValues.keySet()) {
            if (!template.parameters().containsKey(name)) {
                throw new IllegalArgumentException("the template declares no parameter " + name);
            }
        }
        this.parameters = new LinkedHashMap<>();
        template.parameters().forEach((name, declaration) -> {
            if (parameterValues.containsKey(name)) {
                parameters.put(name, parameterValues.get(name));
            } else if (declaration.containsKey("Default")) {
                parameters.put(name, String.valueOf(declaration.get("Default")));
            }
        });
    }

    /** What {@code Ref} of a parameter gives: its value, as a list for the list types. */
    private Object parameter(String name) {
        String value = parameters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("parameter " + name + " has no value and no default");
        }
        String type = String.valueOf(template.parameters().get(name).get("Type"));
        switch (type) {
            case "String":
            case "Number":
                return value;
            case "CommaDelimitedList":
            case "List<Number>":
                return value.isEmpty()
                        ? List.of("")
                        : List.of(value.split(",", -1)).stream()
                                .map(String::strip)
                                .toList();
            default:
                throw new IllegalArgumentException(
                        "parameter " + name + " has type " + type + ", which the local stack does not resolve");
        }
    }

    /** The value, resolved; empty when it is (or resolves to) {@code AWS::NoValue}. */
    public Optional<Object> resolve(Object value) {
        Object resolved = eval(value);
        return resolved == NO_VALUE ? Optional.empty() : Optional.of(resolved);
    }

    /** The value resolved to a string; fails when it resolves to a list, a map or no value. */
    public String resolveString(Object value) {
        Object resolved = eval(value);
        if (resolved instanceof String || resolved instanceof Number || resolved instanceof Boolean) {
            return String.valueOf(resolved);
        }
        throw new IllegalArgumentException(
                value + " resolves to " + (resolved == NO_VALUE ? "AWS::NoValue" : resolved) + ", not a string");
    }

    /** A map of values (such as environment variables) resolved, keys of {@code AWS::NoValue} dropped. */
    public Map<String, String> resolveStrings(Map<String, Object> values) {
        Map<String, String> resolved = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            Object v = eval(value);
            if (v != NO_VALUE) {
                resolved.put(key, resolveString(v));
            }
        });
        return resolved;
    }

    /** The value of one of the template's conditions. */
    public boolean condition(String name) {
        Object expression = template.conditions().get(name);
        if (expression == null) {
            throw new IllegalArgumentException("the template has no condition " + name);
        }
        return truth(expression);
    }

    private Object eval(Object value) {
        if (value instanceof List<?> list) {
            List<Object> resolved = new ArrayList<>();
            for (Object element : list) {
                Object v = eval(element);
                if (v != NO_VALUE) {
                    resolved.add(v);
                }
            }
            return resolved;
        }
        if (!(value instanceof Map<?, ?>)) {
            return value;
        }
        Map<String, Object> map = SamTemplate.map(value);
        if (map.size() == 1) {
            Map.Entry<String, Object> only = map.entrySet().iterator().next();
            String key = only.getKey();
            if (key.equals("Ref") || key.startsWith("Fn::")) {
                return function(key, only.getValue());
            }
        }
        Map<String, Object> resolved = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            Object r = eval(v);
            if (r != NO_VALUE) {
                resolved.put(k, r);
            }
        });
        return resolved;
    }

    private Object function(String name, Object argument) {
        switch (name) {
            case "Ref":
                return ref(String.valueOf(eval(argument)));
            case "Fn::GetAtt":
                return getAtt(argument);
            case "Fn::Sub":
                return sub(argument);
            case "Fn::Join": {
                List<Object> args = arguments(name, argument, 2);
                List<Object> parts = SamTemplate.list(expectList(name, eval(args.get(1))));
                List<String> texts = new ArrayList<>();
                for (Object part : parts) {
                    texts.add(resolveString(part));
                }
                return String.join(resolveString(args.get(0)), texts);
            }
            case "Fn::If": {
                List<Object> args = arguments(name, argument, 3);
                return eval(condition(String.valueOf(args.get(0))) ? args.get(1) : args.get(2));
            }
            case "Fn::Select": {
                List<Object> args = arguments(name, argument, 2);
                int index = Integer.parseInt(resolveString(args.get(0)));
                List<Object> from = SamTemplate.list(expectList(name, eval(args.get(1))));
                if (index < 0 || index >= from.size()) {
                    throw new IllegalArgumentException("Fn::Select index " + index + " is outside " + from);
                }
                return from.get(index);
            }
            case "Fn::Split": {
                List<Object> args = arguments(name, argument, 2);
                String delimiter = resolveString(args.get(0));
                String source = resolveString(args.get(1));
                List<Object> parts = new ArrayList<>();
                int start = 0;
                for (int at = source.indexOf(delimiter);
                        at >= 0 && !delimiter.isEmpty();
                        at = source.indexOf(delimiter, start)) {
                    parts.add(source.substring(start, at));
                    start = at + delimiter.length();
                }
                parts.add(source.substring(start));
                return parts;
            }
            case "Fn::Equals":
            case "Fn::Not":
            case "Fn::And":
            case "Fn::Or":
                return truth(Map.of(name, argument));
            default:
                throw new IllegalArgumentException("the local stack does not resolve " + name + " (" + argument + ")");
        }
    }

    private boolean truth(Object expression) {
        Map<String, Object> function = SamTemplate.map(expression);
        if (function.size() != 1) {
            throw new IllegalArgumentException("not a condition: " + expression);
        }
        Map.Entry<String, Object> only = function.entrySet().iterator().next();
        switch (only.getKey()) {
            case "Fn::Equals": {
                List<Object> args = arguments("Fn::Equals", only.getValue(), 2);
                return Objects.equals(comparable(eval(args.get(0))), comparable(eval(args.get(1))));
            }
            case "Fn::Not":
                return !truth(arguments("Fn::Not", only.getValue(), 1).get(0));
            case "Fn::And":
                return SamTemplate.list(only.getValue()).stream().allMatch(this::truth);
            case "Fn::Or":
                return SamTemplate.list(only.getValue()).stream().anyMatch(this::truth);
            case "Condition":
                return condition(String.valueOf(only.getValue()));
            default:
                throw new IllegalArgumentException("the local stack cannot evaluate the condition " + expression);
        }
    }

    /** Numbers and strings compare by their text, as CloudFormation's Fn::Equals does. */
    private static Object comparable(Object value) {
        return value instanceof Number || value instanceof Boolean ? String.valueOf(value) : value;
    }

    private Object ref(String name) {
        switch (name) {
            case "AWS::NoValue":
                return NO_VALUE;
            case "AWS::Region":
                return pseudo.region();
            case "AWS::AccountId":
                return pseudo.accountId();
            case "AWS::Partition":
                return pseudo.partition();
            case "AWS::URLSuffix":
                return pseudo.urlSuffix();
            case "AWS::StackName":
                return pseudo.stackName();
            default:
                break;
        }
        if (template.parameters().containsKey(name)) {
            return parameter(name);
        }
        if (name.startsWith("AWS::")) {
            throw new IllegalArgumentException("the local stack does not resolve the pseudo parameter " + name);
        }
        requireResource(name, "Ref " + name);
        return Objects.requireNonNull(physicalIds.ref(name), "nothing local stands for Ref " + name);
    }

    private Object getAtt(Object argument) {
        String logicalId;
        String attribute;
        if (argument instanceof String dotted && dotted.contains(".")) {
            logicalId = dotted.substring(0, dotted.indexOf('.'));
            attribute = dotted.substring(dotted.indexOf('.') + 1);
        } else {
            List<Object> args = arguments("Fn::GetAtt", argument, 2);
            logicalId = resolveString(args.get(0));
            attribute = resolveString(args.get(1));
        }
        return attribute(logicalId, attribute);
    }

    private String attribute(String logicalId, String attribute) {
        requireResource(logicalId, "Fn::GetAtt " + logicalId + "." + attribute);
        return Objects.requireNonNull(physicalIds.attribute(logicalId, attribute),
                "nothing local stands for Fn::GetAtt " + logicalId + "." + attribute);
    }

    private void requireResource(String logicalId, String what) {
        if (template.resourceType(logicalId).isEmpty()) {
            throw new IllegalArgumentException(what + ": the template has no parameter or resource " + logicalId);
        }
    }

    private String sub(Object argument) {
        String text;
        Map<String, Object> variables;
        if (argument instanceof String s) {
            text = s;
            variables = Map.of();
        } else {
            List<Object> args = arguments("Fn::Sub", argument, 2);
            text = String.valueOf(args.get(0));
            variables = SamTemplate.map(args.get(1));
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("${", i);
            if (open < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, open);
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("Fn::Sub has an unclosed ${ in " + text);
            }
            String name = text.substring(open + 2, close);
            if (name.startsWith("!")) {
                out.append("${").append(name.substring(1)).append('}');
            } else if (variables.containsKey(name)) {
                out.append(resolveString(variables.get(name)));
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                out.append(attribute(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1)));
            } else {
                Object value = ref(name);
                if (!(value instanceof String)) {
                    throw new IllegalArgumentException("Fn::Sub ${" + name + "} is not a string but " + value);
                }
                out.append(value);
            }
            i = close + 1;
        }
        return out.toString();
    }

    private static List<Object> arguments(String function, Object argument, int count) {
        if (!(argument instanceof List<?> list) || list.size() != count) {
            throw new IllegalArgumentException(function + " takes " + count + " arguments, not " + argument);
        }
        return SamTemplate.list(list);
    }

    private static Object expectList(String function, Object value) {
        if (!(value instanceof List<?>)) {
            throw new IllegalArgumentException(function + " needs a list, not " + value);
        }
        return value;
    }
}
