package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.app_backend.SlackSignature.Generator;
import com.slack.api.app_backend.SlackSignature.Verifier;
import dev.chatops.shared.Env;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.SlackRequests;
import dev.chatops.testing.Soak;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Signature verification as properties over generated requests to both URLs Slack posts to (slash
 * commands, and button clicks to the interactivity URL), which share one check: valid ones always
 * pass; every mutation of a valid one (body bytes, timestamp, header case and repetition, version,
 * encoding, truncation) is refused with 401 and dispatches nothing. Differential against Slack's own
 * Java verifier, with its known disagreements written down.
 */
class SignaturePropertiesTest {
    private static final String SECRET = "property-test-signing-secret";
    private static final long NOW = 1_764_028_800L;

    /** What was handed to a function, as its JSON. */
    private final List<String> dispatched = new ArrayList<>();
    private final Gateway gateway = gateway();

    private Gateway gateway() {
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, "unused");
        for (Target target : Target.values()) {
            env.put(target.envName(), "fn");
        }
        Clock clock = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
        return new Gateway(GatewayConfig.from(Env.of(env)), new SigningSecret(() -> SECRET, clock),
                (function, json) -> dispatched.add(json), Catalog.standard(), clock);
    }

    /** The two URLs Slack posts to. */
    enum Endpoint {
        COMMANDS, INTERACTIONS
    }

    /** A signed slash command or button click: form body, timestamp within the window, its headers. */
    record Signed(Endpoint endpoint, byte[] body, long timestamp, Map<String, String> headers) {
    }

    /** What Slack posts to {@code endpoint}: {@code user}'s slash command, or their click on a button. */
    @SuppressWarnings("unchecked")
    private static byte[] body(Endpoint endpoint, String text, String user) {
        if (endpoint == Endpoint.COMMANDS) {
            return SlackRequests.formBody(
                    SlackRequests.slashCommand(text, user, "https://hooks.slack.com/commands/T1/2/3"));
        }
        Map<String, Object> click = SlackRequests.blockActions("feature.approve", "ap-" + user, user,
                "https://hooks.slack.com/actions/T1/2/3");
        ((Map<String, Object>) click.get("message")).put("text", text);
        return SlackRequests.formBody(SlackRequests.interaction(click));
    }

    private Gateway.Response send(Endpoint endpoint, Map<String, String> headers, byte[] body) {
        return endpoint == Endpoint.COMMANDS
                ? gateway.handle(headers, body, "r")
                : gateway.handleInteraction(headers, body, "r");
    }

    @Provide
    Arbitrary<Signed> valid() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(200)
                .map(t -> "run whoami " + t.replace("\"", "").replace("'", "").replace("--", ""));
        Arbitrary<String> user = Arbitraries.strings()
                .withCharRange('A', 'Z')
                .ofMinLength(1)
                .ofMaxLength(10)
                .map(u -> "U" + u);
        Arbitrary<Integer> skew = Arbitraries.integers().between(-300, 300);
        return Combinators.combine(Arbitraries.of(Endpoint.class), text, user, skew).as((e, t, u, s) -> {
            byte[] body = body(e, t, u);
            long timestamp = NOW + s;
            Map<String, String> headers = new HashMap<>();
            headers.put("x-slack-request-timestamp", Long.toString(timestamp));
            headers.put("x-slack-signature", SlackRequests.sign(SECRET, timestamp, body));
            return new Signed(e, body, timestamp, headers);
        });
    }

    @Property(tries = 2000)
    void every_valid_request_is_accepted(@ForAll("valid") Signed request) {
        dispatched.clear();

        assertThat(send(request.endpoint(), request.headers(), request.body()).status()).isEqualTo(200);
        if (request.endpoint() == Endpoint.INTERACTIONS) {
            assertThat(dispatched).as("a valid click is handed over").hasSize(1);
        }
    }

    @Property(tries = 1000)
    void header_names_in_any_case_are_still_the_same_headers(@ForAll("valid") Signed request, @ForAll boolean upper) {
        Map<String, String> headers = new HashMap<>();
        request.headers()
                .forEach((k, v) -> headers.put(upper ? k.toUpperCase(Locale.ROOT) : "X-Slack-" + k.substring(8), v));
        assertThat(send(request.endpoint(), headers, request.body()).status()).isEqualTo(200);
    }

    @Property(tries = 20_000)
    void no_mutation_of_a_valid_request_is_accepted(@ForAll("valid") Signed request,
                                                    @ForAll @IntRange(min = 0, max = 11) int kind,
                                                    @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        dispatched.clear();
        byte[] body = request.body().clone();
        Map<String, String> headers = new HashMap<>(request.headers());
        String signature = headers.get("x-slack-signature");
        switch (kind) {
            case 0 -> body[seed % body.length] ^= (byte) (1 + seed % 255);
            case 1 -> body = Arrays.copyOf(body, seed % body.length);
            case 2 -> body = Arrays.copyOf(body, body.length + 1 + seed % 5);
            case 3 -> headers.put("x-slack-request-timestamp", Long.toString(NOW + 301 + seed));
            case 4 -> headers.put("x-slack-request-timestamp", Long.toString(NOW - 301 - seed));
            case 5 -> headers.put("x-slack-signature", flipHexDigit(signature, seed));
            case 6 -> headers.put("x-slack-signature", signature.toUpperCase(Locale.ROOT).replace("V0=", "v0="));
            case 7 -> headers.put("x-slack-signature", "v1=" + signature.substring(3));
            case 8 -> headers.put("x-slack-signature", signature + "," + signature);
            case 9 -> {
                headers.remove("x-slack-signature");
                headers.put("X-Slack-Signature", signature);
                headers.put("x-slack-signature", SlackRequests.sign("other", request.timestamp(), body));
            }
            case 10 -> headers.put("x-slack-signature", signature.substring(0, 3 + seed % 64));
            default -> headers.put("x-slack-signature", SlackRequests.sign(SECRET + seed, request.timestamp(), body));
        }
        if (kind == 6 && signature.equals(signature.toUpperCase(Locale.ROOT).replace("V0=", "v0="))) {
            return; // a signature with no letters a-f has no upper case: nothing was mutated
        }
        int status = send(request.endpoint(), headers, body).status();

        assertThat(status).as("mutation %d of a request to %s", kind, request.endpoint()).isEqualTo(401);
        assertThat(dispatched).isEmpty();
    }

    @Property(tries = 400_000)
    @AddLifecycleHook(Soak.Only.class)
    void no_mutation_is_accepted_in_the_soak_run(
            @ForAll("valid") Signed request,
            @ForAll @IntRange(min = 0, max = 11) int kind,
            @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        no_mutation_of_a_valid_request_is_accepted(request, kind, seed);
    }

    @Property(tries = 40_000)
    @AddLifecycleHook(Soak.Only.class)
    void every_valid_request_is_accepted_in_the_soak_run(@ForAll("valid") Signed request) {
        every_valid_request_is_accepted(request);
    }

    @Property(tries = 2000)
    void slacks_own_verifier_agrees_on_valid_and_tampered_requests(
            @ForAll("valid") Signed request, @ForAll boolean tamper) {
        // Exactly 300 s old is the other known disagreement (below): Slack's window is closed at that end.
        net.jqwik.api.Assume.that(request.timestamp() != NOW - 300);
        byte[] body = request.body().clone();
        if (tamper) {
            body[body.length / 2] ^= 1;
        }
        Verifier slack = new Verifier(new Generator(SECRET));
        boolean theirs = slack.isValid(request.headers().get("x-slack-request-timestamp"),
                new String(body, StandardCharsets.UTF_8), request.headers().get("x-slack-signature"), NOW * 1000);
        boolean ours = send(request.endpoint(), request.headers(), body).status() == 200;

        assertThat(ours)
                .as("ours, tamper=%s, theirs=%s, ts=%s", tamper, theirs, request.timestamp())
                .isEqualTo(!tamper);
        assertThat(theirs).as("Slack's, tamper=%s, ts=%s", tamper, request.timestamp()).isEqualTo(!tamper);
    }

    @Property(tries = 400)
    void known_disagreement_slacks_verifier_accepts_timestamps_from_the_future(
            @ForAll Endpoint endpoint, @ForAll @IntRange(min = 301, max = 100_000) int ahead) {
        byte[] body = body(endpoint, "run whoami", "U1");
        long timestamp = NOW + ahead;
        String signature = SlackRequests.sign(SECRET, timestamp, body);
        Verifier slack = new Verifier(new Generator(SECRET));

        boolean theirs = slack.isValid(
                Long.toString(timestamp), new String(body, StandardCharsets.UTF_8), signature, NOW * 1000);
        int ours = send(endpoint,
                        Map.of("x-slack-request-timestamp", Long.toString(timestamp), "x-slack-signature", signature),
                        body)
                .status();

        assertThat(theirs).as("Slack's verifier only refuses old timestamps").isTrue();
        assertThat(ours).isEqualTo(401);
    }

    /** Two tries, two endpoints: jqwik then tries each once. */
    @Property(tries = 2)
    void known_disagreement_slacks_verifier_refuses_a_timestamp_exactly_300_seconds_old(@ForAll Endpoint endpoint) {
        byte[] body = body(endpoint, "run whoami", "U1");
        long timestamp = NOW - 300;
        String signature = SlackRequests.sign(SECRET, timestamp, body);
        Verifier slack = new Verifier(new Generator(SECRET));

        assertThat(slack.isValid(
                        Long.toString(timestamp), new String(body, StandardCharsets.UTF_8), signature, NOW * 1000))
                .isFalse();
        assertThat(send(endpoint,
                                Map.of(
                                        "x-slack-request-timestamp",
                                        Long.toString(timestamp),
                                        "x-slack-signature",
                                        signature),
                                body)
                        .status())
                .as("ours: up to 300 s either way, as the issue asks")
                .isEqualTo(200);
    }

    private static String flipHexDigit(String signature, int seed) {
        int at = 3 + seed % 64;
        char c = signature.charAt(at);
        char flipped = c == '0' ? '1' : '0';
        return signature.substring(0, at) + flipped + signature.substring(at + 1);
    }
}
