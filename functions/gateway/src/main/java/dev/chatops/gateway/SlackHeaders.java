package dev.chatops.gateway;

import dev.chatops.shared.edge.SlackSignature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What the gateway reads from a request's headers: Slack's signature (checked against every
 * accepted secret), the request id derived from it (a command's or a click's), and the public
 * address the request reached.
 */
final class SlackHeaders {
    private final SigningSecret secret;
    private final SlackSignature signature;

    SlackHeaders(SigningSecret secret, SlackSignature signature) {
        this.secret = secret;
        this.signature = signature;
    }

    SlackSignature.Verdict verify(Map<String, String> headers, byte[] body) {
        Header timestamp = header(headers, SlackSignature.TIMESTAMP_HEADER);
        Header sig = header(headers, SlackSignature.SIGNATURE_HEADER);
        if (timestamp.repeated() || sig.repeated()) {
            return SlackSignature.Verdict.MALFORMED;
        }
        SlackSignature.Verdict verdict = verifyWithAny(secret.accepted(), timestamp.value(), sig.value(), body);
        if (verdict == SlackSignature.Verdict.MISMATCH && secret.refreshedAfterMismatch()) {
            verdict = verifyWithAny(secret.accepted(), timestamp.value(), sig.value(), body);
        }
        return verdict;
    }

    /** VALID if one of the secrets made the signature; any verdict but MISMATCH does not depend on the secret. */
    private SlackSignature.Verdict verifyWithAny(List<String> secrets, String timestamp, String sig, byte[] body) {
        SlackSignature.Verdict verdict = SlackSignature.Verdict.MISMATCH;
        for (String candidate : secrets) {
            verdict = signature.verify(candidate, timestamp, sig, body);
            if (verdict != SlackSignature.Verdict.MISMATCH) {
                return verdict;
            }
        }
        return verdict;
    }

    /** The request id of a verified request: see {@link #requestIdOf(String, String)}. */
    static String requestIdOf(Map<String, String> headers) {
        return requestIdOf(header(headers, SlackSignature.TIMESTAMP_HEADER).value(),
                header(headers, SlackSignature.SIGNATURE_HEADER).value());
    }

    /** {@code sl-} and 32 hex digits of SHA-256 over Slack's timestamp and signature. */
    static String requestIdOf(String timestamp, String signature) {
        return "sl-" + digestOf(timestamp, signature);
    }

    /**
     * The request id of a verified button click: derived as a command's is, so a replayed click
     * carries the same id, but {@code sc-} instead of {@code sl-}, so a click's id is never a
     * command's where the function that owns both claims them (the requests table).
     */
    static String clickIdOf(Map<String, String> headers) {
        return "sc-" + digestOf(header(headers, SlackSignature.TIMESTAMP_HEADER).value(),
                header(headers, SlackSignature.SIGNATURE_HEADER).value());
    }

    /** 32 hex digits of SHA-256 over Slack's timestamp and signature. */
    private static String digestOf(String timestamp, String signature) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((timestamp + ":" + signature).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Where this API answers, as the request reached it (API Gateway sets both headers). */
    static String publicBaseUrl(Map<String, String> headers) {
        Header proto = header(headers, "x-forwarded-proto");
        Header host = header(headers, "host");
        if (proto.value() == null || host.value() == null || proto.repeated() || host.repeated()
                || !(proto.value().equals("https") || proto.value().equals("http"))
                || !host.value().matches("[A-Za-z0-9.-]+(:\\d{1,5})?")) {
            return "";
        }
        return proto.value() + "://" + host.value();
    }

    private record Header(String value, boolean repeated) {
    }

    /** A header by name, case-insensitively; repeated when sent twice (HTTP API joins repeats with commas). */
    private static Header header(Map<String, String> headers, String name) {
        if (headers == null) {
            return new Header(null, false);
        }
        String value = null;
        int seen = 0;
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name)) {
                value = entry.getValue();
                seen++;
            }
        }
        return new Header(value, seen > 1 || (value != null && value.indexOf(',') >= 0));
    }
}
