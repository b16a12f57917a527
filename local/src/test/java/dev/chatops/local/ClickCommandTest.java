package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.SlackRequests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/chatops-local click} after {@code send}, as docs/local-stack.md walks through it: the
 * admin asks for a production flag, {@code send} prints the request's buttons with their action_id
 * and value and keeps them; the admin's own click is refused; {@code maint}'s click approves and
 * the flag is on. And the click on the wire: every field of Slack's {@code block_actions} payload,
 * signed as Slack signs it.
 */
class ClickCommandTest {
    private static final String SECRET = "click-test-secret";
    private static final Pattern APPROVE = Pattern.compile(
            "\n  button: Approve {2}\\(action_id feature\\.approve, value (ap-[0-9a-f]{32})\\)\n");

    private static LocalStack stack;
    @TempDir
    static Path dir;

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

    /** docs/local-stack.md's "A production change and its second person", command for command. */
    @Test
    void the_walkthrough_the_admin_asks_for_a_production_flag_maint_approves_with_click_and_the_flag_is_on()
            throws Exception {
        Path kept = dir.resolve("walkthrough.json");
        assertThat(run(0, kept, "send", "/chatops run feature set my_flag 25 --actors --staging",
                "--user", LocalStack.LOCAL_ADMIN))
                .contains("staging (127.0.0.1) \u2014 my_flag: not set \u2192 on for 25% of actors");

        String asked = run(0, kept, "send", "/chatops run feature set my_flag 25 --actors", "--user",
                LocalStack.LOCAL_ADMIN);

        assertThat(asked).contains("reply 1:\n  \u23F3 Production check initiated for my_flag on production",
                "reply 2:\n  \u270B @U0LOCALADMIN asks for a second person's approval to run "
                        + "/chatops run feature set my_flag 25 --actors\n"
                        + "  \u2022 production (127.0.0.1) \u2014 my_flag: not set \u2192 25% of actors\n",
                "  Anyone with maintainer or more on ops/chatops, other than @U0LOCALADMIN, may approve until ");
        Matcher approve = APPROVE.matcher(asked);
        assertThat(approve.find()).as(asked).isTrue();
        String value = approve.group(1);
        assertThat(asked).contains("\n  button: Deny  (action_id feature.deny, value " + value + ")\n");
        assertThat(kept).exists();
        assertThat(stack.productionGitLab().feature("my_flag")).isEmpty();

        String own = run(0, kept, "click", "Approve", "--user", LocalStack.LOCAL_ADMIN);

        assertThat(own).isEqualTo("confirm: Approve this change? \u2014 It is made at once, asked by @U0LOCALADMIN "
                + "and approved by you: /chatops run feature set my_flag 25 --actors [Approve]\nack 200\n"
                + "reply 1 (only you see it):\n  \u26D4 You asked for this change: a second person decides it."
                + " Nothing was changed.\n");
        assertThat(stack.productionGitLab().feature("my_flag")).isEmpty();

        String approved = run(0, kept, "click", "Approve", "--user", LocalStack.LOCAL_MAINT, "--user-name",
                "maint");

        assertThat(approved).contains("ack 200\n",
                "reply 1 (only you see it):\n  \u23F3 Production check initiated for my_flag on production",
                "reply 2 (replaces the message):\n  @U0LOCALADMIN set my_flag to 25% of actors\n"
                        + "  \u2705 production (127.0.0.1) \u2014 my_flag: not set \u2192 on for 25% of actors\n",
                "announced in the log channel logged in gitlab-com/gl-infra/feature-flag-log#",
                "  \u2705 Approved by @U0LOCALMAINT (maint) for @U0LOCALADMIN (admin). Request sl-");
        assertThat(stack.productionGitLab().feature("my_flag").orElseThrow()).containsEntry("state", "conditional");
        String get = run(0, kept, "send", "/chatops run feature get my_flag", "--user", LocalStack.LOCAL_ADMIN);
        assertThat(get).contains("  my_flag on production (127.0.0.1): conditional \u2014 on for 25% of actors\n",
                "  Percentage of actors\n    25%\n");

        // A button clicked again after the message was replaced, as from a Slack that has not refreshed.
        String late = run(0, kept, "click", "Deny", "--user", LocalStack.LOCAL_MAINT);
        assertThat(late).contains("reply 1 (only you see it):\n  \u26D4 This request was already approved by "
                + "@U0LOCALMAINT at ");
        assertThat(stack.productionGitLab().feature("my_flag").orElseThrow()).containsEntry("state", "conditional");
    }

