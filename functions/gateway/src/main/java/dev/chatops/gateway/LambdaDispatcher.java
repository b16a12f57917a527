package dev.chatops.gateway;

import dev.chatops.shared.CommandRequest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Asynchronous Lambda invocation ({@code InvocationType=Event}): Lambda queues the request,
 * answers 202 at once, and retries the function on failure before its on-failure destination.
 * Throttling, 5xx and network errors are tried three times; a duplicate event is harmless, since
 * the command function runs each request id once.
 */
public final class LambdaDispatcher implements Dispatcher {
    private static final int ATTEMPTS = 3;

    private final AwsRequests aws;

    LambdaDispatcher(AwsRequests aws) {
        this.aws = aws;
    }

    @Override
    public void dispatch(String functionName, CommandRequest request) {
        String path = "/2015-03-31/functions/" + URLEncoder.encode(functionName, StandardCharsets.UTF_8) + "/invocations";
        byte[] payload = request.toJson().getBytes(StandardCharsets.UTF_8);
        String problem = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                AwsRequests.Response response = aws.post(AwsRequests.Service.LAMBDA, path,
                        Map.of("X-Amz-Invocation-Type", "Event", "Content-Type", "application/json"), payload);
                if (response.status() == 202) {
                    return;
                }
                problem = "status " + response.status();
                if (response.status() != 429 && response.status() < 500) {
                    break;
                }
            } catch (IOException e) {
                problem = e.getClass().getSimpleName();
            }
            pause(attempt);
        }
        throw new DispatchException("invoking " + functionName + " failed: " + problem, null);
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(50L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
