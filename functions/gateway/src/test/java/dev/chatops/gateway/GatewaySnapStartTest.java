package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Env;
import dev.chatops.shared.Log;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.ContainerCredentialsEndpoint;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway handler as SnapStart runs it: no key variables, the execution role's credentials from
 * a loopback container credentials endpoint that checks its token. The key properties the moto
 * extension sets for the SDK are cleared for each test and put back after it.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class GatewaySnapStartTest {
    @RegisterExtension
    static final CaptureServer lambdaApi = new CaptureServer();

    private static final String TOKEN = "gateway-snapstart-token-Hq3v";
    private static final List<String> KEY_PROPERTIES =
            List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken");
    private static final String INVOKE_PATH = "/2015-03-31/functions/UserFunction/invocations";

    private final Map<String, String> saved = new HashMap<>();
    private ContainerCredentialsEndpoint endpoint;

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null, "run without AWS_ACCESS_KEY_ID in the environment");
        for (String property : KEY_PROPERTIES) {
            saved.put(property, System.getProperty(property));
            System.clearProperty(property);
        }
        endpoint = ContainerCredentialsEndpoint.start(TOKEN, Clock.systemUTC(), Duration.ofHours(6));
        System.setProperty("aws.containerCredentialsFullUri", endpoint.uri());
        System.setProperty("aws.containerAuthorizationToken", TOKEN);
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        lambdaApi.answerByDefault(CaptureServer.Answer.of(202, ""));
        SecretsNotLogged.watch(TOKEN);
        SecretsNotLogged.watch(ContainerCredentialsEndpoint.secretAccessKey(1));
        SecretsNotLogged.watch(ContainerCredentialsEndpoint.sessionToken(1));
    }

    @AfterEach
    void tearDown() {
        endpoint.close();
        for (String property : List.of(
                "aws.containerCredentialsFullUri", "aws.containerAuthorizationToken", "aws.endpointUrlLambda")) {
            System.clearProperty(property);
        }
        saved.forEach((property, value) -> {
            if (value != null) {
                System.setProperty(property, value);
            }
        });
    }

    @Test
    void the_secret_read_and_both_dispatches_are_signed_with_one_fetch_of_the_endpoints_credentials(LocalAws aws) {
        GatewayFunction handler = handler(aws);

        assertThat(handle(handler).getStatusCode()).isEqualTo(200);
        assertThat(handle(handler).getStatusCode()).isEqualTo(200);

        List<CaptureServer.Post> invokes = lambdaApi.postsTo(INVOKE_PATH);
        assertThat(invokes).hasSize(2);
        for (CaptureServer.Post invoke : invokes) {
            assertThat(invoke.headers().get("Authorization"))
                    .startsWith("AWS4-HMAC-SHA256 Credential=" + ContainerCredentialsEndpoint.accessKeyId(1) + "/");
            assertThat(invoke.headers().get("X-Amz-Security-Token"))
                    .isEqualTo(ContainerCredentialsEndpoint.sessionToken(1));
        }
        assertThat(endpoint.requests()).isEqualTo(1);
    }

    @Test
    void a_refused_token_fails_the_request_and_the_log_names_the_endpoint_and_status_but_no_token(LocalAws aws) {
        String wrong = "wrong-gateway-token-Pm4v";
        System.setProperty("aws.containerAuthorizationToken", wrong);
        GatewayFunction handler = handler(aws);
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        APIGatewayV2HTTPResponse response;
        Log.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            response = handle(handler);
        } finally {
            Log.redirect(System.out);
        }

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(response.getBody()).isEmpty();
        assertThat(lambdaApi.posts()).isEmpty();
        String logged = logs.toString(StandardCharsets.UTF_8);
        assertThat(logged)
                .contains("container credentials endpoint 127.0.0.1 refused the authorization token (status 401)")
                .doesNotContain(wrong)
                .doesNotContain(TOKEN);
        assertThat(endpoint.served()).isZero();
    }

    private static GatewayFunction handler(LocalAws aws) {
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, aws.ref("SigningSecret"));
        for (Target target : Target.values()) {
            env.put(target.envName(), target == Target.USER ? "UserFunction" : "Other" + target.ordinal());
        }
        return new GatewayFunction(Env.of(env));
    }

    private static APIGatewayV2HTTPResponse handle(GatewayFunction handler) {
        return LambdaEvents.invoke(handler, GatewayFunctionTest.event("run whoami", Instant.now().getEpochSecond(),
                MotoExtension.SIGNING_SECRET), APIGatewayV2HTTPResponse.class, null);
    }
}
