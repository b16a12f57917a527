package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.Template;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * Each function's role is enforced as AWS enforces it: a copy of template.yaml without one grant
 * (UserFunction's {@code dynamodb:PutItem} on the access table, which {@code link CODE} needs for
 * the two Puts of its transaction) makes the local stack deny exactly that call, with AWS's
 * answer; the person is told that linking failed and nothing changed, and the code still works.
 */
@org.junit.jupiter.api.extension.ExtendWith(SecretsNotLogged.class)
class IamEnforcementTest {
    /** UserFunction's grant to write links (Sid Link), the one statement with exactly these actions. */
    private static final String USER_ACCESS = "Action: [dynamodb:PutItem, dynamodb:DeleteItem]";

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    @Test
    void without_put_item_on_the_access_table_link_is_denied_exactly_there_and_nothing_is_spent(@TempDir Path dir)
            throws Exception {
        String template = Files.readString(Template.projectRoot().resolve("template.yaml"));
        assertThat(template.split(Pattern.quote(USER_ACCESS), -1)).as("UserFunction's access grant, once").hasSize(2);
        Path copy = dir.resolve("template.yaml");
        Files.writeString(copy, template.replace(USER_ACCESS, "Action: [dynamodb:DeleteItem]"));

        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withTemplate(copy));
             DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             LambdaClient lambda = LambdaClient.builder().httpClient(UrlConnectionHttpClient.create())
                     .endpointOverride(URI.create(stack.lambdaEndpoint())).build()) {
            AccessStore access = new AccessStore(dynamo, stack.aws().ref("AccessTable"));
            var bob = stack.opsGitLab().user("bob").orElseThrow();
            // What LinkFunction keeps after bob signed in on GitLab: his account under a one-time code.
            String code = access.holdPending(new AccessStore.Pending("ops", bob.id(), "bob", 30, Instant.now()),
                    Instant.now().plus(Duration.ofMinutes(10)));
            SecretsNotLogged.watch(code);
            String payload = """
                {"version":1,"requestId":"%s","teamId":"T0IAM","enterpriseId":"","userId":"U0BOB","userName":"bob",
                 "channelId":"C1","channelName":"ops","slashCommand":"/chatops","command":"link","args":["%s"],
                 "options":{},"text":"link %s","responseUrl":"%s","receivedAt":"%s"}\
                """.formatted(UUID.randomUUID(), code, code, slack.url("/iam/link"), Instant.now());

            lambda.invoke(b -> b.functionName("UserFunction:live").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(payload)));

            List<CaptureServer.Post> replies = slack.awaitPosts("/iam/link", 1, Duration.ofSeconds(60));
            assertThat(replies).hasSize(1);
            assertThat(CaptureServer.textOf(replies.get(0))).contains("Linking failed", "nothing was changed",
                    "Your code still works").doesNotContain(code);
            List<IamCalls.Call> denied = IamCalls.all().stream()
                    .filter(c -> c.template().equals(copy.toAbsolutePath().toString()) && !c.allowed()).toList();
            assertThat(denied).extracting(IamCalls.Call::function, IamCalls.Call::action, IamCalls.Call::resource)
                    .containsExactly(Tuple.tuple("UserFunction", "dynamodb:PutItem",
                            "arn:aws:dynamodb:us-east-1:123456789012:table/AccessTable"));
            assertThat(access.pending(code, Instant.now())).as("the code is not spent").isPresent();
            assertThat(access.findLink("T0IAM", "U0BOB")).as("nobody was linked").isEmpty();
        }
    }

    /** ExplainFunction's line that keeps it from writing the access table (its role may not). */
    private static final String EXPLAIN_READ_ONLY = "          ACCESS_SNAPSHOTS: read-only\n";

    private static String explainAsTheAdmin(String responseUrl) {
        return new CommandRequest(UUID.randomUUID().toString(), LocalStack.LOCAL_TEAM, "", LocalStack.LOCAL_ADMIN,
                "admin", "C1", "ops", "/chatops", "explain", List.of("SELECT 1"), Map.of(), "SELECT 1", responseUrl,
                Instant.now(), "").toJson();
    }

    /**
     * explain holds no GitLab token: it asks AccessCheckFunction (a synchronous Invoke) for the caller's
     * role, which that function reads with its read-only token and keeps. explain's own role may read the
     * caller's link and nothing more of the access table (IAM conditions, which the local stack
     * evaluates as AWS does): made to keep the role itself, as a subverted function would try, it is
     * denied there and nothing is run.
     */
    @Test
    void explain_asks_the_access_check_function_for_the_callers_role_and_may_not_write_the_access_table(
            @TempDir Path dir) throws Exception {
        String template = Files.readString(Template.projectRoot().resolve("template.yaml"));
        int explain = template.indexOf("dev.chatops.explain.ExplainFunction::handleRequest");
        int line = template.indexOf(EXPLAIN_READ_ONLY, explain);
        assertThat(line).as("ExplainFunction's ACCESS_SNAPSHOTS").isGreaterThan(explain)
                .isLessThan(template.indexOf("Handler:", explain + 10));
        Path keeping = dir.resolve("template.yaml");
        Files.writeString(keeping, template.substring(0, line) + template.substring(line + EXPLAIN_READ_ONLY.length()));

        for (Path used : List.of(Template.projectRoot().resolve("template.yaml"), keeping)) {
            boolean asShipped = used != keeping;
            try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withTemplate(used));
                 DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
                 LambdaClient lambda = LambdaClient.builder().httpClient(UrlConnectionHttpClient.create())
                         .endpointOverride(URI.create(stack.lambdaEndpoint())).build()) {
                AccessStore access = new AccessStore(dynamo, stack.aws().ref("AccessTable"));
                String path = "/iam/explain-" + asShipped;
                lambda.invoke(b -> b.functionName("ExplainFunction:live").invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String(explainAsTheAdmin(slack.url(path)))));

                String used_ = used.toAbsolutePath().toString();
                Supplier<List<IamCalls.Call>> explainCalls = () -> IamCalls.all().stream()
                        .filter(c -> c.template().equals(used_) && c.function().equals("ExplainFunction")).toList();
                if (asShipped) {
                    List<CaptureServer.Post> replies = slack.awaitPosts(path, 1, Duration.ofSeconds(60));
                    assertThat(CaptureServer.textOf(replies.get(replies.size() - 1)))
                            .as("the plan")
                            .contains("EXPLAIN");
                    assertThat(explainCalls.get()).filteredOn(c -> c.resource().endsWith(":table/AccessTable"))
                            .extracting(IamCalls.Call::action, IamCalls.Call::allowed)
                            .containsOnly(Tuple.tuple("dynamodb:GetItem", true));
                } else {
                    // The first delivery stops at the denied write, before running anything (Lambda's retry, a
                    // minute later, would find the role AccessCheckFunction kept): the denial is what is awaited.
                    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (explainCalls.get().stream().allMatch(IamCalls.Call::allowed) && System.nanoTime() < until) {
                        Thread.sleep(200);
                    }
                    assertThat(explainCalls.get()).filteredOn(c -> !c.allowed())
                            .extracting(IamCalls.Call::action, IamCalls.Call::resource)
                            .containsOnly(Tuple.tuple("dynamodb:UpdateItem",
                                    "arn:aws:dynamodb:us-east-1:123456789012:table/AccessTable"));
                    assertThat(slack.postsTo(path)).as("nothing run").isEmpty();
                }
                assertThat(explainCalls.get()).filteredOn(c -> c.action().equals("lambda:InvokeFunction"))
                        .extracting(IamCalls.Call::resource, IamCalls.Call::allowed)
                        .containsOnly(Tuple.tuple(LocalAws.functionArn("AccessCheckFunction") + ":live", true));
                assertThat(access.findLink(LocalStack.LOCAL_TEAM, LocalStack.LOCAL_ADMIN).orElseThrow().checkedAt())
                        .as("the role AccessCheckFunction read, kept by it").isPresent();
            }
        }
    }
}
