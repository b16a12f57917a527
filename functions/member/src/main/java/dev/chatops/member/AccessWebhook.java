package dev.chatops.member;

import dev.chatops.shared.Log;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import dev.chatops.shared.runtime.Message;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.SlackHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The copy of an access request for the approvers' channel: the same message, buttons included,
 * posted once to a Slack incoming webhook whose URL is read from Secrets Manager when first needed,
 * and only if it is on the response URLs' allow-list (Slack's own host in production).
 * A click there is decided like one in the requester's channel. The copy is a courtesy: a failure
 * is logged and the request stands (it is in the requester's channel, and in {@code access list}).
 */
final class AccessWebhook {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<String> url;
    private final Predicate<String> slackUrls;
    // Never redirected elsewhere: the secret names the one place the copy goes.
    private final SlackHttp http = new SlackHttp(TIMEOUT);

    /**
     * @param slackUrls the origins Slack's URLs may have (the response URLs' allow-list): a secret
     *                  naming any other place gets no copy, so it cannot turn the function into a
     *                  client of an arbitrary host
     */
    AccessWebhook(Supplier<String> url, Predicate<String> slackUrls) {
        this.url = url;
        this.slackUrls = slackUrls;
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
        if (!slackUrls.test(target)) {
            return failed("the webhook URL in its secret is not a Slack URL (" + ResponseUrlPolicy.SLACK + ")");
        }
        // An incoming webhook takes the message's text and blocks (no response_type, nothing to replace).
        Message copy = new Message(null, null, message.text(), message.blocks());
        try {
            int status = http.post(target, copy).status();
            return status == 200 ? Optional.empty() : failed("Slack answered " + status);
        } catch (IOException | IllegalArgumentException e) {
            return failed("the webhook could not be reached (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Optional<String> failed(String why) {
        Log.warn("access.webhook_failed", "reason", why);
        return Optional.of(why);
    }
}