    /**
     * docs/local-stack.md's "Requesting access", command for command: a person not linked yet hears
     * which steps remain; {@code newbie} asks for maintainer, which {@code maint} may not give; asks
     * for developer, may not approve it themselves, and the admin's click makes them developer until
     * a date 90 days on, on GitLab and in {@code member list}.
     */
    @Test
    void the_access_walkthrough_newbie_asks_the_admin_approves_with_click_and_member_list_shows_the_expiry()
            throws Exception {
        Path kept = dir.resolve("access.json");
        String stranger = run(0, kept, "send", "/chatops run access request --reason \"on call\"", "--user",
                "U0YOU");
        assertThat(stranger).contains("@U0YOU, you cannot ask for access yet: these steps of \"Requesting access\" "
                + "remain. Nothing was asked.", "button: Connect your GitLab account \u2192 http://127.0.0.1:");

        String tooMuch = run(0, kept, "send",
                "/chatops run access request --level=maintainer --reason \"Release manager this quarter\"", "--user",
                LocalStack.LOCAL_NEWBIE);
        assertThat(tooMuch).contains("asks for maintainer on ops/chatops",
                "Anyone with owner or more on ops/chatops, other than @U0LOCALNEW, may approve until ",
                "button: Approve  (action_id access.approve, value ap-");
        assertThat(run(0, kept, "click", "Approve", "--user", LocalStack.LOCAL_MAINT, "--user-name", "maint"))
                .contains("reply 1 (only you see it):\n  \u26D4 You need owner on ops/chatops to decide this "
                        + "change; you are maintainer.");
        assertThat(run(0, kept, "click", "Deny", "--user", LocalStack.LOCAL_ADMIN, "--user-name", "admin"))
                .contains("reply 1 (replaces the message):\n  \uD83D\uDEAB @U0LOCALADMIN denied @U0LOCALNEW's "
                        + "/chatops run access request");
        assertThat(stack.opsGitLab().accessLevel(LocalStack.CHATOPS_PROJECT, "newbie")).isEmpty();

        String asked = run(0, kept, "send",
                "/chatops run access request --reason \"On-call for the database team\"", "--user",
                LocalStack.LOCAL_NEWBIE);
        assertThat(asked).contains("@U0LOCALNEW asks for a second person's approval to run /chatops run access "
                        + "request --reason \"On-call for the database team\"\n",
                "Access request: @U0LOCALNEW (newbie on ops) asks for developer on ops/chatops, for 90 days from "
                        + "the approval.",
                "Reason: On-call for the database team",
                "Anyone with maintainer or more on ops/chatops, other than @U0LOCALNEW, may approve until ",
                "(72 hours)", "button: Approve  (action_id access.approve, value ap-",
                "button: Deny  (action_id access.deny, value ap-");
        assertThat(run(0, kept, "click", "Approve", "--user", LocalStack.LOCAL_NEWBIE, "--user-name", "newbie"))
                .contains("reply 1 (only you see it):\n  \u26D4 You asked for this change: a second person decides it."
                        + " Nothing was changed.\n");
        assertThat(stack.opsGitLab().accessLevel(LocalStack.CHATOPS_PROJECT, "newbie")).isEmpty();

        String approved = run(0, kept, "click", "Approve", "--user", LocalStack.LOCAL_ADMIN, "--user-name", "admin");

        String until = LocalDate.now(ZoneOffset.UTC).plusDays(90).toString();
        assertThat(approved).contains("(replaces the message):\n  \u2705 @U0LOCALNEW (newbie) is now developer of "
                + "ops/chatops on ops until " + until + ", added by @U0LOCALADMIN (admin) as themselves.",
                "Approved by @U0LOCALADMIN (admin) for @U0LOCALNEW (newbie)");
        assertThat(stack.opsGitLab().accessLevel(LocalStack.CHATOPS_PROJECT, "newbie")).contains(30);
        assertThat(stack.opsGitLab().expiresAt(LocalStack.CHATOPS_PROJECT, "newbie")).contains(until);
        String list = run(0, kept, "send", "/chatops run member list ops/chatops --ops", "--user",
                LocalStack.LOCAL_NEWBIE);
        assertThat(list).contains("newbie", "(until " + until + ")").doesNotContain("You need developer");
    }

