package dev.chatops.testing.aws;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.chatops.testing.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * template.yaml as CloudFormation deploys it: the CloudFormation JSON that AWS's own SAM transform
 * ({@code samtranslator}, run in a Python child process) makes of it, and a model read from that
 * JSON alone: functions with the Globals applied, the versions and aliases SAM generates, event
 * invoke configs, HTTP API routes, event source mappings, tables, secrets, queues and each
 * function's role with its policies. Values stay unresolved intrinsics ({@code {"Ref": "X"}});
 * {@link Intrinsics} resolves them.
 */
public final class SamTemplate {
    /** The region the transform runs for when none is given (the local stack's). */
    public static final String DEFAULT_REGION = "us-east-1";
    /** Names the Python to run the transform with, over {@code .venv/bin/python3} and {@code python3}. */
    public static final String PYTHON_ENV = "CHATOPS_PYTHON";
    private static final String SCRIPT = "sam_transform.py";
    private static final long TIMEOUT_SECONDS = 120;

    /** A function ({@code AWS::Lambda::Function}), with Lambda's defaults where the template sets nothing. */
    public record Function(String logicalId, String handler, String runtime, int memorySize, int timeout,
            Map<String, Object> environment, String roleLogicalId, Optional<String> snapStartApplyOn,
            Optional<Object> vpcConfig) {
    }

    /** An {@code AWS::Lambda::Version} SAM generates for a function's AutoPublishAlias. */
    public record Version(String logicalId, String functionLogicalId) {
    }

    /** An {@code AWS::Lambda::Alias}: {@code UserFunctionAliaslive} is alias {@code live} of {@code UserFunction}. */
    public record Alias(String logicalId, String name, String functionLogicalId, String versionLogicalId) {
    }

    /** An {@code AWS::Lambda::EventInvokeConfig}: how Lambda retries a function's asynchronous invocations. */
    public record EventInvokeConfig(String logicalId, String functionLogicalId, String qualifier,
            Optional<Integer> maximumRetryAttempts, Optional<Integer> maximumEventAgeInSeconds,
            Optional<Object> onFailureDestination, Optional<Object> onSuccessDestination) {
    }

    /**
     * A route of an HTTP API ({@code AWS::ApiGatewayV2::Api} Body), integrated with a function through
     * {@code target}: the function itself or one of its aliases.
     */
    public record HttpRoute(String apiLogicalId, String method, String path, String functionLogicalId,
            String targetLogicalId, String payloadFormatVersion) {
        /** {@code "POST /slack/commands"}. */
        public String key() {
            return method + " " + path;
        }
    }

    /**
     * An {@code AWS::ApiGatewayV2::Stage} of an HTTP API: its name, and its route settings as
     * declared ({@code ThrottlingBurstLimit}, {@code ThrottlingRateLimit}, …), unresolved:
     * {@code DefaultRouteSettings} for every route, {@code RouteSettings} by route key over them.
     */
    public record HttpStage(
            String logicalId,
            String apiLogicalId,
            Object stageName,
            Map<String, Object> defaultRouteSettings,
            Map<String, Map<String, Object>> routeSettings) {}

    /** An {@code AWS::Lambda::EventSourceMapping}: Lambda polls {@code eventSourceArn} for a function. */
    public record EventSourceMapping(String logicalId, Object eventSourceArn, Optional<String> sourceLogicalId,
            String functionLogicalId, String targetLogicalId, Optional<Integer> batchSize,
            List<String> functionResponseTypes) {
    }

    /** An attribute or a key element of a table: a name and its type ({@code S}) or key type ({@code HASH}). */
    public record NamedType(String name, String type) {
    }

    /** A global secondary index as declared. */
    public record Index(String name, List<NamedType> keySchema, String projectionType) {
    }

    /** An {@code AWS::DynamoDB::Table} as declared. */
    public record Table(String logicalId, List<NamedType> attributes, List<NamedType> keySchema,
            List<Index> globalSecondaryIndexes, Optional<String> timeToLiveAttribute, Optional<String> billingMode) {
    }

    /** An {@code AWS::SecretsManager::Secret}: a SecretString (maybe an intrinsic) or a GenerateSecretString. */
    public record Secret(
            String logicalId, Optional<Object> secretString, Optional<Map<String, Object>> generateSecretString) {}

    /** An {@code AWS::SQS::Queue} and its properties as declared. */
    public record Queue(String logicalId, Map<String, Object> properties) {
    }

