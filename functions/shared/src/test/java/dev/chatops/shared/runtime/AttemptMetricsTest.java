package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Param;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.Target;
import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Outcome;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.EmbeddedMetrics;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Every attempt writes one metrics document as it is finished, in CloudWatch's embedded metric format
 * (checked against the specification by {@link EmbeddedMetrics}): by command, form and result, its
 * duration and the DynamoDB requests it made, counted by the same interceptor Lambda's clients carry.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class AttemptMetricsTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();
    @RegisterExtension
    static final GitLabStandIn gitlab = new GitLabStandIn();

    private static final CommandSpec FLAG = CommandSpec.of("flag", "Sets or reads.", Target.USER,
            Form.sub("set", Role.MAINTAINER, "Sets it.", Param.required("name")).changing(),
            Form.sub("get", Role.ANYONE, "Reads it.", Param.required("name")));
    private static final CommandSpec BOOM = CommandSpec.of("boom", "Always breaks.", Target.USER,
            Form.of(Role.ANYONE, "Throws."));

    private CommandRuntime runtime;
    private RuntimeFixture fixture;

    @BeforeEach
    void setUp(LocalAws aws) {
        gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
        gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        gitlab.addProject("ops/chatops");
        DynamoDbClient counted = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new DynamoDbCalls())).build();
        fixture = new RuntimeFixture(aws, Clock.systemUTC(), gitlab.baseUrl(), counted);
        Command flag = RuntimeFixture.command(FLAG, Map.of(
                "set", call -> Reply.inChannel("set").text("set " + call.args().get(0)).build(),
                "get", call -> Reply.ephemeral("got").text(call.args().get(0) + " is on").build()));
        Command boom = RuntimeFixture.command(BOOM, call -> {
            throw new IllegalStateException("broken");
        });
        runtime = new CommandRuntime(List.of(flag, boom), fixture.services);
    }

    @Test
    void each_attempt_writes_one_document_by_command_form_and_result_with_its_duration_and_dynamodb_requests() {
        long id = gitlab.addUser("maint", true).id();
        gitlab.addMember("ops/chatops", "maint", 40);
        fixture.services.access().link(Link.of("T1", "U-maint", "ops", id, "maint", Instant.now()));

        Map<String, Object> ran = only(request("flag", List.of("get", "my_flag"), "U-maint"));
        Map<String, Object> changed = only(request("flag", List.of("set", "my_flag"), "U-maint"));
        Map<String, Object> denied = only(request("flag", List.of("set", "my_flag"), "U-nobody"));
        Map<String, Object> usage = only(request("flag", List.of("get"), "U-maint"));
        Map<String, Object> failed = only(request("boom", List.of(), "U-maint"));

        assertThat(ran).containsEntry("Command", "flag").containsEntry("Form", "get").containsEntry("Result", "ran")
                .containsEntry("Attempts", 1.0).containsEntry("ReplyFailures", 0.0);
        assertThat(changed).containsEntry("Form", "set").containsEntry("Result", "ran");
        assertThat(denied).containsEntry("Form", "set").containsEntry("Result", "denied");
        assertThat(usage).containsEntry("Form", "none").containsEntry("Result", "refused");
        assertThat(failed).containsEntry("Command", "boom").containsEntry("Form", "none")
                .containsEntry("Result", "failed");
        for (Map<String, Object> document : List.of(ran, changed, denied, usage, failed)) {
            assertThat(((Number) document.get("Duration")).doubleValue()).isNotNegative();
            assertThat(((Number) document.get("DynamoDbRequests")).doubleValue()).as("audit, claim, record at least")
                    .isGreaterThanOrEqualTo(3);
        }
        assertThat(ran.get("_aws")).isEqualTo(Map.of("Timestamp", ((Map<?, ?>) ran.get("_aws")).get("Timestamp"),
                "CloudWatchMetrics", List.of(Map.of("Namespace", "ChatOps",
                        "Dimensions", List.of(List.of("Command", "Form", "Result"), List.of("Command", "Result")),
                        "Metrics", List.of(Map.of("Name", "Attempts", "Unit", "Count"),
                                Map.of("Name", "Duration", "Unit", "Milliseconds"),
                                Map.of("Name", "DynamoDbRequests", "Unit", "Count"),
                                Map.of("Name", "ReplyFailures", "Unit", "Count"))))));
    }

    @Test
    void the_dynamodb_requests_of_an_attempt_are_the_calls_it_made() {
        CommandRequest request = request("flag", List.of("get", "my_flag"), "U-unlinked");
        long before = DynamoDbCalls.count();

        Map<String, Object> document = only(request);

        assertThat(((Number) document.get("DynamoDbRequests")).longValue()).isEqualTo(DynamoDbCalls.count() - before);
    }

    @Test
    void a_duplicate_delivery_is_counted_as_a_duplicate_not_as_a_second_run() {
        CommandRequest request = request("flag", List.of("get", "my_flag"), "U-unlinked");
        only(request);

        assertThat(only(request)).containsEntry("Result", "duplicate");
    }

    @Test
    void results_are_the_few_operators_count() {
        assertThat(AttemptMetrics.result(new Verdict(Decision.ALLOWED, Outcome.OK, ""))).isEqualTo("ran");
        assertThat(AttemptMetrics.result(new Verdict(Decision.ALLOWED, Outcome.REFUSED, ""))).isEqualTo("refused");
        assertThat(AttemptMetrics.result(new Verdict(Decision.ALLOWED, Outcome.ERROR, ""))).isEqualTo("failed");
        assertThat(AttemptMetrics.result(new Verdict(Decision.ALLOWED, Outcome.AWAITING_APPROVAL, "")))
                .isEqualTo("awaiting approval");
        assertThat(AttemptMetrics.result(new Verdict(Decision.REPORTED, Outcome.UNKNOWN, "")))
                .isEqualTo("interrupted");
        assertThat(AttemptMetrics.result(new Verdict(Decision.DENIED, Outcome.NOT_LINKED, ""))).isEqualTo("denied");
        assertThat(AttemptMetrics.result(new Verdict(Decision.UNKNOWN, Outcome.ERROR, ""))).isEqualTo("failed");
        assertThat(AttemptMetrics.result(new Verdict(Decision.DUPLICATE, Outcome.SKIPPED, "")))
                .isEqualTo("duplicate");
        for (Decision decision : Decision.values()) {
            for (Outcome outcome : Outcome.values()) {
                assertThat(AttemptMetrics.result(new Verdict(decision, outcome, ""))).isIn("ran", "refused",
                        "denied", "failed", "interrupted", "awaiting approval", "awaiting confirmation", "duplicate",
                        "approved", "rejected");
            }
        }
    }

    private CommandRequest request(String command, List<String> args, String user) {
        CommandRequest base = RuntimeFixture.request(command, args, slack.url("/m/" + UUID.randomUUID()));
        return new CommandRequest(base.requestId(), "T1", "", user, "someone", "C1", "ops", "/chatops", command, args,
                Map.of(), String.join(" ", args), base.responseUrl(), Instant.now());
    }

    /** Handles {@code request}; the one metrics document it wrote, checked against the format's specification. */
    private Map<String, Object> only(CommandRequest request) {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            runtime.handle(request, Duration.ofSeconds(30));
        } finally {
            Log.redirect(System.out);
            // Where SecretsNotLogged reads them.
            System.out.print(logs.toString(StandardCharsets.UTF_8));
        }
        List<Map<String, Object>> documents = EmbeddedMetrics.documentsIn(logs.toString(StandardCharsets.UTF_8));
        assertThat(documents).as("metrics documents of %s", request.command()).hasSize(1);
        assertThat(EmbeddedMetrics.violations(documents.get(0))).isEmpty();
        return documents.get(0);
    }
}
