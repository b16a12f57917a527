package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import dev.chatops.testing.CaptureServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The front door lets through only what AWS would: a request signed, with the AWS SDK's own SigV4
 * signer, by keys the credentials endpoint issued, with their session token, dated within 15
 * minutes, and allowed by the caller's role. Everything else gets AWS's refusal and never reaches
 * the service behind it.
 */
class AwsFrontDoorTest {
    private static final String TARGET = "DynamoDB_20120810.GetItem";

    @RegisterExtension
    static final CaptureServer upstream = new CaptureServer();

    private ContainerCredentials credentials;
    private AwsFrontDoor frontDoor;
    private ContainerCredentials.Identity user;
    private volatile boolean allow = true;

    @BeforeEach
    void start() {
        upstream.answerByDefault(CaptureServer.Answer.of(200, "{}"));
        credentials = new ContainerCredentials();
        credentials.issue("UserFunction", "UserFunctionRole");
        user = credentials.identityOf("UserFunction");
        frontDoor = new AwsFrontDoor(credentials, (identity, service, request) -> allow ? Optional.empty()
                : Optional.of(AwsFrontDoor.Answer.json(400, "AccessDeniedException", "denied")),
                upstreamEndpoint(), upstreamEndpoint(), Clock.systemUTC());
    }

    private static String upstreamEndpoint() {
        String url = upstream.url("");
        return url.substring(0, url.length() - 1);
    }

    @AfterEach
    void stop() {
        frontDoor.close();
        credentials.close();
    }