    @Test
    void the_click_on_the_wire_has_every_field_of_slacks_payload_and_slacks_signature() throws Exception {
        Path kept = dir.resolve("wire.json");
        LastReply.save(kept, "T0WIRE", "C0WIRE", "wire-channel", approvalRequest());
        try (CaptureServer interactions = new CaptureServer().start()) {
            interactions.answerByDefault(Answer.of(200, ""));
            long before = Instant.now().getEpochSecond();

            String shown = run(1, kept, "click", "Deny", "--user", "U0WIRE", "--team", "T0WIRE", "--user-name",
                    "wire", "--url", interactions.url("/slack/interactions"), "--wait", "1");

            assertThat(shown).isEqualTo("confirm: Deny this change? \u2014 Nothing is changed. [Deny]\nack 200\n"
                    + "no reply within 1 s\n");
            CaptureServer.Post post = interactions.postsTo("/slack/interactions").get(0);
            assertThat(post.headers().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
            long timestamp = Long.parseLong(post.headers().get("X-Slack-Request-Timestamp"));
            assertThat(timestamp).isBetween(before, Instant.now().getEpochSecond());
            assertThat(post.headers().get("X-Slack-Signature")).as("signed as Slack signs, by the tests' own signer")
                    .isEqualTo(SlackRequests.sign(SECRET, timestamp, post.body().getBytes(StandardCharsets.UTF_8)));
            FormBody form = FormBody.parse(post.body());
            assertThat(form.get("payload")).isPresent();
            Map<String, Object> payload = Json.readObject(form.get("payload").orElseThrow());
            assertThat(payload).containsEntry("type", "block_actions").containsEntry("api_app_id", "A0LOCAL")
                    .containsEntry("enterprise", null).containsEntry("is_enterprise_install", false)
                    .containsKeys("token", "trigger_id", "state");
            assertThat(String.valueOf(payload.get("trigger_id"))).matches("\\d+\\.\\d+\\.[0-9a-f]{32}");
            assertThat(payload.get("user")).isEqualTo(Map.of("id", "U0WIRE", "username", "wire", "name", "wire",
                    "team_id", "T0WIRE"));
            assertThat(payload.get("team")).isEqualTo(Map.of("id", "T0WIRE", "domain", "local"));
            assertThat(payload.get("channel")).isEqualTo(Map.of("id", "C0WIRE", "name", "wire-channel"));
            @SuppressWarnings("unchecked")
            Map<String, Object> message = (Map<String, Object>) payload.get("message");
            assertThat(message.get("ts")).asString().matches("\\d{10}\\.\\d{6}");
            assertThat(message.get("text")).isEqualTo("approval requested");
            assertThat(message).containsEntry("type", "message").doesNotContainKeys("response_type",
                    "replace_original");
            assertThat(payload.get("container")).isEqualTo(Map.of("type", "message", "message_ts", message.get("ts"),
                    "channel_id", "C0WIRE", "is_ephemeral", false));
            assertThat(String.valueOf(payload.get("response_url"))).startsWith("http://127.0.0.1:")
                    .contains("/actions/T0WIRE/");
            List<?> actions = (List<?>) payload.get("actions");
            assertThat(actions).hasSize(1);
            @SuppressWarnings("unchecked")
            Map<String, Object> action = (Map<String, Object>) actions.get(0);
            String blockId = String.valueOf(((Map<?, ?>) ((List<?>) message.get("blocks")).get(1)).get("block_id"));
            assertThat(blockId).isNotBlank();
            assertThat(action).containsEntry("action_id", "feature.deny").containsEntry("block_id", blockId)
                    .containsEntry("value", "ap-0123456789abcdef0123456789abcdef").containsEntry("type", "button")
                    .containsEntry("style", "danger")
                    .containsEntry("text", Map.of("type", "plain_text", "text", "Deny"));
            assertThat(String.valueOf(action.get("action_ts"))).matches("\\d{10}\\.\\d{6}");
            assertThat(((Map<?, ?>) ((List<?>) message.get("blocks")).get(0)).get("block_id"))
                    .as("every block has one, as in Slack").isNotNull();
        }
    }

    @Test
    void click_says_what_is_missing_without_a_kept_reply_a_user_or_a_button_of_that_text() throws Exception {
        Path none = dir.resolve("none.json");
        Path kept = dir.resolve("errors.json");
        LastReply.save(kept, LocalStack.LOCAL_TEAM, "C0LOCAL", "chat-ops-test", approvalRequest());

        assertThat(fails(none, "Approve", "--user", LocalStack.LOCAL_MAINT))
                .startsWith("click: no reply with buttons yet (" + none + "): send a command whose reply has buttons");
        assertThat(fails(kept, "Approve"))
                .startsWith("click: --user U\u2026 says who clicks");
        assertThat(fails(kept, "Merge", "--user", LocalStack.LOCAL_MAINT))
                .startsWith("click: the last reply with buttons has no button \"Merge\"; its buttons: \"Approve\", "
                        + "\"Deny\"");
        assertThat(fails(kept, "Approve", "--user", LocalStack.LOCAL_MAINT, "--channel", "C1"))
                .startsWith("click: unknown option --channel");
    }

    @Test
    void a_link_button_is_opened_not_posted() throws Exception {
        Path kept = dir.resolve("link.json");
        LastReply.save(kept, LocalStack.LOCAL_TEAM, "C0LOCAL", "chat-ops-test", Json.readObject("""
                {"response_type":"ephemeral","blocks":[{"type":"actions","elements":[{"type":"button",
                 "text":{"type":"plain_text","text":"Connect your GitLab account"},
                 "url":"http://127.0.0.1:3000/link/start?state=s","action_id":"link-gitlab"}]}]}"""));
        try (CaptureServer interactions = new CaptureServer().start()) {
            assertThat(run(0, kept, "click", "connect your gitlab account", "--user", "U0YOU", "--url",
                    interactions.url("/slack/interactions")))
                    .isEqualTo("\"Connect your GitLab account\" opens http://127.0.0.1:3000/link/start?state=s in a "
                            + "browser\n");
            assertThat(interactions.posts()).isEmpty();
        }
    }

    /** An approval request as the feature function posts it: a section, then Approve and Deny with their dialogs. */
    private static Map<String, Object> approvalRequest() {
        return Json.readObject("""
                {"response_type":"in_channel","text":"approval requested","blocks":[
                 {"type":"section","text":{"type":"mrkdwn","text":"approval requested"}},
                 {"type":"actions","elements":[
                  {"type":"button","text":{"type":"plain_text","text":"Approve"},"style":"primary",
                   "action_id":"feature.approve","value":"ap-0123456789abcdef0123456789abcdef",
                   "confirm":{"title":{"type":"plain_text","text":"Approve this change?"},
                    "text":{"type":"mrkdwn","text":"It runs at once."},"confirm":{"type":"plain_text","text":"Approve"},
                    "deny":{"type":"plain_text","text":"Cancel"}}},
                  {"type":"button","text":{"type":"plain_text","text":"Deny"},"style":"danger",
                   "action_id":"feature.deny","value":"ap-0123456789abcdef0123456789abcdef",
                   "confirm":{"title":{"type":"plain_text","text":"Deny this change?"},
                    "text":{"type":"mrkdwn","text":"Nothing is changed."},"confirm":{"type":"plain_text","text":"Deny"},
                    "deny":{"type":"plain_text","text":"Cancel"},"style":"danger"}}]}]}""");
    }

    /**
     * Runs {@code send} or {@code click} (against the stack unless given {@code --url}) with its kept
     * reply in {@code kept}; asserts its exit status; what it printed.
     */
    private static String run(int exit, Path kept, String verb, String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        if (!arguments.contains("--url")) {
            arguments.addAll(List.of("--url", verb.equals("send") ? stack.commandsUrl()
                    : stack.url("/slack/interactions")));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of(Main.SIGNING_SECRET, SECRET, LastReply.FILE, kept.toString());
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = verb.equals("send") ? Main.send(arguments, env, stdout, stderr, false)
                : Main.click(arguments, env, stdout, stderr, false);
        String shown = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(shown + err.toString(StandardCharsets.UTF_8)).isEqualTo(exit);
        return shown;
    }

    /** Runs a click expected to be refused with status 2, nothing printed on standard output; its error. */
    private static String fails(Path kept, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of(Main.SIGNING_SECRET, SECRET, LastReply.FILE, kept.toString());
        int status = Main.click(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        assertThat(status).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        return err.toString(StandardCharsets.UTF_8);
    }
}
