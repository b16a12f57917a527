package dev.chatops.shared.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * POSTs a Slack message as JSON ({@link SlackJson}) to a URL Slack gave us — a response_url, an
 * incoming webhook — with the JDK's HTTP client, the one GitLab is called with: HTTP/1.1, redirects
 * never followed, the whole call bounded by its timeout.
 */
public final class SlackHttp {
    /** Slack's answer: its status, the start of its body (for the logs), its Retry-After header. */
    public record Answer(int status, String body, Optional<String> retryAfter) {
    }

    private final HttpClient client;
    private final Duration timeout;

    public SlackHttp(Duration timeout) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
        this.timeout = timeout;
    }

    /**
     * One POST of {@code message}.
     *
     * @throws IOException when Slack could not be reached or did not answer in time
     * @throws IllegalArgumentException when {@code url} is not a URL
     */
    public Answer post(String url, Object message) throws IOException {
        HttpRequest request = request(url, message);
        try {
            HttpResponse<String> response = client.send(request,
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String body = response.body() == null ? "" : response.body();
            return new Answer(response.statusCode(), body.length() > 200 ? body.substring(0, 200) : body,
                    response.headers().firstValue("Retry-After"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while posting to Slack");
        }
    }

    private HttpRequest request(String url, Object message) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(SlackJson.GSON.toJson(message), StandardCharsets.UTF_8))
                .build();
    }
}
