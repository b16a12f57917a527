package dev.chatops.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Log;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A command function's SnapStart priming (CommandPriming), as Lambda runs it before the snapshot:
 * it completes with no request sent to AWS or Slack (its samples go to its own loopback server) and
 * nothing logged, and the function answers its first real request as it would have unprimed.
 */
@ExtendWith(MotoExtension.class)
class UserPrimingTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();
    /** Where the SDK's requests would go while priming runs. */
    @RegisterExtension
    static final CaptureServer aws = new CaptureServer();

    private final String moto = System.getProperty("aws.endpointUrl");

    @AfterEach
    void tearDown() {
        System.setProperty("aws.endpointUrl", moto);
        Log.redirect(System.out);
    }

    @Test
    void priming_sends_nothing_logs_nothing_and_whoami_then_answers(LocalAws local) throws IOException {
        UserFunction function = new UserFunction(Services.fromEnvironment(Env.of(local.functionEnvironment(
                "UserFunction", Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1")))));
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(logged, true, StandardCharsets.UTF_8));
        System.setProperty("aws.endpointUrl", aws.url(""));

        boolean primed = function.priming().prime();

        System.setProperty("aws.endpointUrl", moto);
        assertThat(primed).isTrue();
        assertThat(aws.posts()).isEmpty();
        assertThat(slack.posts()).isEmpty();
        assertThat(logged.toString(StandardCharsets.UTF_8)).isEmpty();

        String path = "/r/" + UUID.randomUUID();
        CommandRequest request = new CommandRequest(UUID.randomUUID().toString(), "T0001", "", "U0NEW", "someone",
                "C1", "ops", "/chatops", "whoami", List.of(), Map.of(), "", slack.url(path), Instant.now());
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("UserFunction", Duration.ofSeconds(30)));

        assertThat(slack.posts()).hasSize(1);
        assertThat(CaptureServer.textOf(slack.postsTo(path).get(0))).contains("<@U0NEW>", "Not linked");
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("\"event\":\"command.");
    }
}
