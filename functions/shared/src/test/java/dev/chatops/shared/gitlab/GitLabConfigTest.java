package dev.chatops.shared.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The instances by flag: one instance, one name, however its URL is written; timeouts within reason. */
class GitLabConfigTest {
    @Test
    void two_names_for_one_instance_are_refused_however_the_url_is_spelled() {
        for (String second : new String[] {"https://gitlab.com/", "https://GitLab.com", "https://gitlab.com:443",
                "https://gitlab.com//"}) {
            assertThatThrownBy(() -> GitLabConfig.parseInstances("production=https://gitlab.com,prod2=" + second))
                    .as(second).isInstanceOf(ConfigurationException.class).hasMessageContaining("same URL");
        }
        assertThat(GitLabConfig.parseInstances("ops=https://ops.gitlab.net,production=https://gitlab.com"))
                .containsOnlyKeys("ops", "production");
        assertThat(GitLabConfig.parseInstances("a=http://127.0.0.1:5002,b=http://127.0.0.1:5003")).hasSize(2);
    }

    @Test
    void a_gitlab_request_may_take_at_most_twenty_seconds() {
        Map<String, String> env = Map.of("GITLAB_INSTANCES", "ops=https://ops.gitlab.net,production=https://gitlab.com",
                "CHATOPS_PROJECT", "ops/chatops");
        assertThat(GitLabConfig.from(Env.of(env)).requestTimeout()).hasSeconds(10);
        Map<String, String> slow = new HashMap<>(env);
        slow.put("GITLAB_TIMEOUT_SECONDS", "60");
        assertThatThrownBy(() -> GitLabConfig.from(Env.of(slow))).hasMessageContaining("1 to 20 seconds");
    }
}