    @Test
    void a_request_signed_by_issued_keys_reaches_the_service() throws IOException {
        assertThat(send(sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body()), body()))
                .isEqualTo(new Sent(200, ""));
        assertThat(upstream.posts()).hasSize(1);
    }

    @Test
    void tampered_unknown_tokenless_stale_or_denied_requests_get_awss_refusal_and_reach_nothing() throws IOException {
        byte[] other = "{\"TableName\":\"AuditTable\",\"Key\":{}}".getBytes(StandardCharsets.UTF_8);

        assertThat(send(sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body()), other))
                .isEqualTo(new Sent(403, "InvalidSignatureException"));
        assertThat(send(sign("not-the-secret", user.sessionToken(), Instant.now(), body()), body()))
                .isEqualTo(new Sent(403, "InvalidSignatureException"));
        assertThat(send(sign(user.secretAccessKey(), "another-token", Instant.now(), body()), body()))
                .isEqualTo(new Sent(400, "UnrecognizedClientException"));
        assertThat(send(
                        sign(
                                user.secretAccessKey(),
                                user.sessionToken(),
                                Instant.now().minus(Duration.ofMinutes(16)),
                                body()),
                        body()))
                .isEqualTo(new Sent(403, "InvalidSignatureException"));
        SdkHttpRequest unknown = sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body());
        String forged = unknown.firstMatchingHeader("Authorization")
                .orElseThrow()
                .replace(user.accessKeyId(), "ASIAUNKNOWNKEY000");
        assertThat(send(unknown.toBuilder().putHeader("Authorization", forged).build(), body()))
                .isEqualTo(new Sent(400, "UnrecognizedClientException"));
        allow = false;
        assertThat(send(sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body()), body()))
                .isEqualTo(new Sent(400, "AccessDeniedException"));

        assertThat(upstream.posts()).isEmpty();
    }

    @Test
    void signed_requests_of_a_shape_no_sdk_sends_are_refused_before_the_service() throws IOException {
        Instant now = Instant.now();
        // moto's own control API, a query string on a JSON protocol, two operations in one target,
        // a service this stack does not serve, another region's scope: each signed correctly.
        assertThat(send(
                        sign("/moto-api/reset", null, TARGET, "dynamodb", LocalRegion.NAME, Map.of(), now, body()),
                        body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        assertThat(send(
                        sign("/", "Action=DeleteTable", TARGET, "dynamodb", LocalRegion.NAME, Map.of(), now, body()),
                        body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        assertThat(send(
                        sign("/", null, TARGET + ",PutItem", "dynamodb", LocalRegion.NAME, Map.of(), now, body()),
                        body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        assertThat(send(
                        sign(
                                "/",
                                null,
                                "secretsmanager.GetSecretValue",
                                "dynamodb",
                                LocalRegion.NAME,
                                Map.of(),
                                now,
                                body()),
                        body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        assertThat(send(sign("/", null, null, "sts", LocalRegion.NAME, Map.of(), now, body()), body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        assertThat(send(
                        sign(
                                "/2015-03-31/functions/UserFunction",
                                null,
                                null,
                                "lambda",
                                LocalRegion.NAME,
                                Map.of(),
                                now,
                                body()),
                        body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        assertThat(send(sign("/", null, TARGET, "dynamodb", "eu-west-1", Map.of(), now, body()), body()))
                .isEqualTo(new Sent(403, "InvalidSignatureException"));

        assertThat(upstream.posts()).isEmpty();
    }

    @Test
    void an_authorization_header_aws_would_not_parse_or_a_payload_hash_that_is_not_the_bodys_is_refused()
            throws Exception {
        SdkHttpRequest signed = sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body());
        String header = signed.firstMatchingHeader("Authorization").orElseThrow();
        String signature = header.substring(header.indexOf("Signature="));
        for (String malformed : List.of(
                header + ", " + signature,
                header + ", Extra=1",
                header.replace(", " + signature, ""),
                header.replace("Signature=", "Signature=A"))) {
            assertThat(send(signed.toBuilder().putHeader("Authorization", malformed).build(), body())).as(malformed)
                    .isEqualTo(new Sent(400, "MissingAuthenticationTokenException"));
        }
        // The signature covers a claimed hash of one body; another body arrives under it.
        String claimed = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body()));
        byte[] swapped = "{\"TableName\":\"AuditTable1\",\"Key\":{}}".getBytes(StandardCharsets.UTF_8); // same length
        assertThat(send(sign("/", null, TARGET, "dynamodb", LocalRegion.NAME, Map.of("x-amz-content-sha256", claimed),
                Instant.now(), body()), swapped)).isEqualTo(new Sent(403, "InvalidSignatureException"));

        assertThat(upstream.posts()).isEmpty();
    }

    @Test
    void a_request_the_service_could_read_as_another_than_the_role_check_did_is_refused_or_made_unambiguous()
            throws Exception {
        Instant now = Instant.now();
        // moto reads any body as a form too, Action first: an ampersand in a JSON string reaches it escaped.
        byte[] hidden = "{\"TableName\":\"AccessTable\",\"Key\":{},\"Z\":\"&Action=DeleteTable&\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(send(sign("/", null, TARGET, "dynamodb", LocalRegion.NAME, Map.of(), now, hidden), hidden))
                .isEqualTo(new Sent(200, ""));
        assertThat(upstream.posts()).hasSize(1);
        assertThat(upstream.posts().get(0).body()).doesNotContain("&").contains("\\u0026Action=DeleteTable\\u0026");
        assertThat(Json.readObject(upstream.posts().get(0).body())).containsEntry("Z", "&Action=DeleteTable&");

        String form = "application/x-www-form-urlencoded";
        String own = "http://127.0.0.1:5000/123456789012/FailureQueue";
        String other = "http://127.0.0.1:5000/123456789012/OtherQueue";
        byte[] repeated = ("Action=SendMessage&MessageBody=x&QueueUrl=" + other + "&QueueUrl=" + own)
                .getBytes(StandardCharsets.UTF_8);
        byte[] single = ("Action=SendMessage&MessageBody=x&QueueUrl=" + own).getBytes(StandardCharsets.UTF_8);
        byte[] json = ("{\"QueueUrl\":\"" + own + "\",\"MessageBody\":\"x\"}").getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, Sent> refused : Map.of(
                        "a form repeating QueueUrl",
                                send(
                                        sign(
                                                "/",
                                                null,
                                                null,
                                                "sqs",
                                                LocalRegion.NAME,
                                                Map.of("Content-Type", form),
                                                now,
                                                repeated),
                                        repeated),
                        "a query beside the form",
                                send(
                                        sign(
                                                "/",
                                                "QueueUrl=" + other,
                                                null,
                                                "sqs",
                                                LocalRegion.NAME,
                                                Map.of("Content-Type", form),
                                                now,
                                                single),
                                        single),
                        "a JSON target with a form's content type",
                                send(
                                        sign(
                                                "/",
                                                null,
                                                "AmazonSQS.SendMessage",
                                                "sqs",
                                                LocalRegion.NAME,
                                                Map.of("Content-Type", form),
                                                now,
                                                json),
                                        json),
                        "a form with a JSON content type",
                                send(sign("/", null, null, "sqs", LocalRegion.NAME, Map.of(), now, single), single),
                        "DynamoDB as JSON 1.1",
                                send(
                                        sign(
                                                "/",
                                                null,
                                                TARGET,
                                                "dynamodb",
                                                LocalRegion.NAME,
                                                Map.of("Content-Type", "application/x-amz-json-1.1"),
                                                now,
                                                body()),
                                        body()))
                .entrySet()) {
            assertThat(refused.getValue()).as(refused.getKey()).isEqualTo(new Sent(400, "UnknownOperationException"));
        }
        assertThat(send(
                        sign("/", null, null, "sqs", LocalRegion.NAME, Map.of("Content-Type", form), now, single),
                        single))
                .isEqualTo(new Sent(200, ""));

        // Parts of the Authorization header out of AWS's order, and an operation added after signing.
        SdkHttpRequest signed = sign(user.secretAccessKey(), user.sessionToken(), now, body());
        String header = signed.firstMatchingHeader("Authorization").orElseThrow();
        String[] parts = header.substring("AWS4-HMAC-SHA256 ".length()).split(", ");
        assertThat(send(
                        signed.toBuilder()
                                .putHeader(
                                        "Authorization",
                                        "AWS4-HMAC-SHA256 " + parts[1] + ", " + parts[0] + ", " + parts[2])
                                .build(),
                        body()))
                .isEqualTo(new Sent(400, "MissingAuthenticationTokenException"));
        SdkHttpRequest untargeted = sign("/", null, null, "dynamodb", LocalRegion.NAME, Map.of(), now, body());
        assertThat(send(untargeted.toBuilder().putHeader("X-Amz-Target", TARGET).build(), body()))
                .isEqualTo(new Sent(403, "InvalidSignatureException"));

        assertThat(upstream.posts()).hasSize(2);
    }

    @Test
    void only_the_headers_the_service_needs_go_on_and_no_encoded_or_empty_body_is_taken() throws Exception {
        Instant now = Instant.now();
        // moto reads an account, a region in User-Agent, an encoding it inflates: none of them is checked here.
        SdkHttpRequest signed = sign("/", null, TARGET, "dynamodb", LocalRegion.NAME, Map.of(), now, body());
        assertThat(send(
                        signed.toBuilder()
                                .putHeader("x-moto-account-id", "111111111111")
                                .putHeader("Action", "DeleteTable")
                                .putHeader("User-Agent", "aws-sdk-java region/eu-west-1")
                                .build(),
                        body()))
                .isEqualTo(new Sent(200, ""));
        assertThat(upstream.posts()).hasSize(1);
        assertThat(upstream.posts().get(0).headers()).doesNotContainKeys("x-moto-account-id", "Action")
                .containsEntry("X-Amz-Target", TARGET);
        assertThat(upstream.posts().get(0).headers().getOrDefault("User-Agent", "")).doesNotContain("region/");

        assertThat(send(
                        sign(
                                "/",
                                null,
                                TARGET,
                                "dynamodb",
                                LocalRegion.NAME,
                                Map.of("Content-Encoding", "gzip"),
                                now,
                                body()),
                        body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        byte[] empty = new byte[0];
        assertThat(send(
                        sign(
                                "/",
                                null,
                                "DynamoDB_20120810.ListTables",
                                "dynamodb",
                                LocalRegion.NAME,
                                Map.of(),
                                now,
                                empty),
                        empty))
                .isEqualTo(new Sent(400, "UnknownOperationException"));

        // Lambda's Invoke takes a qualifier in its query, and nothing else there.
        String invoke = "/2015-03-31/functions/UserFunction/invocations";
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertThat(send(sign(invoke, "Qualifier=live", null, "lambda", LocalRegion.NAME, json, now, body()), body()))
                .isEqualTo(new Sent(200, ""));
        assertThat(send(
                        sign(invoke, "Qualifier=live&x=1", null, "lambda", LocalRegion.NAME, json, now, body()),
                        body()))
                .isEqualTo(new Sent(400, "UnknownOperationException"));
        assertThat(upstream.posts()).hasSize(2);
    }

    @Test
    void keys_are_rotated_before_they_expire_and_the_old_ones_last_until_then() throws Exception {
        try (ContainerCredentials shortLived = new ContainerCredentials(Duration.ofSeconds(2))) {
            String token = shortLived.issue("UserFunction", "UserFunctionRole");
            Map<String, Object> first = fetch(shortLived, token);
            assertThat(fetch(shortLived, token).get("AccessKeyId")).isEqualTo(first.get("AccessKeyId"));
            Thread.sleep(Duration.between(Instant.now(), Instant.parse((String) first.get("Expiration")))
                            .toMillis()
                    - 300);
            Map<String, Object> second = fetch(shortLived, token);
            assertThat(second.get("AccessKeyId")).isNotEqualTo(first.get("AccessKeyId"));
            assertThat(second.get("SecretAccessKey")).isNotEqualTo(first.get("SecretAccessKey"));
            assertThat(shortLived.identity((String) first.get("AccessKeyId"))).isPresent();
            assertThat(shortLived.identity((String) second.get("AccessKeyId"))).isPresent();
            assertThat(fetch(shortLived, "not-the-token")).containsOnlyKeys("message");
        }
    }

    @Test
    void an_identity_or_a_function_printed_shows_no_secret() {
        assertThat(user.toString()).contains("UserFunction", user.accessKeyId())
                .doesNotContain(user.secretAccessKey(), user.sessionToken());
        String token = credentials.issue("LinkFunction", "LinkFunctionRole");
        LambdaFunction function = new LambdaFunction("LinkFunction", "h::handleRequest", Path.of("."), 512,
                Duration.ofSeconds(10), Map.of("AWS_CONTAINER_AUTHORIZATION_TOKEN", token), "LinkFunctionRole", false);
        assertThat(function.toString()).contains("LinkFunction").doesNotContain(token);
    }

    @Test
    void no_function_environment_may_route_its_aws_requests_around_the_front_door() {
        String door = frontDoor.endpoint();
        assertThat(StackFunctions.bypass(Map.of("AWS_ENDPOINT_URL", door, "TABLE", "AccessTable",
                "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1"), door)).isEmpty();
        for (Map<String, String> env : List.of(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
                Map.of("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:5000"), Map.of("AWS_ACCESS_KEY_ID", "AKIA"),
                Map.of("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), Map.of("AWS_PROFILE", "admin"),
                Map.of("JAVA_TOOL_OPTIONS", "-Daws.endpointUrlDynamoDb=http://127.0.0.1:5000"))) {
            assertThat(StackFunctions.bypass(env, door)).as(env.toString()).hasValue(env.keySet().iterator().next());
        }
    }

    private static Map<String, Object> fetch(ContainerCredentials endpoint, String token) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint.uri()).toURL().openConnection();
        connection.setRequestProperty("Authorization", token);
        try (InputStream in =
                connection.getResponseCode() == 200 ? connection.getInputStream() : connection.getErrorStream()) {
            return Json.readObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            connection.disconnect();
        }
    }

    private record Sent(int status, String type) {
    }

    private static byte[] body() {
        return "{\"TableName\":\"AccessTable\",\"Key\":{}}".getBytes(StandardCharsets.UTF_8);
    }

    /** The request as the AWS SDK signs it, at {@code when}. */
    private SdkHttpRequest sign(String secret, String token, Instant when, byte[] body) {
        return sign(secret, token, "/", null, TARGET, "dynamodb", LocalRegion.NAME, Map.of(), when, body);
    }

    /** A request of any shape, signed correctly with the user's keys. */
    private SdkHttpRequest sign(String path, String query, String target, String service, String region,
                                Map<String, String> headers, Instant when, byte[] body) {
        return sign(
                user.secretAccessKey(), user.sessionToken(), path, query, target, service, region, headers, when, body);
    }

    private SdkHttpRequest sign(String secret, String token, String path, String query, String target, String service,
                                String region, Map<String, String> headers, Instant when, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create(frontDoor.endpoint() + path + (query == null ? "" : "?" + query)))
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("Content-Length", Integer.toString(body.length));
        if (target != null) {
            request.putHeader("X-Amz-Target", target);
        }
        headers.forEach(request::putHeader);
        return AwsV4HttpSigner.create()
                .sign(r -> r.identity(AwsSessionCredentialsIdentity.create(user.accessKeyId(), secret, token))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(when, ZoneOffset.UTC)))
                .request();
    }

    private static Sent send(SdkHttpRequest request, byte[] body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) request.getUri().toURL().openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            if (!header.getKey().equalsIgnoreCase("Host") && !header.getKey().equalsIgnoreCase("Content-Length")) {
                connection.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
            }
        }
        connection.getOutputStream().write(body);
        int status = connection.getResponseCode();
        String type = connection.getHeaderField("x-amzn-ErrorType");
        connection.disconnect();
        return new Sent(status, type == null ? "" : type);
    }
}
