package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.Target;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MotoServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** What the runtime does when its parts fail: DynamoDB gone, Slack hanging. */
@ExtendWith(MotoExtension.class)
class FaultsTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static final CommandSpec CHANGE = CommandSpec.of("change", "Changes something.", Target.USER,
            Form.of(Role.ANYONE, "Counts."));
    private final AtomicInteger effects = new AtomicInteger();

    private Command change() {
        return RuntimeFixture.command(CHANGE, call -> {
            effects.incrementAndGet();
            return Reply.error("changed");
        });
    }

    @Test
    void with_dynamodb_gone_nothing_runs_nothing_is_answered_and_lambda_is_asked_to_retry(LocalAws aws) {
        Map<String, String> env = aws.functionEnvironment("UserFunction", Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=http://127.0.0.1:9,production=http://localhost:9", "CHATOPS_PROJECT", "ops/chatops"));
        MotoServer doomed = MotoServer.start();
        DynamoDbClient unreachable = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(doomed.endpoint()))
                .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD)
                        .apiCallTimeout(Duration.ofSeconds(5)))
                .build();
        doomed.close();
        Services services = new Services(Env.of(env), unreachable, Clock.systemUTC(),
                ResponseUrlClient.standard(ResponseUrlPolicy.parse("http://127.0.0.1")));
        CommandRuntime runtime = new CommandRuntime(List.of(change()), services);

        assertThatThrownBy(() -> runtime.handle(RuntimeFixture.request("change", List.of(), slack.url("/faults/db")),
                Duration.ofSeconds(30))).isInstanceOf(StoreException.class);
        assertThat(effects).hasValue(0);
        assertThat(slack.postsTo("/faults/db")).isEmpty();
    }

    @Test
    void dynamodb_throttling_is_ridden_out_by_the_sdk_and_the_command_acts_once(LocalAws aws, MotoServer moto) {
        try (dev.chatops.testing.ThrottlingProxy proxy = new dev.chatops.testing.ThrottlingProxy(moto.endpoint())) {
            DynamoDbClient throttled = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(URI.create(proxy.endpoint())).build();
            RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC(), "http://127.0.0.1:9", throttled);
            CommandRuntime runtime = new CommandRuntime(List.of(change()), fixture.services);
            CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/throttled"));
            proxy.throttleNext(2);

            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(proxy.throttled()).isEqualTo(2);
            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/throttled")).hasSize(1);
        }
    }

    @Test
    void throttling_that_outlasts_the_sdks_retries_leaves_nothing_done_and_asks_lambda_to_retry(LocalAws aws, MotoServer moto) {
        try (dev.chatops.testing.ThrottlingProxy proxy = new dev.chatops.testing.ThrottlingProxy(moto.endpoint())) {
            // The standard retry mode gives up after 3 attempts (the DynamoDB default keeps trying longer).
            DynamoDbClient throttled = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(URI.create(proxy.endpoint()))
                    .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD)).build();
            RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC(), "http://127.0.0.1:9", throttled);
            CommandRuntime runtime = new CommandRuntime(List.of(change()), fixture.services);
            CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/outlasted"));
            proxy.throttleNext(1000);

            assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30))).isInstanceOf(StoreException.class);
            proxy.throttleNext(0);
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/outlasted")).hasSize(1);
        }
    }

    @Test
    void a_hanging_response_url_is_abandoned_and_the_retry_posts_the_stored_reply_without_acting_again(LocalAws aws) {
        RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC());
        CommandRuntime runtime = new CommandRuntime(List.of(change()), fixture.services);
        CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/hang"));
        slack.answerNextOn("/faults/hang", Answer.hang(Duration.ofSeconds(3)), Answer.hang(Duration.ofSeconds(3)),
                Answer.hang(Duration.ofSeconds(3)), Answer.hang(Duration.ofSeconds(3)));

        assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(12))).isInstanceOf(ReplyException.class);
        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(1);
        List<CaptureServer.Post> posts = slack.postsTo("/faults/hang");
        assertThat(posts.size()).isLessThanOrEqualTo(5);
        assertThat(CaptureServer.textOf(posts.get(posts.size() - 1))).contains("changed");
    }
}