    /** One inline policy of a role, its document unresolved. */
    public record InlinePolicy(String name, Object document) {
    }

    /** An {@code AWS::IAM::Role}: its inline policies and managed policy ARNs, unresolved. */
    public record Role(String logicalId, List<InlinePolicy> policies, List<Object> managedPolicyArns) {
    }

    private final Map<String, Object> root;

    private SamTemplate(Map<String, Object> root) {
        this.root = root;
    }

    /** The project's template.yaml, transformed with {@code parameterValues} over its defaults. */
    public static SamTemplate project(Map<String, String> parameterValues) {
        return transform(Template.projectRoot().resolve("template.yaml"), parameterValues);
    }

    public static SamTemplate transform(Path templateYaml, Map<String, String> parameterValues) {
        return transform(templateYaml, parameterValues, DEFAULT_REGION);
    }

    /**
     * Runs AWS's SAM transform on {@code templateYaml} for {@code region}.
     *
     * @throws IllegalStateException when Python or samtranslator is missing, or the transform rejects the template
     */
    public static SamTemplate transform(Path templateYaml, Map<String, String> parameterValues, String region) {
        String python = python();
        String script = script();
        List<String> command = List.of(python, "-c", script, templateYaml.toAbsolutePath().toString(), region);
        String shown = python + " -c \"$(cat " + SCRIPT + ")\" " + templateYaml + " " + region;
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + python + " for AWS's SAM transform (" + e.getMessage()
                    + "); install it with: pip install cfn-lint, or name a Python that has it in " + PYTHON_ENV, e);
        }
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                in.write(JSON.std.asBytes(new LinkedHashMap<>(parameterValues)));
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(shown + " took longer than " + TIMEOUT_SECONDS + " s");
            }
            String errors = err.join();
            if (process.exitValue() != 0) {
                String hint = errors.contains("ModuleNotFoundError")
                        ? "; install AWS's SAM transform with: pip install cfn-lint"
                        : "";
                throw new IllegalStateException(
                        shown + " failed (exit " + process.exitValue() + ")" + hint + ":\n" + errors.strip());
            }
            return new SamTemplate(JSON.std.mapFrom(out.join()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot talk to " + shown, e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + shown, e);
        }
    }

    /** A template already transformed, such as a saved copy of the transform's output. */
    public static SamTemplate ofCloudFormation(String json) {
        try {
            return new SamTemplate(JSON.std.mapFrom(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("not CloudFormation JSON", e);
        }
    }

    /**
     * {@code $CHATOPS_PYTHON}, else the project's {@code .venv/bin/python3} (CI installs cfn-lint
     * there), else {@code python3}.
     */
    static String python() {
        String configured = System.getenv(PYTHON_ENV);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        Path venv = projectRootIfAny().map(root -> root.resolve(".venv/bin/python3")).orElse(null);
        if (venv != null && Files.isExecutable(venv)) {
            return venv.toString();
        }
        return "python3";
    }

    private static Optional<Path> projectRootIfAny() {
        try {
            return Optional.of(Template.projectRoot());
        } catch (IllegalStateException notInTheProject) {
            return Optional.empty();
        }
    }

    private static String script() {
        try (InputStream in = SamTemplate.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing beside " + SamTemplate.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SCRIPT, e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    // ---- the transformed template, as read ----

    /** The transformed template as parsed JSON. */
    public Map<String, Object> json() {
        return root;
    }

    /** Logical id → resource ({@code Type}, {@code Properties}, …), in the transform's order. */
    public Map<String, Map<String, Object>> resources() {
        Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, resource) -> resources.put(id, map(resource)));
        return resources;
    }

    /** Logical id → properties, for each resource of {@code type}. */
    public Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        resources().forEach((id, resource) -> {
            if (type.equals(resource.get("Type"))) {
                found.put(id, map(resource.get("Properties")));
            }
        });
        return found;
    }

    /** The name of the condition a resource is created under ({@code Condition: HasX}), if it has one. */
    public Optional<String> resourceCondition(String logicalId) {
        Map<String, Object> resource = resources().get(logicalId);
        return resource == null || resource.get("Condition") == null ? Optional.empty()
                : Optional.of(String.valueOf(resource.get("Condition")));
    }

    /** The type of a resource, or empty when the template has no such resource. */
    public Optional<String> resourceType(String logicalId) {
        Map<String, Object> resource = resources().get(logicalId);
        return resource == null ? Optional.empty() : Optional.of(String.valueOf(resource.get("Type")));
    }

    /** Parameter name → its declaration ({@code Type}, {@code Default}, …). */
    public Map<String, Map<String, Object>> parameters() {
        Map<String, Map<String, Object>> parameters = new LinkedHashMap<>();
        map(root.get("Parameters")).forEach((name, declaration) -> parameters.put(name, map(declaration)));
        return parameters;
    }

    /** Condition name → its expression. */
    public Map<String, Object> conditions() {
        return map(root.get("Conditions"));
    }

    /** Every function, by logical id. */
    public Map<String, Function> functions() {
        Map<String, Function> functions = new LinkedHashMap<>();
        resources("AWS::Lambda::Function").forEach((id, props) -> functions.put(id, function(id, props)));
        return functions;
    }

    public Function function(String logicalId) {
        Function function = functions().get(logicalId);
        if (function == null) {
            throw new IllegalArgumentException("the transformed template has no AWS::Lambda::Function " + logicalId);
        }
        return function;
    }

    private Function function(String id, Map<String, Object> props) {
        Object role = props.get("Role");
        String roleId = getAttTarget(role, "Arn")
                .filter(r -> resourceType(r).orElse("").equals("AWS::IAM::Role"))
                .orElseThrow(() -> new IllegalArgumentException(
                        "the Role of " + id + " is not !GetAtt <an AWS::IAM::Role>.Arn but " + role));
        Object vpc = props.get("VpcConfig");
        return new Function(id, text(props, "Handler", id), text(props, "Runtime", id),
                // Lambda's defaults when the template sets none: 128 MB and 3 s
                // (AWS::Lambda::Function, MemorySize and Timeout).
                number(props, "MemorySize", id).orElse(128), number(props, "Timeout", id).orElse(3),
                map(map(props.get("Environment")).get("Variables")), roleId,
                Optional.ofNullable(map(props.get("SnapStart")).get("ApplyOn")).map(String::valueOf),
                Optional.ofNullable(vpc));
    }

    /** Every version SAM generated, by logical id. */
    public Map<String, Version> versions() {
        Map<String, Version> versions = new LinkedHashMap<>();
        resources("AWS::Lambda::Version").forEach((id, props) ->
                versions.put(id, new Version(id, refTarget(props.get("FunctionName"), id + " FunctionName"))));
        return versions;
    }

    /** Every alias, by logical id ({@code UserFunctionAliaslive}). */
    public Map<String, Alias> aliases() {
        Map<String, Alias> aliases = new LinkedHashMap<>();
        resources("AWS::Lambda::Alias").forEach((id, props) -> aliases.put(id, new Alias(id, text(props, "Name", id),
                refTarget(props.get("FunctionName"), id + " FunctionName"),
                getAttTarget(props.get("FunctionVersion"), "Version").orElseThrow(() ->
                        new IllegalArgumentException(id + " FunctionVersion is not !GetAtt <version>.Version")))));
        return aliases;
    }

    /** The function a function, version or alias logical id belongs to. */
    public String functionOf(String logicalId) {
        if (resources("AWS::Lambda::Function").containsKey(logicalId)) {
            return logicalId;
        }
        Alias alias = aliases().get(logicalId);
        if (alias != null) {
            return alias.functionLogicalId();
        }
        Version version = versions().get(logicalId);
        if (version != null) {
            return version.functionLogicalId();
        }
        throw new IllegalArgumentException(logicalId + " is no function, version or alias of the transformed template");
    }

    /** The alias of a function named {@code name} ({@code live}), if SAM made one. */
    public Optional<Alias> alias(String functionLogicalId, String name) {
        return aliases().values().stream()
                .filter(a -> a.functionLogicalId().equals(functionLogicalId) && a.name().equals(name)).findFirst();
    }

    /** Function logical id → its event invoke config. */
    public Map<String, EventInvokeConfig> eventInvokeConfigs() {
        Map<String, EventInvokeConfig> configs = new LinkedHashMap<>();
        resources("AWS::Lambda::EventInvokeConfig").forEach((id, props) -> {
            String function = functionOf(refTarget(props.get("FunctionName"), id + " FunctionName"));
            Map<String, Object> destinations = map(props.get("DestinationConfig"));
            configs.put(function, new EventInvokeConfig(id, function, text(props, "Qualifier", id),
                    number(props, "MaximumRetryAttempts", id), number(props, "MaximumEventAgeInSeconds", id),
                    Optional.ofNullable(map(destinations.get("OnFailure")).get("Destination")),
                    Optional.ofNullable(map(destinations.get("OnSuccess")).get("Destination"))));
        });
        return configs;
    }

    private static final Pattern INVOCATION_URI =
            Pattern.compile("/functions/\\$\\{([A-Za-z0-9]+)(?:\\.Arn)?}/invocations$");

    /** Every route of every HTTP API, from the OpenAPI Body SAM writes. */
    public List<HttpRoute> httpRoutes() {
        List<HttpRoute> routes = new ArrayList<>();
        resources("AWS::ApiGatewayV2::Api").forEach((api, props) -> {
            if (!props.containsKey("Body")) {
                throw new IllegalArgumentException(api + " has no OpenAPI Body to read its routes from");
            }
            map(map(props.get("Body")).get("paths"))
                    .forEach((path, operations) -> map(operations).forEach((method, operation) -> {
                        Map<String, Object> integration = map(map(operation).get("x-amazon-apigateway-integration"));
                        if (integration.isEmpty()) {
                            return;
                        }
                        String verb = method.equals("x-amazon-apigateway-any-method")
                                ? "ANY"
                                : method.toUpperCase(Locale.ROOT);
                        Object uri = map(integration.get("uri")).get("Fn::Sub");
                        String template =
                                uri instanceof List<?> form ? String.valueOf(form.get(0)) : String.valueOf(uri);
                        Matcher target = INVOCATION_URI.matcher(template);
                        if (!target.find()) {
                            throw new IllegalArgumentException(api + " " + verb + " " + path
                                    + " integrates with no function: " + integration.get("uri"));
                        }
                        routes.add(new HttpRoute(
                                api,
                                verb,
                                path,
                                functionOf(target.group(1)),
                                target.group(1),
                                String.valueOf(integration.getOrDefault("payloadFormatVersion", "1.0"))));
                    }));
        });
        return routes;
    }

    /** {@code "POST /slack/commands"} → the function it reaches. */
    public Map<String, String> routes() {
        Map<String, String> routes = new LinkedHashMap<>();
        httpRoutes().forEach(route -> routes.put(route.key(), route.functionLogicalId()));
        return routes;
    }

    /** Every stage of every HTTP API, by logical id. */
    public Map<String, HttpStage> httpStages() {
        Map<String, HttpStage> stages = new LinkedHashMap<>();
        resources("AWS::ApiGatewayV2::Stage").forEach((id, props) -> {
            Map<String, Map<String, Object>> routeSettings = new LinkedHashMap<>();
            map(props.get("RouteSettings")).forEach((routeKey, settings) -> routeSettings.put(routeKey, map(settings)));
            stages.put(id, new HttpStage(id, refTarget(props.get("ApiId"), id + " ApiId"), props.get("StageName"),
                    map(props.get("DefaultRouteSettings")), routeSettings));
        });
        return stages;
    }

    /** Every event source mapping. */
    public List<EventSourceMapping> eventSourceMappings() {
        List<EventSourceMapping> mappings = new ArrayList<>();
        resources("AWS::Lambda::EventSourceMapping").forEach((id, props) -> {
            String target = refTarget(props.get("FunctionName"), id + " FunctionName");
            List<String> responseTypes = new ArrayList<>();
            for (Object type : list(props.get("FunctionResponseTypes"))) {
                responseTypes.add(String.valueOf(type));
            }
            mappings.add(new EventSourceMapping(
                    id,
                    props.get("EventSourceArn"),
                    getAttTarget(props.get("EventSourceArn"), "Arn"),
                    functionOf(target),
                    target,
                    number(props, "BatchSize", id),
                    List.copyOf(responseTypes)));
        });
        return mappings;
    }

    /** Every table, by logical id. */
    public Map<String, Table> tables() {
        Map<String, Table> tables = new LinkedHashMap<>();
        resources("AWS::DynamoDB::Table").forEach((id, props) -> {
            List<Index> indexes = new ArrayList<>();
            for (Object i : list(props.get("GlobalSecondaryIndexes"))) {
                Map<String, Object> index = map(i);
                indexes.add(new Index(
                        text(index, "IndexName", id),
                        namedTypes(index.get("KeySchema"), "AttributeName", "KeyType", id),
                        text(map(index.get("Projection")), "ProjectionType", id)));
            }
            Map<String, Object> ttl = map(props.get("TimeToLiveSpecification"));
            tables.put(
                    id,
                    new Table(
                            id,
                            namedTypes(props.get("AttributeDefinitions"), "AttributeName", "AttributeType", id),
                            namedTypes(props.get("KeySchema"), "AttributeName", "KeyType", id),
                            List.copyOf(indexes),
                            Boolean.TRUE.equals(ttl.get("Enabled"))
                                    ? Optional.of(text(ttl, "AttributeName", id))
                                    : Optional.empty(),
                            Optional.ofNullable(props.get("BillingMode")).map(String::valueOf)));
        });
        return tables;
    }

    /** Every secret, by logical id. */
    public Map<String, Secret> secrets() {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        resources("AWS::SecretsManager::Secret").forEach((id, props) -> {
            Object generate = props.get("GenerateSecretString");
            secrets.put(id, new Secret(id, Optional.ofNullable(props.get("SecretString")),
                    generate == null ? Optional.empty() : Optional.of(map(generate))));
        });
        return secrets;
    }

    /** Every queue, by logical id. */
    public Map<String, Queue> queues() {
        Map<String, Queue> queues = new LinkedHashMap<>();
        resources("AWS::SQS::Queue").forEach((id, props) -> queues.put(id, new Queue(id, props)));
        return queues;
    }

    /** Every role, by logical id. */
    public Map<String, Role> roles() {
        Map<String, Role> roles = new LinkedHashMap<>();
        resources("AWS::IAM::Role").forEach((id, props) -> {
            List<InlinePolicy> policies = new ArrayList<>();
            for (Object p : list(props.get("Policies"))) {
                Map<String, Object> policy = map(p);
                policies.add(new InlinePolicy(text(policy, "PolicyName", id), policy.get("PolicyDocument")));
            }
            roles.put(id, new Role(id, List.copyOf(policies), List.copyOf(list(props.get("ManagedPolicyArns")))));
        });
        return roles;
    }

    public Role role(String logicalId) {
        Role role = roles().get(logicalId);
        if (role == null) {
            throw new IllegalArgumentException("the transformed template has no AWS::IAM::Role " + logicalId);
        }
        return role;
    }

    /** The execution role of a function. */
    public Role roleOf(String functionLogicalId) {
        return role(function(functionLogicalId).roleLogicalId());
    }

    // ---- reading helpers ----

    /** {@code X} of {@code {"Ref": "X"}}; fails naming {@code what} otherwise. */
    private static String refTarget(Object value, String what) {
        Object ref = map(value).get("Ref");
        if (!(ref instanceof String target)) {
            throw new IllegalArgumentException(what + " is not a !Ref but " + value);
        }
        return target;
    }

    /** {@code X} of {@code {"Fn::GetAtt": ["X", attribute]}}. */
    private static Optional<String> getAttTarget(Object value, String attribute) {
        Object getAtt = map(value).get("Fn::GetAtt");
        if (getAtt instanceof List<?> pair && pair.size() == 2 && attribute.equals(pair.get(1))) {
            return Optional.of(String.valueOf(pair.get(0)));
        }
        if (getAtt instanceof String dotted && dotted.endsWith("." + attribute)) {
            return Optional.of(dotted.substring(0, dotted.length() - attribute.length() - 1));
        }
        return Optional.empty();
    }

    private static List<NamedType> namedTypes(Object value, String nameKey, String typeKey, String owner) {
        List<NamedType> types = new ArrayList<>();
        for (Object element : list(value)) {
            Map<String, Object> entry = map(element);
            types.add(new NamedType(text(entry, nameKey, owner), text(entry, typeKey, owner)));
        }
        return List.copyOf(types);
    }

    private static String text(Map<String, Object> props, String key, String owner) {
        Object value = props.get(key);
        if (!(value instanceof String || value instanceof Number)) {
            throw new IllegalArgumentException(owner + " has no literal " + key + " (" + value + ")");
        }
        return String.valueOf(value);
    }

    private static Optional<Integer> number(Map<String, Object> props, String key, String owner) {
        Object value = props.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Number n) {
            return Optional.of(n.intValue());
        }
        if (value instanceof String s && s.matches("\\d+")) {
            return Optional.of(Integer.parseInt(s));
        }
        throw new IllegalArgumentException(owner + " " + key + " is not a literal number but " + value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value instanceof List<?> l ? (List<Object>) l : List.of();
    }
}
