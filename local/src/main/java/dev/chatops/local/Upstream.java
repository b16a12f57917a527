package dev.chatops.local;

import dev.chatops.local.AwsFrontDoor.Answer;
import dev.chatops.local.AwsFrontDoor.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** How {@link AwsFrontDoor} passes a request it let through on to moto or the local Lambda API. */
final class Upstream {
    /**
     * The only request headers that go on to the service: what the SDKs send that the service
     * needs. moto reads more (an encoding it inflates, a region in User-Agent, an account header,
     * parameters from headers when the body is empty), which the checks here never see.
     */
    private static final Set<String> FORWARDED = Set.of(
            "authorization",
            "content-type",
            "x-amz-target",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
            "x-amz-invocation-type",
            "x-amz-log-type",
            "x-amz-client-context",
            // X-Ray's trace header: Lambda continues the caller's trace in the function it invokes.
            "x-amzn-trace-id");

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "transfer-encoding",
            "keep-alive", "expect", "upgrade");

    private Upstream() {
    }

    /**
     * The body as the service should read it. moto reads any body as a form too, and takes an
     * {@code Action} or other parameter found there over the JSON protocol's; a raw ampersand can
     * only stand inside a JSON string, where its JSON escape means the same to a JSON reader, so
     * after this a JSON body has no form parameters for moto to find.
     */
    static byte[] upstreamBody(Request request) {
        String type = request.headers().get("content-type");
        if (type == null || !type.startsWith("application/x-amz-json-")) {
            return request.body();
        }
        return new String(request.body(), StandardCharsets.UTF_8)
                .replace("&", "\\u0026")
                .getBytes(StandardCharsets.UTF_8);
    }

    static Answer forward(String upstream, Request request) throws IOException {
        URI uri =
                URI.create(upstream + request.rawPath() + (request.rawQuery() == null ? "" : "?" + request.rawQuery()));
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        try {
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(120_000);
            connection.setRequestMethod(request.method());
            request.headers().forEach((name, value) -> {
                if (FORWARDED.contains(name)) {
                    connection.setRequestProperty(name, value);
                }
            });
            byte[] sent = upstreamBody(request);
            if (sent.length > 0 || request.method().equals("POST") || request.method().equals("PUT")) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(sent.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(sent);
                }
            }
            int status = connection.getResponseCode();
            Map<String, String> headers = new LinkedHashMap<>();
            connection.getHeaderFields().forEach((name, values) -> {
                if (name != null && !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    headers.put(name, String.join(",", values));
                }
            });
            InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            byte[] body;
            // Read to the end and closed, not disconnected: the connection goes back to the JDK's
            // keep-alive cache for the next request, as an SDK's pooled client would have it.
            try (stream) {
                body = stream == null ? new byte[0] : stream.readAllBytes();
            }
            return new Answer(status, headers, body);
        } catch (IOException e) {
            connection.disconnect();
            throw e;
        }
    }
}
