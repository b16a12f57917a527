package dev.chatops.testing.aws;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.chatops.testing.aws.AwsRequestAuthorization.Check;
import dev.chatops.testing.aws.AwsRequestAuthorization.Protocol;
import dev.chatops.testing.aws.AwsRequestAuthorization.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The answer AWS gives a request its caller may not make, in each service's wire shape, so that
 * the SDK in the function raises what it would raise in AWS. The message is IAM's ("User: … is not
 * authorized to perform: … on resource: … because no identity-based policy allows the … action",
 * or "… with an explicit deny in an identity-based policy": IAM User Guide, "Troubleshoot access
 * denied error messages"). Shapes and sources:
 * <ul>
 * <li>DynamoDB: 400, {@code application/x-amz-json-1.0},
 * {@code {"__type":"com.amazonaws.dynamodb.v20120810#AccessDeniedException","message":…}}
 * (DynamoDB developer guide, "Error handling with DynamoDB": error components, and
 * AccessDeniedException among the 400 errors).</li>
 * <li>Secrets Manager: 400, {@code application/x-amz-json-1.1},
 * {@code {"__type":"AccessDeniedException","Message":…}} (Secrets Manager API reference, "Common
 * Errors": AccessDeniedException, HTTP 400; the awsJson1_1 protocol names the error in
 * {@code __type}).</li>
 * <li>SQS, JSON protocol: 403, {@code application/x-amz-json-1.0}, header
 * {@code x-amzn-query-error: AccessDenied;Sender},
 * {@code {"__type":"com.amazonaws.sqs#AccessDenied","message":…}} (SQS developer guide,
 * "Interpreting Amazon SQS JSON API responses": {@code __type}, {@code message} and the
 * {@code x-amzn-query-error} header carrying the query-protocol code; the code AccessDenied and
 * HTTP 403 are what SQS answers a denied query-protocol request with).</li>
 * <li>SQS, query protocol: 403, {@code text/xml},
 * {@code <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>…}
 * (the same SQS answers).</li>
 * <li>Lambda: 403, {@code application/json}, header {@code x-amzn-ErrorType: AccessDeniedException},
 * {@code {"Type":"User","Message":…}} (Lambda's restJson1 errors: the type in
 * {@code x-amzn-ErrorType}; 403 AccessDeniedException is what Invoke answers a caller without
 * lambda:InvokeFunction).</li>
 * </ul>
 */
public final class AwsDenials {
    /** An HTTP answer. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private AwsDenials() {
    }

    /** The principal a Lambda function acts as: its role, with the function's name as session name. */
    public static String assumedRoleArn(String accountId, String roleName, String sessionName) {
        return "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + sessionName;
    }

    /** IAM's access denied message for one check. */
    public static String message(String principalArn, Check check, IamPolicy.Decision decision) {
        if (decision.allowed()) {
            throw new IllegalArgumentException(check + " is allowed; there is nothing to deny");
        }
        String base = "User: " + principalArn + " is not authorized to perform: " + check.action() + " on resource: "
                + check.resource();
        return decision == IamPolicy.Decision.EXPLICIT_DENY
                ? base + " with an explicit deny in an identity-based policy"
                : base + " because no identity-based policy allows the " + check.action() + " action";
    }

    /** The answer to {@code request} when {@code check} was denied. */
    public static Response denial(Result request, String principalArn, Check check, IamPolicy.Decision decision) {
        return answer(request, message(principalArn, check, decision));
    }

    /** The answer to a request the local stack could not map to IAM actions, and so denies. */
    public static Response unmapped(Result request, String principalArn) {
        String reason = request.unmapped()
                .orElseThrow(() -> new IllegalArgumentException("the request was mapped: " + request));
        return answer(
                request,
                "User: " + principalArn + " is denied " + request.signingService() + " " + request.operation()
                        + " by the local stack, which cannot tell the IAM actions AWS checks for it: " + reason);
    }

    private static Response answer(Result request, String message) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-RequestId", UUID.randomUUID().toString());
        if (request.signingService().equals("dynamodb")) {
            headers.put("Content-Type", "application/x-amz-json-1.0");
            return new Response(
                    400,
                    headers,
                    json("__type", "com.amazonaws.dynamodb.v20120810#AccessDeniedException", "message", message));
        }
        if (request.signingService().equals("secretsmanager")) {
            headers.put("Content-Type", "application/x-amz-json-1.1");
            return new Response(400, headers, json("__type", "AccessDeniedException", "Message", message));
        }
        if (request.signingService().equals("sqs") && request.protocol() == Protocol.AWS_QUERY) {
            headers.put("Content-Type", "text/xml");
            String xml =
                    "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error>"
                            + "<Type>Sender</Type><Code>AccessDenied</Code><Message>" + xmlEscape(message)
                            + "</Message><Detail/></Error>"
                            + "<RequestId>" + headers.get("x-amzn-RequestId") + "</RequestId></ErrorResponse>";
            return new Response(403, headers, xml.getBytes(StandardCharsets.UTF_8));
        }
        if (request.signingService().equals("sqs")) {
            headers.put("Content-Type", "application/x-amz-json-1.0");
            headers.put("x-amzn-query-error", "AccessDenied;Sender");
            return new Response(403, headers, json("__type", "com.amazonaws.sqs#AccessDenied", "message", message));
        }
        if (request.signingService().equals("lambda")) {
            headers.put("Content-Type", "application/json");
            headers.put("x-amzn-ErrorType", "AccessDeniedException");
            return new Response(403, headers, json("Type", "User", "Message", message));
        }
        headers.put("Content-Type", "application/json");
        headers.put("x-amzn-ErrorType", "AccessDeniedException");
        return new Response(403, headers, json("__type", "AccessDeniedException", "message", message));
    }

    private static byte[] json(String k1, String v1, String k2, String v2) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put(k1, v1);
        body.put(k2, v2);
        try {
            return JSON.std.asBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String xmlEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
