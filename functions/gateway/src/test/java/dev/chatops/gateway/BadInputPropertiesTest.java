package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Target;
import dev.chatops.shared.edge.CommandText;
import dev.chatops.shared.edge.TextParseException;
import dev.chatops.testing.SlackRequests;
import dev.chatops.testing.Soak;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Whatever arrives, signed or not: the gateway answers (never throws), bad input gets a clear
 * sentence, and nothing malformed is ever dispatched — a dispatched request always names a known
 * command in a form it accepts.
 */
class BadInputPropertiesTest {
    private static final String SECRET = "bad-input-secret";
    private static final long NOW = 1_764_028_800L;

    private final List<CommandRequest> dispatched = new ArrayList<>();
    private final Gateway gateway;

    BadInputPropertiesTest() {
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, "unused");
        env.put("GITLAB_INSTANCES", "ops=https://ops.example.com,production=https://gitlab.example.com");
        for (Target target : Target.values()) {
            env.put(target.envName(), "fn");
        }
        Clock clock = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
        gateway = new Gateway(GatewayConfig.from(Env.of(env)), new SigningSecret(() -> SECRET, clock),
                (function, json) -> dispatched.add(CommandRequest.fromJson(json)), Catalog.standard(), clock);
    }

    @Provide
    Arbitrary<String> hostileText() {
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> pieces = Arbitraries.of(
                "run",
                "help",
                "whoami",
                "member",
                "add",
                "list",
                "user",
                "find",
                "audit",
                "link",
                "unlink",
                "--ops",
                "--production",
                "--level=owner",
                "--",
                "—ops",
                "\"",
                "'",
                "“",
                "”",
                "‘",
                "’",
                "<@U123|bob>",
                "<#C1|x>",
                "<mailto:a@b.c|a@b.c>",
                "<http://x.y|x.y>",
                "&amp;",
                "&lt;",
                "&gt;",
                "<",
                ">",
                "\u0000",
                "\u202e",
                "\t",
                "\n",
                "ops/chatops",
                "bob",
                "--limit=999",
                "--user=",
                "=",
                "--x=y=z",
                "explain",
                "SELECT",
                "*",
                "FROM",
                "issues",
                ";",
                "--no-analyze",
                "feature",
                "get",
                "set",
                "delete",
                "my_flag",
                "true",
                "50",
                "--actors",
                "--random",
                "--staging",
                "--dev",
                "auto_deploy",
                "status",
                "abc123",
                "`",
                "```");
        Arbitrary<String> built = pieces.list().ofMaxSize(12).map(words -> String.join(" ", words));
        Arbitrary<String> command = Arbitraries.of("whoami", "user find", "member add", "member list", "audit", "link",
                "explain", "feature set", "feature get", "feature list", "auto_deploy status", "help");
        Arbitrary<String> aimed =
                net.jqwik.api.Combinators.combine(command, built).as((c, rest) -> "run " + c + " " + rest);
        return Arbitraries.oneOf(
                anything,
                built,
                aimed,
                aimed,
                Arbitraries.just("x".repeat(10_000)),
                Arbitraries.just("run whoami " + "\"".repeat(3)));
    }

    @Property(tries = 3000)
    void any_signed_text_gets_an_answer_and_only_well_formed_calls_are_dispatched(@ForAll("hostileText") String text) {
        dispatched.clear();
        byte[] body = SlackRequests.formBody(
                SlackRequests.slashCommand(text, "U1", "https://hooks.slack.com/commands/T1/2/3"));
        Gateway.Response response = gateway.handle(signed(body), body, "r");

        assertThat(response.status()).isIn(200, 413);
        if (response.status() == 200) {
            assertThat(Json.readObject(response.body()).get("text")).asString().isNotBlank();
        }
        for (CommandRequest request : dispatched) {
            CommandSpec spec = Catalog.standard().find(request.command()).orElseThrow();
            Usage.resolve(spec, request.args(), request.options(), Set.of("ops", "production"));
        }
    }

    @Property(tries = 50_000)
    @AddLifecycleHook(Soak.Only.class)
    void any_signed_text_in_the_soak_run(@ForAll("hostileText") String text) {
        any_signed_text_gets_an_answer_and_only_well_formed_calls_are_dispatched(text);
    }

    @Property(tries = 20_000)
    @AddLifecycleHook(Soak.Only.class)
    void raw_bytes_in_the_soak_run(@ForAll @Size(max = 2000) byte[] raw) {
        invalid_utf8_and_raw_bytes_in_a_signed_body_never_break_the_gateway(raw);
    }

    @Property(tries = 2000)
    void the_parser_either_reads_a_text_or_says_why_it_cannot(@ForAll("hostileText") String text) {
        try {
            CommandText parsed = CommandText.parse(text);
            assertThat(parsed.words()).doesNotContainNull();
            parsed.rawAfterWords(2);
        } catch (TextParseException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 1000)
    void invalid_utf8_and_raw_bytes_in_a_signed_body_never_break_the_gateway(@ForAll @Size(max = 2000) byte[] raw) {
        dispatched.clear();
        Gateway.Response response = gateway.handle(signed(raw), raw, "r");

        assertThat(response.status()).isIn(200, 400, 413);
        assertThat(dispatched).allSatisfy(r -> assertThat(Catalog.standard().find(r.command())).isPresent());
    }

    @Property(tries = 300)
    void a_signed_form_missing_any_slack_field_is_a_bad_request_and_dispatches_nothing(
            @ForAll("fieldToDrop") String field) {
        dispatched.clear();
        Map<String, String> form = new LinkedHashMap<>(SlackRequests.slashCommand("run whoami", "U1",
                "https://hooks.slack.com/commands/T1/2/3"));
        form.remove(field);
        byte[] body = SlackRequests.formBody(form);

        assertThat(gateway.handle(signed(body), body, "r").status()).isEqualTo(400);
        assertThat(dispatched).isEmpty();
    }

    @Provide
    Arbitrary<String> fieldToDrop() {
        return Arbitraries.of("team_id", "user_id", "channel_id", "command", "response_url");
    }

    @Property(tries = 20)
    void an_oversize_body_is_refused_unread(@ForAll @Size(min = 65_537, max = 200_000) List<Byte> ignored) {
        byte[] body = new byte[ignored.size()];
        assertThat(gateway.handle(signed(body), body, "r").status()).isEqualTo(413);
    }

    private static Map<String, String> signed(byte[] body) {
        return Map.of(
                "x-slack-request-timestamp",
                Long.toString(NOW),
                "x-slack-signature",
                SlackRequests.sign(SECRET, NOW, body));
    }
}
