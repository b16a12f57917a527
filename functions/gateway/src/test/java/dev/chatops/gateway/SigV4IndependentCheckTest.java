package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Env;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.ContainerCredentialsEndpoint;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MotoServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * moto does not check AWS signatures, so the gateway's hand-sent Lambda Invoke is checked here
 * against this test's own SigV4 verifier, written from AWS's "Signature Version 4" documentation:
 * canonical request → string to sign → derived key → signature, over what the server received.
 */
@ExtendWith(MotoExtension.class)
class SigV4IndependentCheckTest {
    @RegisterExtension
    static final CaptureServer lambdaApi = new CaptureServer();

    @AfterEach
    void tearDown() {
        System.clearProperty("aws.endpointUrlLambda");
        System.clearProperty("aws.sessionToken");
    }

    @Test
    void the_invoke_the_gateway_sends_carries_a_valid_sigv4_signature() throws Exception {
        assertValidSignature(invokeOnce(), "testing", "testing");
    }

    @Test
    void under_snapstart_the_invoke_is_signed_with_the_container_endpoints_credentials_and_session_token()
            throws Exception {
        Map<String, String> keys = new HashMap<>();
        for (String property : List.of("aws.accessKeyId", "aws.secretAccessKey")) {
            keys.put(property, System.getProperty(property));
            System.clearProperty(property);
        }
        try (ContainerCredentialsEndpoint endpoint =
                ContainerCredentialsEndpoint.start("sigv4-token", Clock.systemUTC(), Duration.ofHours(6))) {
            System.setProperty("aws.containerCredentialsFullUri", endpoint.uri());
            System.setProperty("aws.containerAuthorizationToken", "sigv4-token");

            CaptureServer.Post invoke = invokeOnce();

            assertThat(invoke.headers().get("X-Amz-Security-Token"))
                    .isEqualTo(ContainerCredentialsEndpoint.sessionToken(1));
            assertThat(signedHeaders(invoke)).contains("x-amz-security-token");
            assertValidSignature(
                    invoke,
                    ContainerCredentialsEndpoint.accessKeyId(1),
                    ContainerCredentialsEndpoint.secretAccessKey(1));
        } finally {
            System.clearProperty("aws.containerCredentialsFullUri");
            System.clearProperty("aws.containerAuthorizationToken");
            keys.forEach((property, value) -> {
                if (value != null) {
                    System.setProperty(property, value);
                }
            });
        }
    }

    @Test
    void with_a_session_token_the_token_is_sent_and_signed() throws Exception {
        System.setProperty("aws.sessionToken", "session-token-for-test");

        CaptureServer.Post invoke = invokeOnce();

        assertThat(invoke.headers().get("X-Amz-Security-Token")).isEqualTo("session-token-for-test");
        assertThat(signedHeaders(invoke)).contains("x-amz-security-token");
        assertValidSignature(invoke, "testing", "testing");
    }

    private CaptureServer.Post invokeOnce() {
        lambdaApi.answerByDefault(CaptureServer.Answer.of(202, ""));
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, "SigningSecret");
        for (Target target : Target.values()) {
            env.put(target.envName(), "arn:aws:lambda:us-east-1:123456789012:function:UserFunction:live");
        }
        GatewayFunction gateway = new GatewayFunction(Env.of(env));
        APIGatewayV2HTTPEvent event = GatewayFunctionTest.event("run whoami", Instant.now().getEpochSecond(),
                MotoExtension.SIGNING_SECRET);
        assertThat(LambdaEvents.invoke(gateway, event, APIGatewayV2HTTPResponse.class, null).getStatusCode())
                .isEqualTo(200);
        List<CaptureServer.Post> posts = lambdaApi.posts();
        assertThat(posts).hasSize(1);
        return posts.get(0);
    }

    private static void assertValidSignature(CaptureServer.Post request, String accessKeyId, String secretAccessKey)
            throws Exception {
        String authorization = request.headers().get("Authorization");
        assertThat(authorization).startsWith("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/");
        String credential = authorization.replaceAll(".*Credential=([^,]+),.*", "$1");
        String[] scope = credential.split("/");
        String date = scope[1];
        String region = scope[2];
        String service = scope[3];
        assertThat(region).isEqualTo(MotoServer.REGION);
        assertThat(service).isEqualTo("lambda");
        String amzDate = request.headers().get("X-Amz-Date");
        List<String> signed = signedHeaders(request);

        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signed) {
            canonicalHeaders
                    .append(name)
                    .append(':')
                    .append(request.headers().get(name).strip().replaceAll("\\s+", " "))
                    .append('\n');
        }
        // Lambda is not S3: each path segment is URI-encoded twice.
        StringBuilder canonicalUri = new StringBuilder();
        for (String segment : request.rawPath().split("/", -1)) {
            if (canonicalUri.length() > 0 || !segment.isEmpty()) {
                canonicalUri.append('/').append(encode(encode(URLDecoder.decode(segment, StandardCharsets.UTF_8))));
            }
        }
        String canonicalRequest = "POST\n" + canonicalUri + "\n\n" + canonicalHeaders + "\n" + String.join(";", signed)
                + "\n" + hex(sha256(request.body().getBytes(StandardCharsets.UTF_8)));
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + date + "/" + region + "/" + service
                + "/aws4_request\n" + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String expected = hex(hmac(key, stringToSign));

        assertThat(authorization).endsWith("Signature=" + expected);
    }

    private static List<String> signedHeaders(CaptureServer.Post request) {
        return new ArrayList<>(List.of(request.headers().get("Authorization")
                .replaceAll(".*SignedHeaders=([^,]+),.*", "$1").split(";")));
    }

    private static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
