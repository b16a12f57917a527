package dev.chatops.testing.aws;

import static dev.chatops.testing.aws.LocalIds.ACCOUNT;
import static dev.chatops.testing.aws.LocalIds.functionArn;
import static dev.chatops.testing.aws.LocalIds.queueArn;
import static dev.chatops.testing.aws.LocalIds.secretArn;
import static dev.chatops.testing.aws.LocalIds.tableArn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.testing.FreePort;
import dev.chatops.testing.aws.AwsRequestAuthorization.Check;
import dev.chatops.testing.aws.AwsRequestAuthorization.Protocol;
import dev.chatops.testing.aws.AwsRequestAuthorization.Request;
import dev.chatops.testing.aws.AwsRequestAuthorization.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The action mapping checked against what AWS SDK v2 clients really send: each request goes to a
 * loopback capture server, which records it raw and answers something minimal (or a denial).
 */
class AwsRequestAuthorizationTest {
    static final String ACCESS_KEY = "AKIDUSERFUNCTION";
    static final String QUEUE_URL = "http://127.0.0.1:5000/" + ACCOUNT + "/FailureQueue";
    static final String PRINCIPAL = AwsDenials.assumedRoleArn(ACCOUNT, "UserFunctionRole", "UserFunction");
    static final Map<String, String> SECRETS = Map.of("GitLabTokensSecret", secretArn("GitLabTokensSecret"));

    /** The partition keys of template.yaml's tables and index, by table name or ARN. */
    static final Map<String, String> PARTITION_KEYS = Map.of("RequestsTable", "requestId", "AuditTable", "requestId",
            "AuditTable/index/ByTime", "kind", "AccessTable", "pk");

    private final AwsRequestAuthorization authorization = new AwsRequestAuthorization(
            ACCOUNT,
            AwsRequestAuthorizationTest::secretArnOf,
            table -> Optional.ofNullable(PARTITION_KEYS.get(table.replaceFirst("^arn:.*:table/", ""))));
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, AwsDenials.Response> answer;
    private HttpServer server;

