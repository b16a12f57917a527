package dev.chatops.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer: Bolt for Java acking the same slash command, adapted to the HTTP API event the way
 * {@code bolt-aws-lambda}'s handler does (whose dependencies do not all resolve here): the event
 * becomes Bolt's request, {@code App.run} verifies the signature and runs the command listener,
 * Bolt's response becomes the Lambda response. Benchmark only.
 */
public final class BoltHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final App app;
    private final SlackRequestParser parser;

    public BoltHandler() {
        AppConfig config = AppConfig.builder().signingSecret(System.getenv("SLACK_SIGNING_SECRET")).build();
        this.app = new App(config);
        this.app.command("/chatops", (request, context) -> context.ack(":hourglass_flowing_sand: running `/chatops "
                + request.getPayload().getText() + "` …"));
        this.parser = new SlackRequestParser(app.config());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try {
            String body = Boolean.TRUE.equals(event.getIsBase64Encoded())
                    ? new String(Base64.getDecoder().decode(event.getBody()), StandardCharsets.UTF_8) : event.getBody();
            Map<String, List<String>> headers = new HashMap<>();
            event.getHeaders().forEach((name, value) -> headers.put(name, List.of(value)));
            Request<?> request = parser.parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri(event.getRawPath())
                    .queryString(Map.of())
                    .headers(new RequestHeaders(headers))
                    .requestBody(body)
                    .remoteAddress("127.0.0.1")
                    .build());
            Response response = app.run(request);
            Map<String, String> out = new HashMap<>();
            response.getHeaders().forEach((name, values) -> out.put(name, String.join(",", values)));
            if (response.getContentType() != null) {
                out.put("Content-Type", response.getContentType());
            }
            return APIGatewayV2HTTPResponse.builder().withStatusCode(response.getStatusCode()).withHeaders(out)
                    .withBody(response.getBody()).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
