package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Log;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.EmbeddedMetrics;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every request the gateway answers writes one metrics document in CloudWatch's embedded metric
 * format (checked against the specification): {@code Acks} and {@code AckTime} by route and result,
 * the result being what the person got.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class AckMetricsTest {
    @RegisterExtension
    static final CaptureServer lambdaApi = new CaptureServer();

    private GatewayFunction handler;

    @BeforeEach
    void setUp(LocalAws aws) {
        lambdaApi.answerByDefault(Answer.of(202, ""));
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        handler = new GatewayFunction(GatewayFunctionTest.environment(aws));
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("aws.endpointUrlLambda");
    }

    @Test
    void each_answer_is_counted_once_by_route_and_what_the_person_got() {
        long now = Instant.now().getEpochSecond();
        assertThat(counted(signed("run whoami", now))).containsEntry("Result", "dispatched");
        assertThat(counted(signed("run help", now))).containsEntry("Result", "help");
        assertThat(counted(signed("run whoami --help", now))).containsEntry("Result", "help");
        assertThat(counted(signed("run deploy_everything", now))).containsEntry("Result", "unknown");
        assertThat(counted(signed("run whoami extra words", now))).containsEntry("Result", "usage");
        assertThat(counted(signed("whoami", now))).containsEntry("Result", "usage");
        assertThat(counted(GatewayFunctionTest.event("run whoami", now, "not-the-secret")))
                .containsEntry("Result", "unsigned");
        assertThat(counted(GatewayFunctionTest.event("run whoami", now - 3600, MotoExtension.SIGNING_SECRET)))
                .containsEntry("Result", "unsigned");
        APIGatewayV2HTTPEvent notBase64 = signed("run whoami", now);
        notBase64.setBody("%%%");
        assertThat(counted(notBase64)).containsEntry("Result", "rejected");
        lambdaApi.answerByDefault(Answer.of(429, "{\"Type\":\"User\",\"message\":\"Rate exceeded\"}"));
        assertThat(counted(signed("run whoami", now))).containsEntry("Result", "not dispatched");
        lambdaApi.answerByDefault(Answer.of(202, ""));

        Map<String, Object> foreign = counted(GatewayInteractionsTest.event(
                GatewayInteractionsTest.click("WaXA", p -> { }), now, MotoExtension.SIGNING_SECRET));
        assertThat(foreign).as("a button that is not ChatOps'").containsEntry("Route", "interactions")
                .containsEntry("Result", "ignored");
        Map<String, Object> approve = counted(GatewayInteractionsTest.event(
                GatewayInteractionsTest.click("feature.approve", p -> { }), now, MotoExtension.SIGNING_SECRET));
        assertThat(approve).containsEntry("Route", "interactions").containsEntry("Result", "dispatched");
    }

    @Test
    void the_document_names_its_dimensions_metrics_and_units() {
        Map<String, Object> document = counted(signed("run help", Instant.now().getEpochSecond()));

        assertThat(document).containsEntry("Route", "commands").containsEntry("Acks", 1.0);
        assertThat(((Number) document.get("AckTime")).doubleValue()).isPositive();
        Map<?, ?> directive = (Map<?, ?>) ((List<?>) ((Map<?, ?>) document.get("_aws")).get("CloudWatchMetrics"))
                .get(0);
        assertThat(directive.get("Namespace")).isEqualTo("ChatOps");
        assertThat(directive.get("Dimensions")).isEqualTo(List.of(List.of("Route", "Result")));
        assertThat(directive.get("Metrics")).isEqualTo(List.of(Map.of("Name", "Acks", "Unit", "Count"),
                Map.of("Name", "AckTime", "Unit", "Milliseconds")));
    }

    private static APIGatewayV2HTTPEvent signed(String text, long now) {
        return GatewayFunctionTest.event(text, now, MotoExtension.SIGNING_SECRET);
    }

    /** Handles {@code event}; the one metrics document written, checked against the format's specification. */
    private Map<String, Object> counted(APIGatewayV2HTTPEvent event) {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            LambdaEvents.invoke(handler, event, APIGatewayV2HTTPResponse.class, null);
        } finally {
            Log.redirect(System.out);
            System.out.print(logs.toString(StandardCharsets.UTF_8));
        }
        List<Map<String, Object>> documents = EmbeddedMetrics.documentsIn(logs.toString(StandardCharsets.UTF_8));
        assertThat(documents).hasSize(1);
        assertThat(EmbeddedMetrics.violations(documents.get(0))).isEmpty();
        return documents.get(0);
    }
}
