package dev.chatops.accesscheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * explain holds no GitLab token and asks AccessCheckFunction for its caller's role: the answer is
 * read from GitLab for the account the caller's link names, and kept; a request that names another
 * account than the link does (relinked meanwhile, or forged), a link on another instance, or
 * anything that is not an access check learns nothing and changes nothing.
 */
@ExtendWith(MotoExtension.class)
class AccessCheckFunctionTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();

    private AccessCheckFunction function;
    private AccessStore access;
    private String team;
    private long bob;

    @BeforeEach
    void setUp(LocalAws aws) {
        ops.addAdminToken(MotoExtension.GITLAB_TOKEN);
        ops.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        ops.addProject("ops/chatops");
        bob = ops.addUser("bob", true).id();
        ops.addMember("ops/chatops", "bob", 30);
        Services services = Services.fromEnvironment(Env.of(aws.functionEnvironment("AccessCheckFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=http://127.0.0.1:9",
                "CHATOPS_PROJECT", "ops/chatops"))));
        function = new AccessCheckFunction(services);
        access = services.access();
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        access.link(Link.of(team, "UBOB", "ops", bob, "bob", Instant.now()));
    }

    private String ask(String json) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), answer,
                new LocalLambdaContext("AccessCheckFunction", Duration.ofSeconds(30)));
        return answer.toString(StandardCharsets.UTF_8);
    }

    private String asking(String workspace, String user, long gitlabUserId) {
        return "{\"accessCheck\":{\"workspace\":\"" + workspace + "\",\"slackUserId\":\"" + user
                + "\",\"gitlabUserId\":" + gitlabUserId + "}}";
    }

    @Test
    void priming_before_the_snapshot_reads_nothing_from_gitlab_and_the_function_answers_after_it()
            throws IOException {
        int gitlabRequests = ops.requests().size();

        assertThat(function.priming().prime()).isTrue();

        assertThat(ops.requests()).hasSize(gitlabRequests);
        assertThat(Json.readObject(ask(asking(team, "UBOB", bob)))).containsEntry("accessLevel", 30);
    }

    @Test
    void answers_the_linked_accounts_role_and_2fa_and_keeps_them() throws IOException {
        assertThat(Json.readObject(ask(asking(team, "UBOB", bob))))
                .containsEntry("accessLevel", 30).containsEntry("twoFactor", true).containsKey("checkedAt");
        assertThat(access.findLink(team, "UBOB").orElseThrow().accessLevel()).contains(30);

        ops.setTwoFactor("bob", false);
        assertThat(Json.readObject(ask(asking(team, "UBOB", bob)))).containsEntry("twoFactor", false);
        assertThat(access.findLink(team, "UBOB").orElseThrow().twoFactor()).contains(false);
    }

    @Test
    void another_account_than_the_link_names_a_link_elsewhere_or_anything_else_learns_nothing() throws IOException {
        assertThat(ask(asking(team, "UBOB", bob + 1000))).isEqualTo("{\"linked\":false}");
        assertThat(ask(asking(team, "UNOBODY", bob))).isEqualTo("{\"linked\":false}");
        access.link(Link.of(team, "UPROD", "production", bob, "bob", Instant.now()));
        assertThat(ask(asking(team, "UPROD", bob))).as("a link on another instance than the chatops project's")
                .isEqualTo("{\"linked\":false}");
        // A command request, or a malformed check, is not answered.
        assertThat(ask("{\"accessCheck\":{\"workspace\":\"" + team + "\"}}")).contains("not an access check");
        assertThat(ask("{\"version\":1,\"command\":\"audit\",\"userId\":\"UBOSS\"}")).contains("not an access check");
        assertThat(access.findLink(team, "UBOB").orElseThrow().checkedAt()).as("nothing kept").isEmpty();
        assertThat(ops.recorded()).as("GitLab not asked").isEmpty();
    }
}
