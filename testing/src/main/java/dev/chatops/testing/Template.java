package dev.chatops.testing;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * template.yaml, read so that the local stack and the tests create exactly the tables, secrets
 * and queues it declares and give each function the environment it declares: no second,
 * hand-kept list. CloudFormation's short tags ({@code !Ref X}, {@code !GetAtt X.Arn}) are read as
 * their long forms ({@code {Ref: X}}, {@code {Fn::GetAtt: [X, Arn]}}).
 */
public final class Template {
    private final Map<String, Object> root;

    private Template(Map<String, Object> root) {
        this.root = root;
    }

    /** The project's template.yaml, found from the working directory upwards. */
    public static Template project() {
        return load(projectRoot().resolve("template.yaml"));
    }

    public static Path projectRoot() {
        String configured = System.getProperty("chatops.root");
        if (configured != null) {
            return Paths.get(configured).toAbsolutePath();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("template.yaml")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("template.yaml not found above " + Paths.get("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    public static Template load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Yaml yaml = new Yaml(new CloudFormationConstructor());
            return new Template((Map<String, Object>) yaml.load(reader));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Logical id → resource properties, for every resource of {@code type}, in template order. */
    public Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, value) -> {
            Map<String, Object> resource = map(value);
            if (type.equals(resource.get("Type"))) {
                found.put(id, map(resource.getOrDefault("Properties", Map.of())));
            }
        });
        return found;
    }

    /** Parameter name → its default value, where it has one. */
    public Map<String, String> parameterDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        map(root.getOrDefault("Parameters", Map.of())).forEach((name, value) -> {
            Object fallback = map(value).get("Default");
            if (fallback != null) {
                defaults.put(name, String.valueOf(fallback));
            }
        });
        return defaults;
    }

    /**
     * The environment a function gets: the Globals' variables, then its own, with {@code Ref} and
     * {@code Fn::GetAtt} resolved through {@code refs} ({@code "X"} for {@code !Ref X},
     * {@code "X.Arn"} for {@code !GetAtt X.Arn}; {@code !Ref F.Alias} resolves as {@code F}).
     */
    public Map<String, String> functionEnvironment(String functionId, Map<String, String> refs) {
        Map<String, String> env = new LinkedHashMap<>();
        declaredEnvironment(functionId).forEach((k, v) -> {
            String value = resolveConditional(v, refs);
            if (value != null) {
                env.put(k, value);
            }
        });
        return env;
    }

    /** Like {@link #resolve}, and also {@code Fn::If} on the template's conditions; null for {@code AWS::NoValue}. */
    String resolveConditional(Object value, Map<String, String> refs) {
        Map<String, Object> intrinsic = map(value);
        if (intrinsic.containsKey("Fn::If") && intrinsic.get("Fn::If") instanceof List<?> choice) {
            return resolveConditional(condition(String.valueOf(choice.get(0)), refs) ? choice.get(1) : choice.get(2), refs);
        }
        if ("AWS::NoValue".equals(intrinsic.get("Ref"))) {
            return null;
        }
        return resolve(value, refs);
    }

    private boolean condition(String name, Map<String, String> refs) {
        Object expression = map(root.getOrDefault("Conditions", Map.of())).get(name);
        if (expression == null) {
            throw new IllegalArgumentException("no condition " + name + " in template.yaml");
        }
        return evaluate(expression, refs);
    }

    private boolean evaluate(Object expression, Map<String, String> refs) {
        Map<String, Object> function = map(expression);
        if (function.get("Fn::Not") instanceof List<?> not) {
            return !evaluate(not.get(0), refs);
        }
        if (function.get("Fn::Equals") instanceof List<?> equals) {
            return resolve(equals.get(0), refs).equals(resolve(equals.get(1), refs));
        }
        if (function.containsKey("Condition")) {
            return condition(String.valueOf(function.get("Condition")), refs);
        }
        throw new IllegalArgumentException("the local stack cannot evaluate the condition " + expression);
    }

    /** The names of the variables a function gets, Globals' and its own. */
    public java.util.Set<String> environmentNames(String functionId) {
        return declaredEnvironment(functionId).keySet();
    }

    private Map<String, Object> declaredEnvironment(String functionId) {
        Map<String, Object> declared = new LinkedHashMap<>();
        Map<String, Object> globals = map(map(map(root.getOrDefault("Globals", Map.of())).getOrDefault("Function", Map.of()))
                .getOrDefault("Environment", Map.of()));
        declared.putAll(map(globals.getOrDefault("Variables", Map.of())));
        Map<String, Object> function = resources("AWS::Serverless::Function").get(functionId);
        if (function == null) {
            throw new IllegalArgumentException("no function " + functionId + " in template.yaml");
        }
        declared.putAll(map(map(function.getOrDefault("Environment", Map.of())).getOrDefault("Variables", Map.of())));
        return declared;
    }

