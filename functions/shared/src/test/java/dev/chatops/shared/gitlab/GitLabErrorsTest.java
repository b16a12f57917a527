package dev.chatops.shared.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

/** The one wording of GitLab's failures, used by feature, member and auto_deploy. */
class GitLabErrorsTest {
    private static final String CHECK = "/chatops run feature get my_flag";

    @Test
    void a_change_gitlab_may_have_made_says_how_to_check_and_a_read_says_to_try_again() {
        GitLabException timeout = new GitLabException("timed out", new HttpTimeoutException("timeout"));
        assertThat(GitLabErrors.sentence("production", timeout, true, CHECK))
                .isEqualTo(
                        "GitLab on production did not answer in time: the change may or may not have been made. Check"
                                + " with `"
                                + CHECK + "`.");
        assertThat(GitLabErrors.sentence("production", timeout, false, CHECK))
                .isEqualTo("GitLab on production did not answer in time. Try again in a minute.");
        assertThat(GitLabErrors.sentence("production", new GitLabException(502, "Bad Gateway"), true, CHECK))
                .contains("failed (502): the change may or may not have been made");
    }

    @Test
    void refusals_say_nothing_was_changed_naming_the_instance_never_its_address() {
        assertThat(GitLabErrors.sentence("ops", new GitLabException(401, "401 Unauthorized"), true, CHECK))
                .startsWith("GitLab on ops refused ChatOps's API token (401)").endsWith("nothing was changed.");
        assertThat(GitLabErrors.sentence("ops", new GitLabException(403, "403 Forbidden"), true, CHECK))
                .contains("does not let ChatOps's token do this (403)").endsWith("Nothing was changed.");
        assertThat(GitLabErrors.sentence("ops", new GitLabException(403, "403 Forbidden"), true, CHECK, true))
                .isEqualTo("GitLab on ops refused it as you (403): your own rights there do not allow it. Nothing was"
                        + " changed.");
        assertThat(GitLabErrors.sentence("ops", new GitLabException(422, "<!channel> is invalid"), true, CHECK))
                .isEqualTo("GitLab on ops refused it: &lt;!channel&gt; is invalid. Nothing was changed.");
    }
}
