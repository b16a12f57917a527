package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Env;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Target;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slack's own example from "Verifying requests from Slack", through the whole gateway at the example's time. */
class GatewaySlackExampleTest {
    private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        + "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
        + "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b"
        + "6703c";
    private static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    @Test
    void slacks_published_example_verifies_and_its_empty_text_gets_help() {
        Clock atExample = Clock.fixed(Instant.ofEpochSecond(1531420618), ZoneOffset.UTC);
        Gateway gateway = gateway(atExample);

        Gateway.Response response = gateway.handle(Map.of("x-slack-request-timestamp", "1531420618",
                "x-slack-signature", SIGNATURE), BODY.getBytes(StandardCharsets.UTF_8), "req-1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("/webhook-collect run help");
    }

    @Test
    void the_same_example_an_hour_later_is_refused() {
        Gateway gateway = gateway(Clock.fixed(Instant.ofEpochSecond(1531420618 + 3600), ZoneOffset.UTC));

        Gateway.Response response = gateway.handle(Map.of("x-slack-request-timestamp", "1531420618",
                "x-slack-signature", SIGNATURE), BODY.getBytes(StandardCharsets.UTF_8), "req-2");

        assertThat(response.status()).isEqualTo(401);
    }

    private static Gateway gateway(Clock clock) {
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, "unused");
        for (Target target : Target.values()) {
            env.put(target.envName(), "fn");
        }
        return new Gateway(GatewayConfig.from(Env.of(env)), new SigningSecret(() -> SECRET, clock),
                (function, request) -> {
                    throw new AssertionError("nothing may be dispatched");
                }, Catalog.standard(), clock);
    }
}
