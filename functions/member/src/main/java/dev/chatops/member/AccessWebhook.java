package dev.chatops.member;

import com.slack.api.SlackConfig;
import com.slack.api.util.http.SlackHttpClient;
import com.slack.api.webhook.Payload;
import dev.chatops.shared.Log;
import dev.chatops.shared.runtime.Message;
import dev.chatops.shared.runtime.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * The copy of an access request for the approvers' channel: the same message, buttons included,
 * posted once to a Slack incoming webhook whose URL is read from Secrets Manager when first needed.
 * A click there is decided like one in the requester's channel. The copy is a courtesy: a failure
 * is logged and the request stands (it is in the requester's channel, and in {@code access list}).
 */
final class AccessWebhook {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<String> url;
    private final SlackHttpClient http;

    AccessWebhook(Supplier<String> url) {
        this.url = url;
        SlackConfig config = new SlackConfig();
        config.setHttpClientCallTimeoutMillis((int) TIMEOUT.toMillis());
        config.setHttpClientReadTimeoutMillis((int) TIMEOUT.toMillis());
        // Never followed elsewhere: the secret names the one place the copy goes.
        OkHttpClient ok = SlackHttpClient.buildOkHttpClient(config).newBuilder()
                .followRedirects(false).followSslRedirects(false).build();
        this.http = new SlackHttpClient(ok);
        this.http.setConfig(config);
    }

    /** Posts the first message of {@code reply}; empty when Slack took it, else what went wrong (also logged). */
    Optional<String> post(Reply reply) {
        Message message = reply.messages().get(0);
        String target;
        try {
            target = url.get();
        } catch (RuntimeException e) {
            // The secret could not be read: say so without its value.
            return failed("the webhook URL could not be read from its secret");
        }
        Payload payload = Payload.builder().text(message.text()).blocks(message.blocks()).build();
        try (Response response = http.postJsonBody(target, payload)) {
            if (response.code() == 200) {
                return Optional.empty();
            }
            return failed("Slack answered " + response.code());
        } catch (IOException | IllegalArgumentException e) {
            return failed("the webhook could not be reached (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Optional<String> failed(String why) {
        Log.warn("access.webhook_failed", "reason", why);
        return Optional.of(why);
    }
}
