package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.gateway.Gateway;
import dev.chatops.shared.Metrics;
import dev.chatops.shared.command.Catalog;
import dev.chatops.testing.aws.SamTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * template.yaml as the transform writes it, for what operators see: every function traced by X-Ray
 * with the grant to write its traces, every alarm notifying the optional topic, and every alarm on the
 * project's own metrics reading a metric, dimensions and values the functions write
 * ({@link ObservabilityEndToEndTest} sees them written).
 */
class ObservabilityTemplateTest {
    private static SamTemplate template;

    @BeforeAll
    static void transform() {
        template = SamTemplate.project(Map.of());
    }

    @Test
    void every_function_is_traced_and_may_write_its_traces() {
        for (String function : template.functions().keySet()) {
            Map<String, Object> properties = template.resources("AWS::Lambda::Function").get(function);
            assertThat(properties.get("TracingConfig")).as(function).isEqualTo(Map.of("Mode", "Active"));
            assertThat(template.roleOf(function).managedPolicyArns()).as(function).anySatisfy(arn ->
                    assertThat(String.valueOf(arn)).contains("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"));
        }
    }

    @Test
    void every_alarm_notifies_the_topic_when_one_is_given_and_reads_metrics_the_functions_write() {
        Map<String, Map<String, Object>> alarms = template.resources("AWS::CloudWatch::Alarm");
        assertThat(alarms.keySet()).containsExactlyInAnyOrder("FailedRequestsAlarm", "FunctionErrorsAlarm",
                "FunctionThrottlesAlarm", "GatewaySlowAlarm", "SignatureFailuresAlarm", "ExplainFailuresAlarm");
        List<Map<?, ?>> ownMetrics = new ArrayList<>();
        alarms.forEach((id, alarm) -> {
            for (String actions : List.of("AlarmActions", "OKActions")) {
                assertThat(String.valueOf(alarm.get(actions))).as("%s %s", id, actions)
                        .startsWith("{Fn::If=[HasAlarmTopic, [{Ref=AlarmTopicArn}]");
            }
            assertThat(alarm.get("TreatMissingData")).as(id).isEqualTo("notBreaching");
            for (Object query : alarm.get("Metrics") instanceof List<?> list ? list : List.of()) {
                if (((Map<?, ?>) query).get("MetricStat") instanceof Map<?, ?> stat
                        && stat.get("Metric") instanceof Map<?, ?> metric
                        && Metrics.NAMESPACE.equals(metric.get("Namespace"))) {
                    ownMetrics.add(metric);
                }
            }
        });
        assertThat(ownMetrics).hasSize(4).allSatisfy(metric -> {
            Map<String, String> dimensions = new LinkedHashMap<>();
            for (Object each : (List<?>) metric.get("Dimensions")) {
                Map<?, ?> dimension = (Map<?, ?>) each;
                dimensions.put(String.valueOf(dimension.get("Name")), String.valueOf(dimension.get("Value")));
            }
            if (metric.get("MetricName").equals("Acks")) {
                assertThat(dimensions.keySet()).containsExactly("Route", "Result");
                assertThat(dimensions.get("Route")).isIn("commands", "interactions");
                assertThat(dimensions.get("Result")).isEqualTo(Gateway.Ack.UNSIGNED.counted());
            } else {
                assertThat(metric.get("MetricName")).isEqualTo("Attempts");
                assertThat(dimensions.keySet()).containsExactly("Command", "Result");
                assertThat(Catalog.standard().find(dimensions.get("Command"))).isPresent();
                assertThat(dimensions.get("Result")).isIn("ran", "failed");
            }
        });
    }

    @Test
    void the_dashboard_shows_the_alarms_and_reads_the_projects_namespace() {
        Map<String, Object> dashboard = template.resources("AWS::CloudWatch::Dashboard").get("Dashboard");
        String body = String.valueOf(dashboard.get("DashboardBody"));
        assertThat(body).contains("{ChatOps,Route,Result} MetricName=\\\"Acks\\\"",
                "{ChatOps,Command,Result} MetricName=\\\"Attempts\\\"", "FailedRequestsAlarm", "ExplainFailuresAlarm");
    }
}
