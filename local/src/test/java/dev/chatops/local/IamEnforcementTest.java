package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.access.AccessStore;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.Template;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
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
@org.junit.jupiter.api.extension.ExtendWith(dev.chatops.testing.SecretsNotLogged.class)
class IamEnforcementTest {
    /** UserFunction's grant to write links (Sid Link), the one statement with exactly these actions. */
    private static final String USER_ACCESS = "Action: [dynamodb:PutItem, dynamodb:DeleteItem]";

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    @Test
    void without_put_item_on_the_access_table_link_is_denied_exactly_there_and_nothing_is_spent(@TempDir Path dir)
            throws Exception {
        String template = Files.readString(Template.projectRoot().resolve("template.yaml"));
        assertThat(template.split(java.util.regex.Pattern.quote(USER_ACCESS), -1)).as("UserFunction's access grant, once").hasSize(2);
        Path copy = dir.resolve("template.yaml");
        Files.writeString(copy, template.replace(USER_ACCESS, "Action: [dynamodb:DeleteItem]"));

        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withTemplate(copy));
             DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             LambdaClient lambda = LambdaClient.builder().httpClient(UrlConnectionHttpClient.create())
                     .endpointOverride(java.net.URI.create(stack.lambdaEndpoint())).build()) {
            AccessStore access = new AccessStore(dynamo, stack.aws().ref("AccessTable"));
            var bob = stack.opsGitLab().user("bob").orElseThrow();
            // What LinkFunction keeps after bob signed in on GitLab: his account under a one-time code.
            String code = access.holdPending(new AccessStore.Pending("ops", bob.id(), "bob", 30, Instant.now()),
                    Instant.now().plus(Duration.ofMinutes(10)));
            dev.chatops.testing.SecretsNotLogged.watch(code);
            String payload = """
                    {"version":1,"requestId":"%s","teamId":"T0IAM","enterpriseId":"","userId":"U0BOB","userName":"bob",
                     "channelId":"C1","channelName":"ops","slashCommand":"/chatops","command":"link","args":["%s"],
                     "options":{},"text":"link %s","responseUrl":"%s","receivedAt":"%s"}"""
                    .formatted(UUID.randomUUID(), code, code, slack.url("/iam/link"), Instant.now());

            lambda.invoke(b -> b.functionName("UserFunction:live").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(payload)));

            List<CaptureServer.Post> replies = slack.awaitPosts("/iam/link", 1, Duration.ofSeconds(60));
            assertThat(replies).hasSize(1);
            assertThat(CaptureServer.textOf(replies.get(0))).contains("Linking failed", "nothing was changed",
                    "Your code still works").doesNotContain(code);
            List<IamCalls.Call> denied = IamCalls.all().stream()
                    .filter(c -> c.template().equals(copy.toAbsolutePath().toString()) && !c.allowed()).toList();
            assertThat(denied).extracting(IamCalls.Call::function, IamCalls.Call::action, IamCalls.Call::resource)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("UserFunction", "dynamodb:PutItem",
                            "arn:aws:dynamodb:us-east-1:123456789012:table/AccessTable"));
            assertThat(access.pending(code, Instant.now())).as("the code is not spent").isPresent();
            assertThat(access.findLink("T0IAM", "U0BOB")).as("nobody was linked").isEmpty();
        }
    }
}
