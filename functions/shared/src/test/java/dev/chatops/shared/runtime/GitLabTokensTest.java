package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.DelegatedAccessCheck;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Which GitLab tokens a function holds, as the template gives them: the read-only ones for role
 * checks and reads, the write tokens only where commands write, and a missing one stops start-up
 * naming it.
 */
@ExtendWith(MotoExtension.class)
class GitLabTokensTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();

    private Services services(LocalAws aws, String function, String... without) {
        Map<String, String> env = new HashMap<>(aws.functionEnvironment(
                function,
                Map.of(
                        RuntimeConfig.RESPONSE_URL_ALLOW,
                        "http://127.0.0.1",
                        "GITLAB_INSTANCES",
                        "ops=" + ops.baseUrl() + ",production=http://localhost:9",
                        "CHATOPS_PROJECT",
                        "ops/chatops")));
        for (String name : without) {
            env.remove(name);
        }
        return new Services(Env.of(env), DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                Clock.systemUTC(), ResponseUrlClient.standard(ResponseUrlPolicy.parse("http://127.0.0.1")));
    }

    @Test
    void a_command_function_without_its_read_token_secret_stops_at_start_up_naming_it(LocalAws aws) {
        Services services = services(aws, "UserFunction", "GITLAB_READ_TOKENS_SECRET_ID");

        assertThatThrownBy(() -> new CommandRuntime(List.of(), services))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GITLAB_READ_TOKENS_SECRET_ID");
    }

    @Test
    void explain_holds_no_gitlab_token_and_starts_without_one_asking_the_access_check_function_for_roles(LocalAws aws) {
        Services services = services(aws, "ExplainFunction");

        assertThat(services.env().optional(Services.ACCESS_CHECK_FUNCTION))
                .hasValueSatisfying(name -> assertThat(name).contains("AccessCheckFunction"));
        assertThat(services.accessCheck()).isInstanceOf(DelegatedAccessCheck.class);
        assertThat(new CommandRuntime(List.of(), services)).isNotNull();
        assertThatThrownBy(services::gitlab)
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GITLAB_READ_TOKENS_SECRET_ID");
    }

    @Test
    void only_member_and_feature_are_given_the_write_tokens(LocalAws aws) {
        for (String function : List.of("UserFunction", "ExplainFunction", "AutoDeployFunction")) {
            assertThatThrownBy(() -> services(aws, function).gitlabWriter()).as(function)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("GITLAB_TOKENS_SECRET_ID");
        }
        for (String function : List.of("MemberFunction", "FeatureFunction")) {
            assertThat(services(aws, function).gitlabWriter()).as(function).isNotNull();
            assertThatThrownBy(() -> services(aws, function, "GITLAB_TOKENS_SECRET_ID").gitlabWriter()).as(function)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("GITLAB_TOKENS_SECRET_ID");
        }
    }

    @Test
    void the_read_tokens_read_but_gitlab_refuses_them_any_change(LocalAws aws) {
        ops.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        ops.addProject("ops/chatops");
        long bob = ops.addUser("bob", true).id();
        ops.addMember("ops/chatops", "bob", 30);
        Services services = services(aws, "AutoDeployFunction");

        assertThat(services.gitlab().chatops().projectAccessLevel("ops/chatops", bob)).contains(30);
        assertThatThrownBy(() -> services.gitlab().chatops().removeMember("projects", "ops/chatops", bob))
                .isInstanceOf(GitLabException.class)
                .satisfies(e -> assertThat(((GitLabException) e).status()).isEqualTo(403));
        assertThat(ops.accessLevel("ops/chatops", "bob")).contains(30);
    }
}
