package dev.chatops.autodeploy;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import dev.chatops.shared.gitlab.ProjectLocation;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Where deployments are read from and in which order environments are shown; each variable is
 * named once here.
 *
 * @param instance     the GitLab instance of the deploy project
 * @param project      the deploy project's path
 * @param environments its environments, in deploy order (GitLab.com's: gstg-ref, gstg-cny, gstg, gprd-cny, gprd)
 * @param deadline     how long all of GitLab's answers may take together
 */
record AutoDeployConfig(String instance, String project, List<String> environments, Duration deadline) {
    /** {@code instance:path} of the project that deploys, e.g. {@code production:gitlab-org/gitlab}. */
    static final String PROJECT = "AUTO_DEPLOY_PROJECT";
    /** Its environments in deploy order, comma-separated. */
    static final String ENVIRONMENTS = "AUTO_DEPLOY_ENVIRONMENTS";
    /** Seconds all calls to GitLab may take together (default 10): slower environments are shown as such. */
    static final String DEADLINE_SECONDS = "AUTO_DEPLOY_DEADLINE_SECONDS";

    static AutoDeployConfig from(Env env, Map<String, String> instances) {
        ProjectLocation location =
                ProjectLocation.parse(env.optional(PROJECT, "production:gitlab-org/gitlab"), instances, PROJECT);
        List<String> environments = Arrays.stream(env.optional(ENVIRONMENTS, "gstg-ref,gstg-cny,gstg,gprd-cny,gprd")
                        .split(","))
                .map(String::strip)
                .filter(e -> !e.isEmpty())
                .toList();
        if (environments.isEmpty()
                || environments.size() > 20
                || environments.stream().distinct().count() < environments.size()) {
            throw new ConfigurationException(ENVIRONMENTS + " must name 1 to 20 different environments");
        }
        long deadline = env.optionalLong(DEADLINE_SECONDS, 10);
        if (deadline < 1 || deadline > 40) {
            throw new ConfigurationException(DEADLINE_SECONDS + " must be 1 to 40 seconds");
        }
        return new AutoDeployConfig(location.instance(), location.path(), environments,
                Duration.ofSeconds(deadline));
    }
}
