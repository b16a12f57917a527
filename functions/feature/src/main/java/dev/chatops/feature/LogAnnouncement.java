package dev.chatops.feature;

import dev.chatops.shared.Json;
import dev.chatops.shared.Text;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The announcement of a production change in the log channel: a Slack incoming webhook, its URL
 * read from Secrets Manager only when a change is announced. Tried up to {@value ChangeLog#ATTEMPTS}
 * times while the command has time, never again after a request that timed out (it may have arrived).
 */
final class LogAnnouncement {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final Supplier<String> webhookUrl;
    private final ChangeLog.Pause pause;

    LogAnnouncement(Supplier<String> webhookUrl, ChangeLog.Pause pause) {
        this.webhookUrl = webhookUrl;
        this.pause = pause;
    }

    /** Posts {@code entry} to the webhook; empty when Slack took it, else what went wrong. */
    Optional<String> post(ChangeEntry entry, Supplier<Duration> remaining) {
        String text = (entry.emergency().isPresent() ? ":rotating_light: *EMERGENCY* " : ":triangular_flag_on_post: ")
                + entry.who() + " (<@" + entry.slackUserId() + ">) " + entry.action()
                + " `" + entry.flag() + "` on *" + entry.instance() + "* (" + entry.host() + "): " + entry.before()
                + " → "
                + entry.after()
                + (entry.overrides().isEmpty() ? "" : ". Overrides: " + String.join(", ", entry.overrides()))
                + (entry.sanction().isEmpty() ? "" : "; " + Text.escape(entry.sanction()))
                + ". Request id: `" + entry.requestId() + "`.";
        String body = Json.write(Map.of("text", text,
                "blocks", List.of(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", text)))));
        URI url;
        try {
            url = URI.create(webhookUrl.get());
        } catch (RuntimeException e) {
            // The secret could not be read, or holds no URL: say so without its value.
            return Optional.of("the webhook URL could not be read from its secret");
        }
        String problem = "";
        for (int attempt = 1; attempt <= ChangeLog.ATTEMPTS; attempt++) {
            if (remaining.get().compareTo(ChangeLog.ATTEMPT_NEEDS) < 0) {
                return Optional.of((problem.isEmpty() ? "" : problem + "; ") + "no time left for "
                        + (attempt == 1 ? "it" : "another try"));
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url)
                        .timeout(TIMEOUT).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return Optional.empty();
                }
                // Slack answers 4xx with a reason (invalid_token, channel_is_archived): retrying will not help.
                problem = "Slack answered " + response.statusCode() + (response.body().isBlank() ? ""
                        : " " + Text.inCode(response.body(), 60));
                if (response.statusCode() < 500 && response.statusCode() != 429) {
                    return Optional.of(problem);
                }
            } catch (HttpTimeoutException e) {
                return Optional.of("Slack did not answer in time; not tried again, since it may have been posted");
            } catch (IOException e) {
                problem = "the webhook could not be reached";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
            if (attempt < ChangeLog.ATTEMPTS && !ChangeLog.backOff(pause, attempt)) {
                return Optional.of("interrupted");
            }
        }
        return Optional.of(problem + " after " + ChangeLog.ATTEMPTS + " attempts");
    }
}
