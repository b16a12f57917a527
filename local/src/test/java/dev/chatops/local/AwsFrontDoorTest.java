package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.CaptureServer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
        assertThat(send(sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body()), body())).isEqualTo(new Sent(200, ""));
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
        assertThat(send(sign(user.secretAccessKey(), user.sessionToken(), Instant.now().minus(Duration.ofMinutes(16)), body()),
                body())).isEqualTo(new Sent(403, "InvalidSignatureException"));
        SdkHttpRequest unknown = sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body());
        String forged = unknown.firstMatchingHeader("Authorization").orElseThrow().replace(user.accessKeyId(), "ASIAUNKNOWNKEY000");
        assertThat(send(unknown.toBuilder().putHeader("Authorization", forged).build(), body()))
                .isEqualTo(new Sent(400, "UnrecognizedClientException"));
        allow = false;
        assertThat(send(sign(user.secretAccessKey(), user.sessionToken(), Instant.now(), body()), body()))
                .isEqualTo(new Sent(400, "AccessDeniedException"));

        assertThat(upstream.posts()).isEmpty();
    }

    private record Sent(int status, String type) {
    }

    private static byte[] body() {
        return "{\"TableName\":\"AccessTable\",\"Key\":{}}".getBytes(StandardCharsets.UTF_8);
    }

    /** The request as the AWS SDK signs it, at {@code when}. */
    private SdkHttpRequest sign(String secret, String token, Instant when, byte[] body) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create(frontDoor.endpoint() + "/"))
                .putHeader("X-Amz-Target", TARGET).putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("Content-Length", Integer.toString(body.length)).build();
        return AwsV4HttpSigner.create().sign(r -> r.identity(AwsSessionCredentialsIdentity.create(user.accessKeyId(), secret, token))
                .request(request).payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb")
                .putProperty(AwsV4HttpSigner.REGION_NAME, LocalRegion.NAME)
                .putProperty(software.amazon.awssdk.http.auth.spi.signer.HttpSigner.SIGNING_CLOCK,
                        Clock.fixed(when, ZoneOffset.UTC))).request();
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
