package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.Template;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * A function's {@code Timeout} as Lambda enforces it: the invocation that outlives it is cut off,
 * its execution environment is thrown away, and the asynchronous event is retried, per the
 * template's {@code EventInvokeConfig}, in a new environment.
 */
@org.junit.jupiter.api.extension.ExtendWith(SecretsNotLogged.class)
class LambdaTimeoutTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    @Test
    void an_invocation_past_its_timeout_is_cut_off_and_its_async_event_retried_in_a_new_environment(@TempDir Path dir)
            throws Exception {
        String template = Files.readString(Template.projectRoot().resolve("template.yaml"));
        String userFunction = "      Description: whoami, and the commands about people and their access.\n";
        assertThat(template).contains(userFunction);
        Path copy = dir.resolve("template.yaml");
        Files.writeString(copy, template.replace(userFunction, userFunction + "      Timeout: 5\n"));
        List<String> logs = new CopyOnWriteArrayList<>();
        // Slack takes the first reply and then says nothing for longer than the function may run.
        slack.answerNextOn("/timeout", CaptureServer.Answer.hang(Duration.ofSeconds(15)));

        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withTemplate(copy)
                .withRetryDelays(List.of(Duration.ofMillis(200)))
                .withLog((function, line) -> logs.add(function + " " + line)));
             LambdaClient lambda = LambdaClient.builder().httpClient(UrlConnectionHttpClient.create())
                     .endpointOverride(URI.create(stack.lambdaEndpoint())).build()) {
            String payload = """
                {"version":1,"requestId":"%s","teamId":"T0001","enterpriseId":"","userId":"U0SLOW","userName":"slow",
                 "channelId":"C1","channelName":"ops","slashCommand":"/chatops","command":"whoami","args":[],
                 "options":{},"text":"","responseUrl":"%s","receivedAt":"%s"}\
                """.formatted(UUID.randomUUID(), slack.url("/timeout"), Instant.now());
            assertThat(lambda.invoke(b -> b.functionName("UserFunction:live").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(payload))).statusCode()).isEqualTo(202);

            List<CaptureServer.Post> posts = slack.awaitPosts("/timeout", 2, Duration.ofSeconds(60));

            assertThat(posts).as("the hung post, then the retry's").hasSize(2);
            assertThat(CaptureServer.textOf(posts.get(1))).contains("<@U0SLOW>", "Not linked");
            assertThat(logs)
                    .anyMatch(line ->
                            line.startsWith("UserFunction ") && line.contains("Task timed out after 5.00 seconds"));
            assertThat(stack.functions().coldStarts("UserFunction"))
                    .as("the timed-out environment was replaced")
                    .isEqualTo(2);
            assertThat(stack.functions().pids("UserFunction")).hasSize(1);
        }
    }
}
