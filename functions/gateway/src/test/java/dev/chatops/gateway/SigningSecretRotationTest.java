package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Env;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MutableClock;
import dev.chatops.testing.SecretsNotLogged;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Rotating a leaked signing secret, as an operator does it (SECURITY.md): Slack regenerates the
 * secret, then the secret is updated in Secrets Manager (moto here). A warm gateway, its time on a
 * clock the test moves, must stop accepting the old secret within minutes, without a cold start.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class SigningSecretRotationTest {
    @RegisterExtension
    static final CaptureServer lambdaApi = new CaptureServer();

    private static final String OLD = "old-signing-secret-0123456789abcdef";
    private static final String NEW = "new-signing-secret-fedcba9876543210";

    private final MutableClock clock = MutableClock.now();
    private final SecretsManagerClient secrets = SecretsManagerClient.builder()
            .httpClient(UrlConnectionHttpClient.create()).build();
    private String secretName;
    private GatewayFunction gateway;

    @BeforeEach
    void setUp() {
        lambdaApi.answerByDefault(Answer.of(202, ""));
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        secretName = "rotation-" + UUID.randomUUID();
        secrets.createSecret(r -> r.name(secretName).secretString(OLD));
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, secretName);
        for (Target target : Target.values()) {
            env.put(target.envName(), target.name());
        }
        gateway = new GatewayFunction(Env.of(env), clock);
        assertThat(status(OLD)).as("warm, with the old secret").isEqualTo(200);
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("aws.endpointUrlLambda");
        secrets.deleteSecret(r -> r.secretId(secretName).forceDeleteWithoutRecovery(true));
        secrets.close();
    }

    @Test
    void after_rotation_a_warm_gateway_refuses_the_old_secret_once_the_refresh_interval_and_grace_have_passed() {
        rotate();
        clock.advance(SigningSecret.REFRESH_INTERVAL);

        assertThat(status(OLD)).as("the change is seen now: the old secret has its grace").isEqualTo(200);
        clock.advance(SigningSecret.GRACE);
        assertThat(status(OLD)).as("after the grace").isEqualTo(401);
        assertThat(status(NEW)).isEqualTo(200);
    }

    @Test
    void a_request_signed_with_the_new_secret_is_accepted_at_once_and_starts_the_old_ones_grace() {
        clock.advance(SigningSecret.MIN_REFRESH_INTERVAL);
        rotate();

        assertThat(status(NEW)).isEqualTo(200);
        assertThat(status(OLD)).as("within the grace").isEqualTo(200);
        clock.advance(SigningSecret.GRACE);
        assertThat(status(OLD)).isEqualTo(401);
        clock.advance(SigningSecret.REFRESH_INTERVAL.multipliedBy(3));
        assertThat(status(OLD)).as("and never again").isEqualTo(401);
        assertThat(status(NEW)).isEqualTo(200);
    }

    @Test
    void the_old_secret_never_comes_back_by_a_mismatch_after_its_grace() {
        clock.advance(SigningSecret.MIN_REFRESH_INTERVAL);
        rotate();
        assertThat(status(NEW)).isEqualTo(200);
        clock.advance(SigningSecret.GRACE.plus(SigningSecret.MIN_REFRESH_INTERVAL));

        assertThat(status(OLD)).as("a mismatch reads the secret again, which finds nothing new").isEqualTo(401);
        assertThat(status("forged-" + OLD)).isEqualTo(401);
        assertThat(status(NEW)).isEqualTo(200);
    }

    @Test
    void before_the_refresh_interval_the_old_secret_still_works_but_that_lag_ends_with_it() {
        rotate();
        clock.advance(SigningSecret.REFRESH_INTERVAL.minus(Duration.ofSeconds(1)));

        assertThat(status(OLD)).as("not read again yet: the documented lag").isEqualTo(200);
        clock.advance(Duration.ofSeconds(1).plus(SigningSecret.GRACE));
        assertThat(status(OLD)).as("read again on this request, too late for a grace").isEqualTo(401);
    }

    @Test
    void an_idle_warm_gateway_gives_the_old_secret_no_fresh_grace_on_its_first_request_after_rotation() {
        rotate();
        clock.advance(Duration.ofMinutes(30));

        assertThat(status(OLD)).as("an attacker's request, the first in half an hour").isEqualTo(401);
        assertThat(status(NEW)).isEqualTo(200);
    }

    /** What the operator does after regenerating the secret in Slack. */
    private void rotate() {
        secrets.putSecretValue(r -> r.secretId(secretName).secretString(NEW));
    }

    private int status(String signingSecret) {
        APIGatewayV2HTTPEvent event =
                GatewayFunctionTest.event("run whoami", clock.instant().getEpochSecond(), signingSecret);
        return LambdaEvents.invoke(gateway, event, APIGatewayV2HTTPResponse.class, null).getStatusCode();
    }
}
