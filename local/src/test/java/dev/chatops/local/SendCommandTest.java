package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/chatops-local send} on the local stack's real replies: what it prints is what a Slack
 * user would see — link text with the URL a click opens, mentions, emoji, no mrkdwn marks, buttons
 * with their URL — and {@code --raw} prints the posts as received.
 */
class SendCommandTest {
    private static final String SECRET = "send-test-secret";
    private static LocalStack stack;
    @TempDir
    static Path lastReply;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(SECRET));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void auto_deploy_status_shows_links_emoji_and_bold_as_slack_does() throws Exception {
        String shown = send(false, "/chatops run auto_deploy status", "--user", LocalStack.LOCAL_ADMIN);
        String production = stack.productionGitLab().baseUrl();

        assertThat(shown)
                .startsWith("ack 200: \u23F3 running /chatops run auto_deploy status \u2026\nreply 1:\n")
                .contains("  Deployments of gitlab-org/gitlab (127.0.0.1), in deploy order\n")
                .contains("  \u2705 gstg-ref \u2014 d4d43333333 (" + production
                        + "/gitlab-org/gitlab/-/commit/d4d4333333333333333333333333333333333333)"
                        + " \u00B7 branch 16-6-auto-deploy-2026112500")
                .contains(" \u00B7 pipeline (" + production + "/gitlab-org/gitlab/-/pipelines/1001)")
                .contains("  \u23F3 gprd-cny \u2014 ")
                .doesNotContain("<http", "|d4d4", ":white_check_mark:", ":hourglass", "*", "`", "\u001B[");
    }

    @Test
    void whoami_shows_the_mention_and_each_field_under_its_label() throws Exception {
        String shown = send(false, "/chatops run whoami", "--user", "U0SEND");

        assertThat(shown)
                .contains("reply 1:\n"
                        + "  Who you are to ChatOps\n"
                        + "  Slack user\n"
                        + "    @U0SEND (U0SEND)\n"
                        + "  Workspace\n"
                        + "    T0LOCAL\n")
                .doesNotContain("<@", "*", "`");
    }

    @Test
    void on_a_terminal_bold_and_code_are_ansi_styles() throws Exception {
        String shown = send(true, "/chatops run whoami", "--user", "U0SEND");

        assertThat(shown).contains("  \u001B[1mWho you are to ChatOps\u001B[22m\n", "\u001B[36mU0SEND\u001B[39m");
    }

    @Test
    void feature_get_shows_the_flag_in_plain_words() throws Exception {
        String shown = send(false, "/chatops run feature get send_test_flag", "--user", LocalStack.LOCAL_ADMIN);

        assertThat(shown).contains("  send_test_flag on production (127.0.0.1): not set (its default applies)\n")
                .doesNotContain("*", "`");
    }

    @Test
    void a_refusal_shows_its_emoji_and_the_connect_button_with_the_url_it_opens() throws Exception {
        String shown = send(false, "/chatops run member list ops/chatops --ops", "--user", "U0SENDUNLINKED");

        assertThat(shown)
                .contains("  \u26D4 Your Slack account is not linked to a GitLab account on ops; this command needs"
                        + " developer on ops/chatops.\n")
                .contains("  button: Connect your GitLab account \u2192 "
                        + stack.commandsUrl().replace("/slack/commands", "/link/start?state="))
                .containsPattern("  button: Connect your GitLab account \u2192 \\S+  \\(action_id link-gitlab\\)\n");
    }

    @Test
    void raw_prints_the_ack_and_each_post_as_received() throws Exception {
        String shown = send(false, "/chatops run member list ops/chatops --ops", "--user", "U0SENDUNLINKED", "--raw");
        List<String> lines = shown.lines().toList();

        assertThat(lines.get(0))
                .startsWith("ack 200: {")
                .contains(":hourglass_flowing_sand: running `/chatops run member list");
        assertThat(lines.get(1)).startsWith("reply 1: {");
        Map<String, Object> reply = Json.readObject(lines.get(1).substring("reply 1: ".length()));
        assertThat(Main.buttonUrls(reply)).hasSize(1);
        assertThat(String.valueOf(reply.get("blocks"))).contains(":no_entry: Your Slack account is not linked");
    }

    private static String send(boolean styled, String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        arguments.addAll(List.of("--url", stack.commandsUrl()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.send(
                arguments,
                // Buttons are kept for click in a file of the test's own.
                Map.of(Main.SIGNING_SECRET, SECRET, LastReply.FILE, lastReply.resolve("last-reply.json").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                styled);
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
