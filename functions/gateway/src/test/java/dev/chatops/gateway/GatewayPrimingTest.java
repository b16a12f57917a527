package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Log;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway's SnapStart priming (GatewayPriming), as Lambda runs it before taking the snapshot:
 * it completes with nothing sent to AWS (its Invoke, secret and credentials go to its own loopback
 * server), nothing logged, and leaves the function answering exactly as before: its sample's secret
 * is refused by the real gateway, a request signed by Slack's secret is dispatched.
 */
@ExtendWith(MotoExtension.class)
class GatewayPrimingTest {
    /** Lambda's Invoke API, where the real dispatches go. */
    @RegisterExtension
    static final CaptureServer lambdaApi = new CaptureServer();
    /** Where every other AWS request would go while priming runs (Secrets Manager's included). */
    @RegisterExtension
    static final CaptureServer otherAws = new CaptureServer();

    private GatewayFunction handler;
    private String moto;

    @BeforeEach
    void setUp(LocalAws aws) {
        lambdaApi.answerByDefault(Answer.of(202, ""));
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        moto = System.getProperty("aws.endpointUrl");
        handler = new GatewayFunction(GatewayFunctionTest.environment(aws));
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("aws.endpointUrlLambda");
        System.setProperty("aws.endpointUrl", moto);
        Log.redirect(System.out);
    }

    @Test
    void priming_sends_nothing_to_aws_logs_nothing_and_leaves_the_gateway_as_it_was() {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(logged, true, StandardCharsets.UTF_8));
        System.setProperty("aws.endpointUrl", otherAws.url(""));

        boolean primed = handler.priming().prime();

        System.setProperty("aws.endpointUrl", moto);
        assertThat(primed).isTrue();
        assertThat(handler.priming().primed()).isTrue();
        assertThat(lambdaApi.posts()).isEmpty();
        assertThat(otherAws.posts()).isEmpty();
        assertThat(logged.toString(StandardCharsets.UTF_8)).isEmpty();

        long now = Instant.now().getEpochSecond();
        APIGatewayV2HTTPResponse forged = handle(GatewayFunctionTest.event("run whoami", now, GatewayPriming.SECRET));
        assertThat(forged.getStatusCode()).isEqualTo(401);
        assertThat(lambdaApi.posts()).isEmpty();

        APIGatewayV2HTTPResponse real =
                handle(GatewayFunctionTest.event("run whoami", now, MotoExtension.SIGNING_SECRET));
        assertThat(real.getStatusCode()).isEqualTo(200);
        assertThat(real.getBody()).contains("running `/chatops run whoami`");
        assertThat(lambdaApi.postsTo("/2015-03-31/functions/UserFunction/invocations")).hasSize(1);
        // The silence ends with priming: the real request's lines are logged.
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("\"event\":\"request.verified\"");
    }

    @Test
    void a_gateway_given_to_the_handler_registers_no_hook() {
        assertThat(new GatewayFunction((Gateway) null).priming()).isNull();
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        return LambdaEvents.invoke(handler, event, APIGatewayV2HTTPResponse.class, null);
    }
}
