package dev.chatops.local;

import dev.chatops.local.AwsFrontDoor.Request;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Which requests {@link AwsFrontDoor} lets through to each service: the shapes an SDK sends. */
final class RequestShapes {
    private static final String JSON_1_0 = "application/x-amz-json-1.0";
    private static final String FORM = "application/x-www-form-urlencoded(; ?charset=(?i:utf-8))?";

    private RequestShapes() {
    }

    /**
     * Why the request is not one an SDK sends to the service its signature names, or empty: each
     * service is reached only through its own API's paths (never moto's own, such as
     * {@code /moto-api/}), a JSON-protocol request carries exactly one operation in its
     * {@code X-Amz-Target} and no query, and a Lambda request is an Invoke.
     */
    static Optional<String> shapeProblem(String service, Request request, List<String> signedHeaders) {
        String target = request.headers().get("x-amz-target");
        String type = request.headers().get("content-type");
        String path = request.rawPath();
        boolean post = request.method().equals("POST") && request.rawQuery() == null;
        boolean signedType = type != null && signedHeaders.contains("content-type");
        if (request.headers().containsKey("content-encoding")) {
            // The checks read the bytes as sent; a service that inflates them would read others.
            return Optional.of("a Content-Encoding is not accepted here");
        }
        boolean jsonBody = request.body().length > 0 && request.body()[0] == '{';
        switch (service) {
            case "dynamodb":
            case "secretsmanager":
                String prefix = service.equals("dynamodb") ? "DynamoDB_20120810" : "secretsmanager";
                String json = service.equals("dynamodb") ? JSON_1_0 : "application/x-amz-json-1.1";
                return post
                                && "/".equals(path)
                                && signedType
                                && type.equals(json)
                                && jsonBody
                                && target != null
                                && target.matches(Pattern.quote(prefix) + "\\.[A-Za-z]+")
                        ? Optional.empty()
                        : Optional.of(service + " is reached by POST / with X-Amz-Target " + prefix
                                + ".<Operation>, Content-Type " + json + " and no query");
            case "sqs":
                // One protocol, told alike by the target and the content type, so that the mapping and
                // the service cannot read the request as two different ones.
                boolean queuePath =
                        "/".equals(path) || path != null && path.matches("/\\d{12}/[A-Za-z0-9_-]{1,80}(\\.fifo)?");
                boolean jsonProtocol = target != null
                        && target.matches("AmazonSQS\\.[A-Za-z]+")
                        && JSON_1_0.equals(type)
                        && "/".equals(path)
                        && jsonBody;
                boolean queryProtocol = target == null
                        && type != null
                        && type.matches(FORM)
                        && request.body().length > 0
                        && uniqueFormKeys(request.body());
                return post && queuePath && signedType && (jsonProtocol || queryProtocol)
                        ? Optional.empty()
                        : Optional.of("sqs is reached by POST / or /<account>/<queue> with no query: X-Amz-Target"
                                + " AmazonSQS.<Operation>"
                                + " and Content-Type"
                                + " " + JSON_1_0 + ", or a form with each parameter once");
            case "lambda":
                // The SDK puts a qualifier given apart from the name in the query, its one parameter.
                boolean qualifier =
                        request.rawQuery() == null || request.rawQuery().matches("Qualifier=[A-Za-z0-9_%-]+");
                return request.method().equals("POST") && qualifier && path != null
                        && path.matches("/2015-03-31/functions/[^/]+/invocations") && target == null
                        ? Optional.empty() : Optional.of("only Lambda's Invoke is served here");
            default:
                return Optional.of("the local stack serves no requests signed for service " + service);
        }
    }

    private static boolean uniqueFormKeys(byte[] body) {
        Set<String> keys = new HashSet<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (!pair.isEmpty()
                    && !keys.add(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8))) {
                return false;
            }
        }
        return true;
    }
}
