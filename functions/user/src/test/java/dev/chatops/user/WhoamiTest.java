package dev.chatops.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code whoami} through UserFunction's Lambda handler, reading the link from DynamoDB on moto. */
@ExtendWith(MotoExtension.class)
class WhoamiTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
    private UserFunction function;
    private AccessStore access;

    @BeforeEach
    void setUp(LocalAws aws) {
        Services services = Services.fromEnvironment(Env.of(aws.functionEnvironment("UserFunction",
                Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1"))), clock);
        function = new UserFunction(services);
        access = services.access();
    }

    @Test
    void an_unlinked_user_is_told_so_with_their_slack_ids() throws IOException {
        String reply = whoami("U0NEW", "");

        assertThat(reply).contains("<@U0NEW>", "`T0001`", "Not linked", "*ChatOps role*\nNone");
    }

    @Test
    void an_unlinked_user_is_offered_the_connect_button() throws IOException {
        String path = "/r/" + UUID.randomUUID();
        CommandRequest request = new CommandRequest(UUID.randomUUID().toString(), "T0001", "", "U0BUTTON", "someone",
                "C1", "ops", "/chatops", "whoami", List.of(), Map.of(), "", slack.url(path), clock.instant(),
                "https://api.example.com");
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("UserFunction", Duration.ofSeconds(30)));

        CaptureServer.Post reply = slack.postsTo(path).get(0);
        assertThat(CaptureServer.textOf(reply)).contains("Not linked", "Connect your GitLab account");
        assertThat(reply.body().replace("\\u003d", "="))
                .contains("\"url\":\"https://api.example.com/link/start?state=");
    }

    @Test
    void a_linked_user_sees_their_gitlab_account_role_and_two_factor_state() throws IOException {
        access.link(new Link("T0001", "U0ALICE", "ops", 42, "alice", Instant.parse("2026-11-20T09:30:00Z"),
                Optional.of(40), Optional.of(true), Optional.of(Instant.parse("2026-11-25T09:58:00Z"))));

        String reply = whoami("U0ALICE", "");

        assertThat(reply).contains("`alice` (id 42) on `ops`", "linked 2026-11-20 09:30 UTC",
                "maintainer (40), checked 2 min ago", "*Two-factor authentication*\nOn");
    }

    @Test
    void in_an_enterprise_grid_the_link_belongs_to_the_organisation() throws IOException {
        access.link(Link.of("E0ORG", "U0BOB", "ops", 7, "bob", Instant.parse("2026-11-20T09:30:00Z")));

        String reply = whoami("U0BOB", "E0ORG");

        assertThat(reply).contains("`bob` (id 7)", "in organisation `E0ORG`", "Not checked yet");
    }

    private String whoami(String userId, String enterpriseId) throws IOException {
        String path = "/r/" + UUID.randomUUID();
        CommandRequest request = new CommandRequest(
                UUID.randomUUID().toString(),
                "T0001",
                enterpriseId,
                userId,
                "someone",
                "C1",
                "ops",
                "/chatops",
                "whoami",
                List.of(),
                Map.of(),
                "",
                slack.url(path),
                clock.instant());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)), out,
                new LocalLambdaContext("UserFunction", Duration.ofSeconds(30)));
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).json()).containsEntry("response_type", "ephemeral");
        return CaptureServer.textOf(posts.get(0));
    }
}
