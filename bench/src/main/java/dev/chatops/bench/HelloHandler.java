package dev.chatops.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The baseline: a handler that computes one HMAC-SHA256 of the body and answers 200. */
public final class HelloHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("hello".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(String.valueOf(event.getBody()).getBytes(StandardCharsets.UTF_8));
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(200)
                    .withBody(Integer.toString(digest.length))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
