package dev.chatops.testing.aws;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which IAM actions on which resources AWS checks for one HTTP request as an AWS SDK sends it, per
 * AWS's documentation (the Service Authorization Reference and each service's IAM pages): the signer
 * (access key, region and service of the SigV4 credential scope) and the (action, resource ARN)
 * checks. DynamoDB, Secrets Manager, SQS (JSON and query protocols) and Lambda's Invoke are mapped;
 * anything else comes back unmapped, with the reason, for the caller to deny.
 */
public final class AwsRequestAuthorization {
    /** One request: method, raw path with query, headers (any case), body. */
    public record Request(String method, String uri, Map<String, String> headers, byte[] body) {
        public Request {
            TreeMap<String, String> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            caseless.putAll(headers);
            headers = Collections.unmodifiableMap(caseless);
            body = body == null ? new byte[0] : body;
        }

        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name));
        }
    }

    /**
     * One check AWS makes: may the caller perform {@code action} on {@code resource}, the request's
     * condition keys being {@code context} ({@link DynamoDbContext} for DynamoDB's item actions).
     */
    public record Check(String action, String resource, Map<String, List<String>> context) {
        public Check {
            context = Map.copyOf(context);
        }

        /** A check whose request carries no condition keys. */
        public Check(String action, String resource) {
            this(action, resource, Map.of());
        }
    }

    /** The wire protocol of the request, which decides the shape of an error answer. */
    public enum Protocol { AWS_JSON_1_0, AWS_JSON_1_1, AWS_QUERY, REST_JSON, UNKNOWN }

    /** What a request asks of IAM; {@code unmapped} says why it could not be mapped, if it could not. */
    public record Result(String signingService, String region, String accessKeyId, Protocol protocol, String operation,
            List<Check> checks, Optional<String> unmapped) {
        public boolean mapped() {
            return unmapped.isEmpty();
        }
    }

    private static final Pattern CREDENTIAL =
            Pattern.compile("Credential=([^/,\\s]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request");
    /** The path of a queue URL: {@code /<account>/<name>}. */
    private static final Pattern QUEUE_PATH = Pattern.compile("/(\\d{12})/([A-Za-z0-9_-]{1,80}(?:\\.fifo)?)");
    /** A whole queue URL, nothing after the name: a query or fragment could name another queue to the server. */
    private static final Pattern QUEUE_URL =
            Pattern.compile("https?://[A-Za-z0-9.-]+(?::\\d+)?/\\d{12}/[A-Za-z0-9_-]{1,80}(?:\\.fifo)?");

    private static final Pattern INVOKE = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");
    private static final Pattern FUNCTION = Pattern.compile(
            "(?:(?:arn:([a-z-]+):lambda:([a-z0-9-]+):)?(\\d{12}):function:)?([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?");
    /** Operations that act on the one table named by {@code TableName}: the action is {@code dynamodb:<Op>}. */
    private static final Set<String> TABLE_OPERATIONS = Set.of(
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "DescribeTable",
            "CreateTable",
            "DeleteTable",
            "UpdateTable",
            "DescribeTimeToLive",
            "UpdateTimeToLive",
            "DescribeContinuousBackups");
    /**
     * TransactWriteItems checks each item's own action: "Using IAM with DynamoDB transactions"
     * (DynamoDB developer guide).
     */
    private static final Map<String, String> TRANSACT_WRITE_ACTIONS = Map.of(
            "Put",
            "dynamodb:PutItem",
            "Update",
            "dynamodb:UpdateItem",
            "Delete",
            "dynamodb:DeleteItem",
            "ConditionCheck",
            "dynamodb:ConditionCheckItem");
    /**
     * SQS authorises a batch by its single action: "Specifying SendMessage, DeleteMessage, or
     * ChangeMessageVisibility … also grants permissions for the corresponding batch versions"
     * (SQS API reference, AddPermission); the Service Authorization Reference lists no batch actions.
     */
    private static final Map<String, String> SQS_BATCH_ACTIONS = Map.of("SendMessageBatch", "SendMessage",
            "DeleteMessageBatch", "DeleteMessage", "ChangeMessageVisibilityBatch", "ChangeMessageVisibility");

    /** Item operations, whose checks carry DynamoDB's condition keys. */
    private static final Set<String> ITEM_OPERATIONS =
            Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query");

    private final String accountId;
    private final Function<String, Optional<String>> secretArns;
    private final Function<String, Optional<String>> partitionKeys;

    /**
     * @param accountId     the account of the local stack ({@code 123456789012}), for the ARNs built from names
     * @param secretArns    a secret's full ARN by the name or (partial) ARN a request gives as SecretId, if it exists
     * @param partitionKeys a table's partition key attribute by the name or ARN a request gives (an index's by
     *                      {@code <table>/index/<name>}), if the table is known:
     *                      an item request on a table of unknown key is not mapped (its {@code dynamodb:LeadingKeys}
     *                      could not be told)
     */
    public AwsRequestAuthorization(String accountId, Function<String, Optional<String>> secretArns,
            Function<String, Optional<String>> partitionKeys) {
        this.accountId = accountId;
        this.secretArns = secretArns;
        this.partitionKeys = partitionKeys;
    }

    /** The signer and the checks AWS makes for {@code request}. */
    public Result map(Request request) {
        Matcher credential = CREDENTIAL.matcher(request.header("Authorization").orElse(""));
        if (!credential.find()) {
            return new Result("", "", "", Protocol.UNKNOWN, "", List.of(),
                    Optional.of("the request carries no SigV4 Authorization header with a credential scope"));
        }
        String accessKeyId = credential.group(1);
        String region = credential.group(3);
        String service = credential.group(4);
        Signer signer = new Signer(service, region, accessKeyId);
        String target = request.header("X-Amz-Target").orElse("");
        switch (service) {
            case "dynamodb":
                return target.startsWith("DynamoDB_20120810.")
                        ? dynamoDb(signer, target.substring(target.indexOf('.') + 1), json(request))
                        : signer.unmapped(
                                Protocol.AWS_JSON_1_0,
                                target,
                                "DynamoDB request without X-Amz-Target DynamoDB_20120810.<Op>");
            case "secretsmanager":
                return target.startsWith("secretsmanager.")
                        ? secretsManager(signer, target.substring(target.indexOf('.') + 1), json(request))
                        : signer.unmapped(
                                Protocol.AWS_JSON_1_1,
                                target,
                                "Secrets Manager request without X-Amz-Target secretsmanager.<Op>");
            case "sqs":
                if (target.startsWith("AmazonSQS.")) {
                    Map<String, Object> body = json(request);
                    return sqs(
                            signer,
                            Protocol.AWS_JSON_1_0,
                            target.substring(target.indexOf('.') + 1),
                            text(body.get("QueueUrl")),
                            text(body.get("QueueName")),
                            URI.create(request.uri()).getPath());
                }
                Map<String, String> form = form(request);
                return sqs(
                        signer,
                        Protocol.AWS_QUERY,
                        form.getOrDefault("Action", ""),
                        form.get("QueueUrl"),
                        form.get("QueueName"),
                        URI.create(request.uri()).getPath());
            case "lambda":
                return lambda(signer, request);
            default:
                return signer.unmapped(
                        Protocol.UNKNOWN, target, "the local stack maps no requests signed for service " + service);
        }
    }

    /** The signer's scope, and the results made for it. */
    private record Signer(String service, String region, String accessKeyId) {
        Result mapped(Protocol protocol, String operation, List<Check> checks) {
            return new Result(service, region, accessKeyId, protocol, operation, List.copyOf(checks), Optional.empty());
        }

        Result unmapped(Protocol protocol, String operation, String reason) {
            return new Result(service, region, accessKeyId, protocol, operation, List.of(), Optional.of(reason));
        }
    }

    private Result dynamoDb(Signer signer, String operation, Map<String, Object> body) {
        Protocol protocol = Protocol.AWS_JSON_1_0;
        List<Check> checks = new ArrayList<>();
        if (TABLE_OPERATIONS.contains(operation)) {
            String table = text(body.get("TableName"));
            if (table == null) {
                return signer.unmapped(protocol, operation, "DynamoDB " + operation + " without a TableName");
            }
            String arn = tableArn(signer.region(), table);
            Object index = body.get("IndexName");
            boolean onIndex = index != null && (operation.equals("Query") || operation.equals("Scan"));
            Optional<Map<String, List<String>>> context = itemContext(operation, body, table);
            if (context.isEmpty()) {
                return signer.unmapped(protocol, operation, "DynamoDB " + operation + " on " + table
                        + ", whose condition keys cannot be told: " + contextProblem(operation, body, table));
            }
            checks.add(new Check("dynamodb:" + operation, onIndex ? arn + "/index/" + index : arn, context.get()));
        } else if (operation.equals("ListTables")) {
            checks.add(new Check("dynamodb:ListTables", "*"));
        } else if (operation.equals("BatchGetItem") || operation.equals("BatchWriteItem")) {
            for (Map.Entry<String, Object> table : SamTemplate.map(body.get("RequestItems")).entrySet()) {
                Optional<Map<String, List<String>>> context = batchContext(operation, table.getKey(), table.getValue());
                if (context.isEmpty()) {
                    return signer.unmapped(protocol, operation, "DynamoDB " + operation + " on " + table.getKey()
                            + ", whose condition keys cannot be told");
                }
                checks.add(
                        new Check("dynamodb:" + operation, tableArn(signer.region(), table.getKey()), context.get()));
            }
        } else if (operation.equals("TransactWriteItems") || operation.equals("TransactGetItems")) {
            for (Object element : SamTemplate.list(body.get("TransactItems"))) {
                Map<String, Object> item = SamTemplate.map(element);
                if (item.size() != 1) {
                    return signer.unmapped(
                            protocol, operation, "a transaction item with " + item.keySet() + " instead of one kind");
                }
                String kind = item.keySet().iterator().next();
                String action = operation.equals("TransactGetItems") && kind.equals("Get") ? "dynamodb:GetItem"
                        : operation.equals("TransactWriteItems") ? TRANSACT_WRITE_ACTIONS.get(kind) : null;
                Map<String, Object> itemRequest = SamTemplate.map(item.get(kind));
                String table = text(itemRequest.get("TableName"));
                if (action == null || table == null) {
                    return signer.unmapped(
                            protocol,
                            operation,
                            "a " + operation + " item " + kind + " without a known action or TableName");
                }
                String itemOperation =
                        kind.equals("ConditionCheck") ? "ConditionCheck" : action.substring("dynamodb:".length());
                Optional<Map<String, List<String>>> context = itemContext(itemOperation, itemRequest, table);
                if (context.isEmpty()) {
                    return signer.unmapped(
                            protocol,
                            operation,
                            "a " + operation + " item " + kind + " on " + table
                                    + ", whose condition keys cannot be told: "
                                    + contextProblem(itemOperation, itemRequest, table));
                }
                checks.add(new Check(action, tableArn(signer.region(), table), context.get()));
            }
        } else {
            return signer.unmapped(protocol, operation, "DynamoDB " + operation + " is not mapped to IAM actions here");
        }
        return signer.mapped(protocol, operation, checks);
    }

    /**
     * The condition keys of an item operation ({@link DynamoDbContext}); none for an operation on
     * the table as a whole; empty when they cannot be told (unknown table, unreadable request).
     */
    private Optional<Map<String, List<String>>> itemContext(
            String operation, Map<String, Object> request, String table) {
        if (!ITEM_OPERATIONS.contains(operation) && !operation.equals("ConditionCheck")) {
            return Optional.of(Map.of());
        }
        try {
            return partitionKeys.apply(keyedBy(request, table)).map(key -> DynamoDbContext.of(operation, request, key));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A batch's condition keys on one table: the leading keys and attributes of all its items together. */
    private Optional<Map<String, List<String>>> batchContext(String operation, String table, Object requests) {
        List<Map<String, List<String>>> items = new ArrayList<>();
        if (operation.equals("BatchGetItem")) {
            Map<String, Object> get = SamTemplate.map(requests);
            for (Object key : SamTemplate.list(get.get("Keys"))) {
                Map<String, Object> one = new LinkedHashMap<>(get);
                one.remove("Keys");
                one.put("Key", key);
                items.add(itemContext("GetItem", one, table).orElse(null));
            }
        } else {
            for (Object element : SamTemplate.list(requests)) {
                Map<String, Object> write = SamTemplate.map(element);
                Map<String, Object> put = SamTemplate.map(write.get("PutRequest"));
                Map<String, Object> delete = SamTemplate.map(write.get("DeleteRequest"));
                items.add(!put.isEmpty() ? itemContext("PutItem", put, table).orElse(null)
                        : itemContext("DeleteItem", delete, table).orElse(null));
            }
        }
        if (items.isEmpty() || items.contains(null)) {
            return Optional.empty();
        }
        Map<String, LinkedHashSet<String>> union = new LinkedHashMap<>();
        for (Map<String, List<String>> item : items) {
            for (String key : List.of("dynamodb:LeadingKeys", "dynamodb:Attributes")) {
                union.computeIfAbsent(key, k -> new LinkedHashSet<>()).addAll(item.getOrDefault(key, List.of()));
            }
        }
        Map<String, List<String>> context = new LinkedHashMap<>();
        union.forEach((key, values) -> context.put(key, List.copyOf(values)));
        return Optional.of(context);
    }

    /** What a request's partition key is looked up by: its table, or the index it queries. */
    private static String keyedBy(Map<String, Object> request, String table) {
        return request.get("IndexName") instanceof String index ? table + "/index/" + index : table;
    }

    private String contextProblem(String operation, Map<String, Object> request, String table) {
        Optional<String> key = partitionKeys.apply(keyedBy(request, table));
        if (key.isEmpty()) {
            return "the local stack knows no key schema for " + table;
        }
        try {
            DynamoDbContext.of(operation, request, key.get());
            return "unknown";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private String tableArn(String region, String table) {
        return table.startsWith("arn:") ? table : "arn:aws:dynamodb:" + region + ":" + accountId + ":table/" + table;
    }

    /**
     * Every operation on one secret names it by {@code SecretId}; AWS checks the secret's full ARN. An
     * id the caller cannot resolve (no such secret) is checked as given, or as the ARN it would have
     * without the random suffix, which a policy naming real secrets does not match.
     */
    private Result secretsManager(Signer signer, String operation, Map<String, Object> body) {
        String secretId = text(body.get("SecretId"));
        if (secretId == null) {
            return signer.unmapped(
                    Protocol.AWS_JSON_1_1,
                    operation,
                    "Secrets Manager " + operation + " without a SecretId is not mapped here");
        }
        String arn = secretArns.apply(secretId).orElse(secretId.startsWith("arn:") ? secretId
                : "arn:aws:secretsmanager:" + signer.region() + ":" + accountId + ":secret:" + secretId);
        return signer.mapped(Protocol.AWS_JSON_1_1, operation, List.of(new Check("secretsmanager:" + operation, arn)));
    }

    private Result sqs(
            Signer signer, Protocol protocol, String operation, String queueUrl, String queueName, String path) {
        if (operation.isEmpty()) {
            return signer.unmapped(
                    protocol,
                    operation,
                    "SQS request with neither X-Amz-Target AmazonSQS.<Op> nor an Action parameter");
        }
        String action = "sqs:" + SQS_BATCH_ACTIONS.getOrDefault(operation, operation);
        if (operation.equals("ListQueues")) {
            return signer.mapped(protocol, operation, List.of(new Check(action, "*")));
        }
        if (operation.equals("GetQueueUrl") || operation.equals("CreateQueue")) {
            // SQS acts on the QueueName of these two; a queue URL or path beside it would be checked instead.
            boolean queueElsewhere = queueUrl != null || path != null && !path.equals("/") && !path.isEmpty();
            return queueName != null && !queueElsewhere && queueName.matches("[A-Za-z0-9_-]{1,80}(\\.fifo)?")
                    ? signer.mapped(protocol, operation, List.of(new Check(action,
                            "arn:aws:sqs:" + signer.region() + ":" + accountId + ":" + queueName)))
                    : signer.unmapped(protocol, operation, "SQS " + operation + " names its queue by QueueName alone");
        }
        if (queueUrl != null && !QUEUE_URL.matcher(queueUrl).matches()) {
            return signer.unmapped(
                    protocol,
                    operation,
                    "SQS " + operation + " with a QueueUrl that is not scheme://host/<account>/<name>");
        }
        String queuePath = queueUrl != null ? URI.create(queueUrl).getPath() : path;
        Matcher queue = QUEUE_PATH.matcher(queuePath == null ? "" : queuePath);
        if (queue.matches()) {
            return signer.mapped(
                    protocol,
                    operation,
                    List.of(new Check(
                            action, "arn:aws:sqs:" + signer.region() + ":" + queue.group(1) + ":" + queue.group(2))));
        }
        return signer.unmapped(
                protocol, operation, "SQS " + operation + " names no queue URL of the form .../<account>/<name>");
    }

    /** {@code POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=q]}: lambda:InvokeFunction. */
    private Result lambda(Signer signer, Request request) {
        URI uri = URI.create(request.uri());
        Matcher invoke = INVOKE.matcher(uri.getRawPath());
        if (!request.method().equalsIgnoreCase("POST") || !invoke.matches()) {
            return signer.unmapped(Protocol.REST_JSON, request.method() + " " + uri.getRawPath(),
                    "Lambda " + request.method() + " " + uri.getRawPath() + " is not mapped here (only Invoke is)");
        }
        String name = URLDecoder.decode(invoke.group(1), StandardCharsets.UTF_8);
        Matcher function = FUNCTION.matcher(name);
        if (!function.matches()) {
            return signer.unmapped(
                    Protocol.REST_JSON, "Invoke", "Lambda Invoke of an unreadable function name " + name);
        }
        String qualifier = function.group(5);
        String queried = query(uri).get("Qualifier");
        if (qualifier != null && queried != null && !qualifier.equals(queried)) {
            return signer.unmapped(
                    Protocol.REST_JSON, "Invoke", "Lambda Invoke of " + name + " with a second qualifier " + queried);
        }
        qualifier = qualifier != null ? qualifier : queried;
        String arn = "arn:" + (function.group(1) == null ? "aws" : function.group(1)) + ":lambda:"
                + (function.group(2) == null ? signer.region() : function.group(2)) + ":"
                + (function.group(3) == null ? accountId : function.group(3)) + ":function:" + function.group(4)
                + (qualifier == null ? "" : ":" + qualifier);
        return signer.mapped(Protocol.REST_JSON, "Invoke", List.of(new Check("lambda:InvokeFunction", arn)));
    }

    private static Map<String, Object> json(Request request) {
        if (request.body().length == 0) {
            return Map.of();
        }
        try {
            return JSON.std.mapFrom(request.body());
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body is not a JSON object", e);
        }
    }

    /** Query-protocol parameters: the form body, over the URI's query string. */
    private static Map<String, String> form(Request request) {
        Map<String, String> parameters = new LinkedHashMap<>(query(URI.create(request.uri())));
        parameters.putAll(decode(new String(request.body(), StandardCharsets.UTF_8)));
        return parameters;
    }

    private static Map<String, String> query(URI uri) {
        return decode(uri.getRawQuery());
    }

    /**
     * A query string or form body ({@code a=1&b=2}), percent-decoded, in order; a repeated name
     * keeps its last value.
     */
    public static Map<String, String> decode(String encoded) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return parameters;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            parameters.put(
                    URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }
}
