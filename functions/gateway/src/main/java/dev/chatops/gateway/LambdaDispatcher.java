package dev.chatops.gateway;

import dev.chatops.shared.Trace;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Asynchronous Lambda invocation ({@code InvocationType=Event}): Lambda queues the request,
 * answers 202 at once, and retries the function on failure before its on-failure destination.
 *
 * <p>Throttling, 5xx and network errors are tried again, up to three attempts, all within
 * {@link #BUDGET}: inside the three seconds Slack waits for the acknowledgement, so the person
 * reads what happened, and far inside the gateway's own Lambda {@code Timeout} (10 s in
 * template.yaml). A repeated attempt is harmless: it carries the same request id, and the command
 * function runs each request id once. When the attempts end without a refusal that proves nothing
 * was queued (a 4xx, or no connection at all), the {@link DispatchException} says the command
 * {@linkplain DispatchException#mayHaveStarted() may have started}.
 */
public final class LambdaDispatcher implements Dispatcher {
    /** All attempts of one dispatch, pauses included, end within this. */
    static final Duration BUDGET = Duration.ofMillis(2_500);
    /** One attempt's longest wait, so that a lost answer leaves time for a second attempt. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(1_500);
    /** Less time than this left is not worth an attempt. */
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(200);
    private static final int ATTEMPTS = 3;

    private final AwsRequests aws;

    LambdaDispatcher(AwsRequests aws) {
        this.aws = aws;
    }

    @Override
    public void dispatch(String functionName, String json) {
        long deadline = System.nanoTime() + BUDGET.toNanos();
        String path =
                "/2015-03-31/functions/" + URLEncoder.encode(functionName, StandardCharsets.UTF_8) + "/invocations";
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Amz-Invocation-Type", "Event");
        headers.put("Content-Type", "application/json");
        // The gateway's trace goes on with the invocation (the SDK's clients do the same for their calls).
        Trace.header().ifPresent(trace -> headers.put("X-Amzn-Trace-Id", trace));
        String problem = "no time left";
        boolean mayHaveStarted = false;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.compareTo(MIN_ATTEMPT) < 0) {
                break;
            }
            try {
                AwsRequests.Response response = aws.post(AwsRequests.Service.LAMBDA, path, headers, payload,
                        left.compareTo(ATTEMPT_TIMEOUT) < 0 ? left : ATTEMPT_TIMEOUT);
                if (response.status() == 202) {
                    return;
                }
                problem = "status " + response.status();
                if (response.status() >= 500) {
                    // Lambda's own failure does not say whether the event was queued before it.
                    mayHaveStarted = true;
                } else if (response.status() != 429) {
                    break;
                }
            } catch (AwsRequests.NotSentException e) {
                problem = "no connection: " + e.getMessage();
            } catch (IOException e) {
                // The request went out: Lambda may have queued it and its answer been lost.
                problem = e.getClass().getSimpleName() + " after sending";
                mayHaveStarted = true;
            }
            pause(attempt, deadline);
        }
        throw new DispatchException("invoking " + functionName + " failed: " + problem
                + (mayHaveStarted ? " (it may have been queued)" : ""), null, mayHaveStarted);
    }

    private static void pause(int attempt, long deadline) {
        long millis = Math.min(50L * attempt, Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
