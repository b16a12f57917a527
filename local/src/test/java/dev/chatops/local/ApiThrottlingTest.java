package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.SecretsNotLogged;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A flood of requests against the HTTP API with the template's throttle set small by its deploy
 * parameters (a burst of 3, one request a second): the requests within the burst reach their
 * function; the rest are answered API Gateway's 429 {@code {"message":"Too Many Requests"}} and no
 * function runs for them; each route (the slash commands, the button clicks, the link pages) has a
 * bucket of its own; a second later the bucket has one more.
 * The throttle's clock is the test's and moves only when the test moves it.
 */
@org.junit.jupiter.api.extension.ExtendWith(SecretsNotLogged.class)
class ApiThrottlingTest {
    private static final String TOO_MANY = "{\"message\":\"Too Many Requests\"}";

    @Test
    void requests_past_a_routes_burst_get_429_and_never_reach_its_function_while_those_within_it_pass()
            throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T10:00:00Z"));
        List<String> logs = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults()
                .withParameters(Map.of("ApiThrottlingBurstLimit", "3", "ApiThrottlingRateLimit", "1"))
                .withHttpApiClock(now::get)
                .withLog((function, line) -> {
                    logs.add(function + " " + line);
                    System.out.println("[" + function + "] " + line);
                }))) {
            HttpRequest unsigned = HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("command=%2Fchatops&text=run+whoami")).build();

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> passed = http.send(unsigned, HttpResponse.BodyHandlers.ofString());
                assertThat(passed.statusCode())
                        .as("request %d, within the burst: the gateway refuses it unsigned", i)
                        .isEqualTo(401);
            }
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> throttled = http.send(unsigned, HttpResponse.BodyHandlers.ofString());
                assertThat(throttled.statusCode()).as("request %d past the burst", 3 + i).isEqualTo(429);
                assertThat(throttled.body()).isEqualTo(TOO_MANY);
                assertThat(throttled.headers().firstValue("Content-Type")).hasValue("application/json");
            }
            assertThat(invocations(logs, "GatewayFunction")).as("the gateway ran for the burst only").isEqualTo(3);

            HttpResponse<String> linkPage = http.send(
                    HttpRequest.newBuilder(URI.create(stack.url("/link/start")))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(linkPage.statusCode()).as("the link page's bucket is its own").isNotEqualTo(429);
            assertThat(invocations(logs, "LinkFunction")).isEqualTo(1);

            HttpRequest unsignedClick = HttpRequest.newBuilder(URI.create(stack.url("/slack/interactions")))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("payload=%7B%22type%22%3A%22block_actions%22%7D"))
                    .build();
            for (int i = 0; i < 3; i++) {
                assertThat(http.send(unsignedClick, HttpResponse.BodyHandlers.ofString()).statusCode())
                        .as("click %d: the interactions route's bucket is its own, as large as the commands'", i)
                        .isEqualTo(401);
            }
            HttpResponse<String> throttledClick = http.send(unsignedClick, HttpResponse.BodyHandlers.ofString());
            assertThat(throttledClick.statusCode()).as("a click past the burst").isEqualTo(429);
            assertThat(throttledClick.body()).isEqualTo(TOO_MANY);
            assertThat(invocations(logs, "GatewayFunction")).isEqualTo(6);

            now.set(now.get().plusSeconds(1));
            assertThat(http.send(unsigned, HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("one token a second later")
                    .isEqualTo(401);
            HttpResponse<String> again = http.send(unsigned, HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).isEqualTo(429);
            assertThat(again.body()).isEqualTo(TOO_MANY);
            assertThat(invocations(logs, "GatewayFunction")).isEqualTo(7);
        }
    }

    /** How many invocations of {@code function} began: Lambda's START line, one per invocation. */
    private static long invocations(List<String> logs, String function) {
        return logs.stream().filter(line -> line.startsWith(function + " START RequestId: ")).count();
    }
}