    /** A secret's ARN by its name, full ARN or partial ARN (the full one without its random suffix). */
    static Optional<String> secretArnOf(String secretId) {
        return SECRETS.entrySet().stream()
                .filter(e -> e.getKey().equals(secretId)
                        || e.getValue().equals(secretId)
                        || e.getValue().startsWith(secretId + "-"))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    @BeforeEach
    void startCaptureServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePort.pick()), 10);
        server.createContext("/", this::capture);
        server.start();
    }

    @AfterEach
    void stopCaptureServer() {
        server.stop(0);
    }

    private void capture(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                    exchange.getRequestBody().readAllBytes());
            requests.add(request);
            AwsDenials.Response response = answer.apply(request);
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                exchange.getResponseBody().write(response.body());
            }
        }
    }

    private static AwsDenials.Response ok(int status, String contentType, String body) {
        return new AwsDenials.Response(
                status, Map.of("Content-Type", contentType), body.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers each request with the denial of its first check. */
    private AwsDenials.Response deny(Request request) {
        Result result = authorization.map(request);
        return AwsDenials.denial(result, PRINCIPAL, result.checks().get(0), IamPolicy.Decision.IMPLICIT_DENY);
    }

    private <B extends AwsClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, "not-a-secret")))
                .build();
    }

    private DynamoDbClient dynamoDb() {
        return client(DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()));
    }

    private SecretsManagerClient secretsManager() {
        return client(SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()));
    }

    private SqsClient sqs() {
        return client(SqsClient.builder().httpClient(UrlConnectionHttpClient.create()));
    }

    private LambdaClient lambda() {
        return client(LambdaClient.builder().httpClient(UrlConnectionHttpClient.create()));
    }

    private Result onlyRequestMapped() {
        assertThat(requests).hasSize(1);
        return authorization.map(requests.get(0));
    }

    private static Map<String, AttributeValue> key(String name, String value) {
        return Map.of(name, AttributeValue.fromS(value));
    }

    @Test
    void transactWriteItems_checksEachItemsOwnAction_onItsTable() {
        answer = request -> ok(200, "application/x-amz-json-1.0", "{}");
        try (DynamoDbClient dynamo = dynamoDb()) {
            dynamo.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder()
                            .put(p -> p.tableName("RequestsTable").item(key("requestId", "r1")))
                            .build(),
                    TransactWriteItem.builder()
                            .update(u -> u.tableName("AuditTable")
                                    .key(Map.of(
                                            "requestId",
                                            AttributeValue.fromS("r1"),
                                            "attempt",
                                            AttributeValue.fromS("1")))
                                    .updateExpression("SET kind = :k")
                                    .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("audit"))))
                            .build(),
                    TransactWriteItem.builder()
                            .delete(d -> d.tableName("AccessTable").key(key("pk", "link#U1")))
                            .build(),
                    TransactWriteItem.builder()
                            .conditionCheck(c -> c.tableName("AccessTable")
                                    .key(key("pk", "user#U1"))
                                    .conditionExpression("attribute_exists(pk)"))
                            .build()));
        }

        Result result = onlyRequestMapped();
        assertThat(result.signingService()).isEqualTo("dynamodb");
        assertThat(result.region()).isEqualTo("us-east-1");
        assertThat(result.accessKeyId()).isEqualTo(ACCESS_KEY);
        assertThat(result.operation()).isEqualTo("TransactWriteItems");
        assertThat(result.checks())
                .containsExactly(
                        new Check(
                                "dynamodb:PutItem",
                                tableArn("RequestsTable"),
                                Map.of(
                                        "dynamodb:LeadingKeys",
                                        List.of("r1"),
                                        "dynamodb:Attributes",
                                        List.of("requestId"),
                                        "dynamodb:ReturnValues",
                                        List.of("NONE"))),
                        new Check(
                                "dynamodb:UpdateItem",
                                tableArn("AuditTable"),
                                Map.of(
                                        "dynamodb:LeadingKeys",
                                        List.of("r1"),
                                        "dynamodb:Attributes",
                                        List.of("attempt", "kind", "requestId"),
                                        "dynamodb:ReturnValues",
                                        List.of("NONE"))),
                        new Check(
                                "dynamodb:DeleteItem",
                                tableArn("AccessTable"),
                                Map.of(
                                        "dynamodb:LeadingKeys",
                                        List.of("link#U1"),
                                        "dynamodb:Attributes",
                                        List.of("pk"),
                                        "dynamodb:ReturnValues",
                                        List.of("NONE"))),
                        new Check(
                                "dynamodb:ConditionCheckItem",
                                tableArn("AccessTable"),
                                Map.of(
                                        "dynamodb:LeadingKeys",
                                        List.of("user#U1"),
                                        "dynamodb:Attributes",
                                        List.of("pk"))));
    }

    @Test
    void queryOnAnIndex_checksTheIndexArn_andATableArnNameIsTakenAsIs() {
        answer = request -> ok(200, "application/x-amz-json-1.0", "{\"Items\":[],\"Count\":0}");
        try (DynamoDbClient dynamo = dynamoDb()) {
            dynamo.query(b -> b.tableName("AuditTable").indexName("ByTime").keyConditionExpression("kind = :k")
                    .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("audit"))));
            dynamo.getItem(b -> b.tableName(tableArn("AccessTable")).key(key("pk", "user#U1")));
        }

        assertThat(requests).hasSize(2);
        // A read that names no attributes reads them all: a policy listing names does not cover it.
        assertThat(authorization.map(requests.get(0)).checks())
                .containsExactly(new Check(
                        "dynamodb:Query",
                        tableArn("AuditTable") + "/index/ByTime",
                        Map.of(
                                "dynamodb:LeadingKeys",
                                List.of("audit"),
                                "dynamodb:Attributes",
                                List.of("*all attributes*", "kind"),
                                "dynamodb:Select",
                                List.of("ALL_ATTRIBUTES"))));
        assertThat(authorization.map(requests.get(1)).checks())
                .containsExactly(new Check(
                        "dynamodb:GetItem",
                        tableArn("AccessTable"),
                        Map.of(
                                "dynamodb:LeadingKeys",
                                List.of("user#U1"),
                                "dynamodb:Attributes",
                                List.of("*all attributes*", "pk"))));
    }

    @Test
    void updateItem_carriesTheTopLevelNamesOfEveryExpression_itsReturnValues_andTheItemsPartitionKey() {
        answer = request -> ok(200, "application/x-amz-json-1.0", "{}");
        try (DynamoDbClient dynamo = dynamoDb()) {
            dynamo.updateItem(b -> b.tableName("AccessTable")
                    .key(key("pk", "slack#T1#U1"))
                    .updateExpression(
                            "SET accessLevel = :level, #s.inner[2].deeper = if_not_exists(twoFactor, :t) REMOVE"
                                    + " checkedAt")
                    .conditionExpression("attribute_exists(pk) AND size(gitlabUserId) > :n AND NOT begins_with(#o, :p)")
                    .expressionAttributeNames(Map.of("#s", "snapshot", "#o", "owner"))
                    .expressionAttributeValues(Map.of(
                            ":level",
                            AttributeValue.fromN("30"),
                            ":t",
                            AttributeValue.fromBool(true),
                            ":n",
                            AttributeValue.fromN("0"),
                            ":p",
                            AttributeValue.fromS("x")))
                    .returnValues("ALL_NEW"));
            dynamo.batchWriteItem(b -> b.requestItems(Map.of("AccessTable", List.of(
                    WriteRequest.builder().putRequest(p -> p.item(Map.of(
                            "pk", AttributeValue.fromS("state#n1"), "expiresAt", AttributeValue.fromN("1")))).build(),
                    WriteRequest.builder().deleteRequest(d -> d.key(
                            key("pk", "pending#AB"))).build()))));
            dynamo.getItem(b -> b.tableName("UnknownTable").key(key("pk", "x")));
        }

        assertThat(requests).hasSize(3);
        assertThat(authorization.map(requests.get(0)).checks())
                .containsExactly(new Check(
                        "dynamodb:UpdateItem",
                        tableArn("AccessTable"),
                        Map.of(
                                "dynamodb:LeadingKeys",
                                List.of("slack#T1#U1"),
                                "dynamodb:Attributes",
                                List.of(
                                        "accessLevel",
                                        "checkedAt",
                                        "gitlabUserId",
                                        "owner",
                                        "pk",
                                        "snapshot",
                                        "twoFactor"),
                                "dynamodb:ReturnValues",
                                List.of("ALL_NEW"))));
        assertThat(authorization.map(requests.get(1)).checks())
                .containsExactly(new Check(
                        "dynamodb:BatchWriteItem",
                        tableArn("AccessTable"),
                        Map.of(
                                "dynamodb:LeadingKeys",
                                List.of("state#n1", "pending#AB"),
                                "dynamodb:Attributes",
                                List.of("expiresAt", "pk"))));
        Result unknown = authorization.map(requests.get(2));
        assertThat(unknown.mapped()).isFalse();
        assertThat(unknown.unmapped().orElseThrow()).contains("UnknownTable", "no key schema");
    }

    @Test
    void getSecretValue_checksTheSecretsFullArn_byNameFullArnOrPartialArn() {
        answer = request ->
                ok(200, "application/x-amz-json-1.1", "{\"Name\":\"GitLabTokensSecret\",\"SecretString\":\"{}\"}");
        String partial = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:GitLabTokensSecret";
        try (SecretsManagerClient secrets = secretsManager()) {
            secrets.getSecretValue(b -> b.secretId("GitLabTokensSecret"));
            secrets.getSecretValue(b -> b.secretId(secretArn("GitLabTokensSecret")));
            secrets.getSecretValue(b -> b.secretId(partial));
        }

        assertThat(requests).hasSize(3).allSatisfy(request -> {
            Result result = authorization.map(request);
            assertThat(result.signingService()).isEqualTo("secretsmanager");
            assertThat(result.protocol()).isEqualTo(Protocol.AWS_JSON_1_1);
            assertThat(result.checks())
                    .containsExactly(new Check("secretsmanager:GetSecretValue", secretArn("GitLabTokensSecret")));
        });
    }

    @Test
    void getSecretValue_ofAnUnknownSecret_checksTheArnItWouldHaveWithoutSuffix() {
        answer = request -> ok(200, "application/x-amz-json-1.1", "{}");
        try (SecretsManagerClient secrets = secretsManager()) {
            secrets.getSecretValue(b -> b.secretId("NoSuchSecret"));
        }

        assertThat(onlyRequestMapped().checks()).containsExactly(new Check("secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:NoSuchSecret"));
    }

    @Test
    void sendMessage_overTheJsonProtocol_checksTheQueueArnOfItsUrl_andABatchChecksTheSingleAction() {
        answer = request -> ok(200, "application/x-amz-json-1.0", sendMessageAnswer(request));
        try (SqsClient sqs = sqs()) {
            sqs.sendMessage(b -> b.queueUrl(QUEUE_URL).messageBody("{\"requestId\":\"r1\"}"));
        }

        Result result = onlyRequestMapped();
        assertThat(requests.get(0).header("X-Amz-Target")).contains("AmazonSQS.SendMessage");
        assertThat(result.signingService()).isEqualTo("sqs");
        assertThat(result.protocol()).isEqualTo(Protocol.AWS_JSON_1_0);
        assertThat(result.checks()).containsExactly(new Check("sqs:SendMessage", queueArn("FailureQueue")));
        assertThat(authorization
                        .map(new Request(
                                "POST",
                                "/",
                                Map.of(
                                        "Authorization",
                                        authorization("sqs"),
                                        "X-Amz-Target",
                                        "AmazonSQS.SendMessageBatch"),
                                ("{\"QueueUrl\":\"" + QUEUE_URL + "\",\"Entries\":[]}")
                                        .getBytes(StandardCharsets.UTF_8)))
                        .checks())
                .containsExactly(new Check("sqs:SendMessage", queueArn("FailureQueue")));
    }

    /** SQS's answer to SendMessage carries the MD5 of the body, which the SDK verifies. */
    private static String sendMessageAnswer(Request request) {
        try {
            String body = String.valueOf(JSON.std.mapFrom(request.body()).get("MessageBody"));
            String md5 = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
            return "{\"MessageId\":\"m1\",\"MD5OfMessageBody\":\"" + md5 + "\"}";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sendMessage_overTheQueryProtocol_isMappedToo() {
        // SDK v2 no longer sends the query protocol to SQS; this is its documented form.
        Request request = new Request(
                "POST",
                "/",
                Map.of(
                        "Authorization",
                        authorization("sqs"),
                        "Content-Type",
                        "application/x-www-form-urlencoded; charset=utf-8"),
                ("Action=SendMessage&Version=2012-11-05&QueueUrl="
                                + URLEncoder.encode(QUEUE_URL, StandardCharsets.UTF_8) + "&MessageBody=hello")
                        .getBytes(StandardCharsets.UTF_8));

        Result result = authorization.map(request);
        assertThat(result.protocol()).isEqualTo(Protocol.AWS_QUERY);
        assertThat(result.checks()).containsExactly(new Check("sqs:SendMessage", queueArn("FailureQueue")));
        assertThat(authorization.map(new Request("POST", "/" + ACCOUNT + "/FailureQueue?Action=ReceiveMessage",
                Map.of("Authorization", authorization("sqs")), new byte[0])).checks())
                .containsExactly(new Check("sqs:ReceiveMessage", queueArn("FailureQueue")));
    }

    @Test
    void invokeOfTheLiveAlias_checksInvokeFunctionOnTheQualifiedArn() {
        answer = request -> ok(202, "application/json", "");
        try (LambdaClient lambda = lambda()) {
            lambda.invoke(b -> b.functionName("UserFunction:live")
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{}")));
            lambda.invoke(b -> b.functionName(functionArn("UserFunction"))
                    .qualifier("live")
                    .invocationType(InvocationType.EVENT));
            lambda.invoke(
                    b -> b.functionName(ACCOUNT + ":function:UserFunction:live").invocationType(InvocationType.EVENT));
            lambda.invoke(b -> b.functionName("UserFunction").invocationType(InvocationType.EVENT));
        }

        assertThat(requests).hasSize(4);
        assertThat(requests.get(0).uri()).startsWith("/2015-03-31/functions/UserFunction%3Alive/invocations");
        for (Request request : requests.subList(0, 3)) {
            Result result = authorization.map(request);
            assertThat(result.signingService()).isEqualTo("lambda");
            assertThat(result.checks())
                    .containsExactly(new Check("lambda:InvokeFunction", functionArn("UserFunction") + ":live"));
        }
        assertThat(authorization.map(requests.get(3)).checks())
                .containsExactly(new Check("lambda:InvokeFunction", functionArn("UserFunction")));
    }

    @Test
    void requestsWithoutAKnownMapping_areUnmapped_sayingWhich() {
        answer = request -> ok(200, "application/x-amz-json-1.0", "{\"Items\":[]}");
        try (DynamoDbClient dynamo = dynamoDb()) {
            dynamo.executeStatement(b -> b.statement("SELECT * FROM \"AccessTable\""));
        }
        Result partiql = onlyRequestMapped();
        assertThat(partiql.mapped()).isFalse();
        assertThat(partiql.unmapped()).hasValueSatisfying(reason -> assertThat(reason).contains("ExecuteStatement"));

        Result getFunction = authorization.map(new Request("GET", "/2015-03-31/functions/UserFunction",
                Map.of("Authorization", authorization("lambda")), new byte[0]));
        assertThat(getFunction.unmapped())
                .hasValueSatisfying(reason -> assertThat(reason).contains("GET /2015-03-31/functions/UserFunction"));
        Result sts =
                authorization.map(new Request("POST", "/", Map.of("Authorization", authorization("sts")), new byte[0]));
        assertThat(sts.unmapped()).hasValueSatisfying(reason -> assertThat(reason).contains("sts"));
        assertThat(authorization.map(new Request("POST", "/", Map.of(), new byte[0])).unmapped())
                .hasValueSatisfying(reason -> assertThat(reason).contains("Authorization"));
    }

    @Test
    void aQueueUrlWithAnythingAfterTheQueueName_isUnmapped_soItIsDenied() {
        for (String url : List.of(
                QUEUE_URL + "?QueueUrl=http://x/" + ACCOUNT + "/Other",
                QUEUE_URL + "#x",
                QUEUE_URL + "/",
                QUEUE_URL + "/../Other",
                "http://user@127.0.0.1:5000/" + ACCOUNT + "/FailureQueue")) {
            Result result = authorization.map(new Request("POST", "/", Map.of("Authorization", authorization("sqs"),
                    "X-Amz-Target", "AmazonSQS.SendMessage"), ("{\"QueueUrl\":\"" + url + "\",\"MessageBody\":\"x\"}")
                    .getBytes(StandardCharsets.UTF_8)));
            assertThat(result.mapped()).as(url).isFalse();
        }
    }

    @Test
    void createQueueAndGetQueueUrl_areCheckedOnTheirQueueName_andRefusedBesideAnotherQueue() {
        byte[] named = "Action=CreateQueue&QueueName=Evil".getBytes(StandardCharsets.UTF_8);
        assertThat(authorization
                        .map(new Request("POST", "/", Map.of("Authorization", authorization("sqs")), named))
                        .checks())
                .containsExactly(new Check("sqs:CreateQueue", queueArn("Evil")));
        assertThat(authorization
                        .map(new Request(
                                "POST",
                                "/" + ACCOUNT + "/FailureQueue",
                                Map.of("Authorization", authorization("sqs")),
                                named))
                        .mapped())
                .isFalse();
        assertThat(authorization
                        .map(new Request(
                                "POST",
                                "/",
                                Map.of("Authorization", authorization("sqs"), "X-Amz-Target", "AmazonSQS.GetQueueUrl"),
                                ("{\"QueueName\":\"Evil\",\"QueueUrl\":\"" + QUEUE_URL + "\"}")
                                        .getBytes(StandardCharsets.UTF_8)))
                        .mapped())
                .isFalse();
    }

    private static String authorization(String service) {
        return "AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/20250101/us-east-1/" + service
                + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd";
    }

    // ---- denials, as the real SDK clients read them ----

    @Test
    void dynamoDbDenial_isAnAccessDeniedExceptionWithIamsMessage() {
        answer = this::deny;
        try (DynamoDbClient dynamo = dynamoDb()) {
            assertThatThrownBy(
                            () -> dynamo.putItem(b -> b.tableName("AccessTable").item(key("pk", "link#U1"))))
                    .isInstanceOfSatisfying(DynamoDbException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
                        assertThat(e.awsErrorDetails().errorMessage())
                                .isEqualTo("User: " + PRINCIPAL
                                        + " is not authorized to perform: dynamodb:PutItem on resource: "
                                        + tableArn("AccessTable")
                                        + " because no identity-based policy allows the dynamodb:PutItem action");
                    });
        }
        assertThat(requests).hasSize(1);
    }

    @Test
    void secretsManagerDenial_isAnAccessDeniedException() {
        answer = this::deny;
        try (SecretsManagerClient secrets = secretsManager()) {
            assertThatThrownBy(() -> secrets.getSecretValue(b -> b.secretId("GitLabTokensSecret")))
                    .isInstanceOfSatisfying(SecretsManagerException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
                        assertThat(e.awsErrorDetails().errorMessage())
                                .contains("secretsmanager:GetSecretValue on resource: "
                                        + secretArn("GitLabTokensSecret"));
                    });
        }
    }

    @Test
    void sqsDenial_isAccessDenied_throughTheQueryCompatibleErrorHeader() {
        answer = this::deny;
        try (SqsClient sqs = sqs()) {
            assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(QUEUE_URL).messageBody("x")))
                    .isInstanceOfSatisfying(SqsException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                        assertThat(e.awsErrorDetails().errorMessage())
                                .contains("sqs:SendMessage on resource: " + queueArn("FailureQueue"));
                    });
        }
    }

    @Test
    void lambdaDenial_isA403AccessDeniedException() {
        answer = this::deny;
        try (LambdaClient lambda = lambda()) {
            assertThatThrownBy(() -> lambda.invoke(
                            b -> b.functionName("UserFunction:live").invocationType(InvocationType.EVENT)))
                    .isInstanceOfSatisfying(LambdaException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
                        assertThat(e.awsErrorDetails().errorMessage())
                                .contains(
                                        "lambda:InvokeFunction on resource: " + functionArn("UserFunction") + ":live");
                    });
        }
    }

    @Test
    void explicitDenials_sayWhy_andUnmappedRequestsAreDeniedWithTheReason() {
        Result sqsQuery = authorization.map(new Request("POST", "/", Map.of("Authorization", authorization("sqs")),
                ("Action=SendMessage&QueueUrl=" + QUEUE_URL).getBytes(StandardCharsets.UTF_8)));
        AwsDenials.Response xml =
                AwsDenials.denial(sqsQuery, PRINCIPAL, sqsQuery.checks().get(0), IamPolicy.Decision.EXPLICIT_DENY);
        assertThat(xml.status()).isEqualTo(403);
        assertThat(xml.bodyText())
                .contains("<Code>AccessDenied</Code>")
                .contains("with an explicit deny in an identity-based policy");

        Result sts =
                authorization.map(new Request("POST", "/", Map.of("Authorization", authorization("sts")), new byte[0]));
        assertThat(AwsDenials.unmapped(sts, PRINCIPAL).bodyText()).contains("sts").contains("AccessDeniedException");
    }
}