    /** A property every function gets from {@code Globals.Function}, or {@code fallback}. */
    public Object globalFunctionProperty(String name, Object fallback) {
        return map(map(root.getOrDefault("Globals", Map.of())).getOrDefault("Function", Map.of())).getOrDefault(name, fallback);
    }

    /** The queue logical id of a function's on-failure destination, if it has one. */
    public java.util.Optional<String> failureDestination(String functionId) {
        Map<String, Object> function = resources("AWS::Serverless::Function").get(functionId);
        Object destination = map(map(map(function.getOrDefault("EventInvokeConfig", Map.of()))
                .getOrDefault("DestinationConfig", Map.of())).getOrDefault("OnFailure", Map.of())).get("Destination");
        Object target = map(destination).get("Fn::GetAtt");
        return target instanceof List<?> list ? java.util.Optional.of(String.valueOf(list.get(0))) : java.util.Optional.empty();
    }

    /** How many times Lambda retries a failed asynchronous invocation of the function (default 2). */
    public int maximumRetryAttempts(String functionId) {
        Map<String, Object> function = resources("AWS::Serverless::Function").get(functionId);
        Object retries = map(function.getOrDefault("EventInvokeConfig", Map.of())).get("MaximumRetryAttempts");
        return retries == null ? 2 : Integer.parseInt(String.valueOf(retries));
    }

    /** {@code "POST /slack/commands"} → the function its HttpApi event routes to. */
    public Map<String, String> httpRoutes() {
        Map<String, String> routes = new LinkedHashMap<>();
        resources("AWS::Serverless::Function").forEach((id, props) ->
                map(props.getOrDefault("Events", Map.of())).values().forEach(e -> {
                    Map<String, Object> event = map(e);
                    if ("HttpApi".equals(event.get("Type"))) {
                        Map<String, Object> p = map(event.get("Properties"));
                        routes.put(String.valueOf(p.get("Method")).toUpperCase(java.util.Locale.ROOT) + " " + p.get("Path"), id);
                    }
                }));
        return routes;
    }

    /** Queue logical id → the function its SQS event source feeds. */
    public Map<String, String> sqsConsumers() {
        Map<String, String> consumers = new LinkedHashMap<>();
        resources("AWS::Serverless::Function").forEach((id, props) ->
                map(props.getOrDefault("Events", Map.of())).values().forEach(e -> {
                    Map<String, Object> event = map(e);
                    if ("SQS".equals(event.get("Type"))) {
                        Object target = map(map(event.get("Properties")).get("Queue")).get("Fn::GetAtt");
                        if (target instanceof List<?> list) {
                            consumers.put(String.valueOf(list.get(0)), id);
                        }
                    }
                }));
        return consumers;
    }

    /** The handler class of a function ({@code Handler: a.b.C::handleRequest} gives {@code a.b.C}). */
    public String handlerClass(String functionId) {
        Map<String, Object> function = resources("AWS::Serverless::Function").get(functionId);
        String handler = String.valueOf(function.get("Handler"));
        int colons = handler.indexOf("::");
        return colons < 0 ? handler : handler.substring(0, colons);
    }

    static String resolve(Object value, Map<String, String> refs) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        Map<String, Object> intrinsic = map(value);
        if (intrinsic.containsKey("Ref")) {
            String name = String.valueOf(intrinsic.get("Ref"));
            String key = name.endsWith(".Alias") ? name.substring(0, name.length() - ".Alias".length()) : name;
            return lookup(refs, key);
        }
        if (intrinsic.containsKey("Fn::GetAtt")) {
            Object target = intrinsic.get("Fn::GetAtt");
            String key = target instanceof List<?> list ? list.get(0) + "." + list.get(1) : String.valueOf(target);
            return lookup(refs, key);
        }
        throw new IllegalArgumentException("the local stack cannot resolve " + value);
    }

    private static String lookup(Map<String, String> refs, String key) {
        String resolved = refs.get(key);
        if (resolved == null) {
            throw new IllegalArgumentException("nothing local stands for " + key);
        }
        return resolved;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** Reads {@code !Tag value} as {@code {Fn::Tag: value}}, {@code !Ref} as {@code {Ref: …}}. */
    private static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            this.yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String tag = node.getTag().getValue().substring(1);
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = constructScalar(scalar);
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    if (tag.equals("Ref")) {
                        return Map.of("Ref", value);
                    }
                    if (tag.equals("GetAtt") && value instanceof String dotted) {
                        int dot = dotted.indexOf('.');
                        return Map.of("Fn::GetAtt", List.of(dotted.substring(0, dot), dotted.substring(dot + 1)));
                    }
                    return Map.of("Fn::" + tag, value);
                }
            });
        }
    }
}
