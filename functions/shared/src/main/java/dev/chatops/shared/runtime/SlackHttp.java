package dev.chatops.shared.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs a Slack message as JSON ({@link SlackJson}) to a URL Slack gave us — a response_url, an
 * incoming webhook — with the JDK's HTTP client, the one GitLab is called with: HTTP/1.1, redirects
 * never followed, the whole call, body included, bounded by its timeout.
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
        // The request's own timeout ends when the headers arrive; this bounds the body as well.
        CompletableFuture<HttpResponse<String>> call =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new HttpTimeoutException("Slack did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("posting to Slack failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while posting to Slack");
        }
        String body = response.body() == null ? "" : response.body();
        return new Answer(response.statusCode(), body.length() > 200 ? body.substring(0, 200) : body,
                response.headers().firstValue("Retry-After"));
    }

    private HttpRequest request(String url, Object message) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(SlackJson.GSON.toJson(message), StandardCharsets.UTF_8))
                .build();
    }
}
