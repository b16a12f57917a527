package dev.chatops.local;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4, checked as AWS checks it (moto does not): from what the server
 * received, the canonical request → the string to sign → the key derived from the secret, date,
 * region and service → the signature, compared in constant time; a request dated more than 15
 * minutes from now is refused. Written from AWS's "Signature Version 4 signing process" pages, for
 * the services the functions call (not S3, whose URIs are encoded once).
 */
final class SigV4 {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Duration SKEW = Duration.ofMinutes(15);

    /** The parts of an {@code Authorization: AWS4-HMAC-SHA256 …} header. */
    record Authorization(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
                         String signature) {
        /**
         * The header's parts, or empty unless it is exactly {@code AWS4-HMAC-SHA256} followed by
         * {@code Credential}, {@code SignedHeaders} and {@code Signature}, each once: a scope of
         * key/yyyyMMdd/region/service/aws4_request, lower-case header names in order, and 64 hex
         * digits — as AWS reads it, refusing what it would not parse.
         */
        static Optional<Authorization> parse(String header) {
            if (header == null || !header.startsWith("AWS4-HMAC-SHA256 ")) {
                return Optional.empty();
            }
            Map<String, String> parts = new TreeMap<>();
            String[] components = header.substring("AWS4-HMAC-SHA256 ".length()).split(",", -1);
            if (components.length != COMPONENTS.size()) {
                return Optional.empty();
            }
            for (int i = 0; i < components.length; i++) {
                int eq = components[i].indexOf('=');
                // In AWS's order: services behind it read the scope from the first part.
                if (eq <= 0 || !components[i].substring(0, eq).strip().equals(COMPONENTS.get(i))) {
                    return Optional.empty();
                }
                parts.put(COMPONENTS.get(i), components[i].substring(eq + 1).strip());
            }
            String[] scope = parts.get("Credential").split("/", -1);
            String signedHeaders = parts.get("SignedHeaders");
            if (scope.length != 5
                    || scope[0].isEmpty()
                    || !scope[1].matches("\\d{8}")
                    || scope[2].isEmpty()
                    || scope[3].isEmpty()
                    || !"aws4_request".equals(scope[4])
                    || !signedHeaders.matches("[a-z0-9-]+(;[a-z0-9-]+)*")
                    || !parts.get("Signature").matches("[0-9a-f]{64}")) {
                return Optional.empty();
            }
            List<String> names = List.of(signedHeaders.split(";"));
            if (!names.equals(names.stream().sorted().distinct().toList())) {
                return Optional.empty();
            }
            return Optional.of(
                    new Authorization(scope[0], scope[1], scope[2], scope[3], names, parts.get("Signature")));
        }
    }

    private static final List<String> COMPONENTS = List.of("Credential", "SignedHeaders", "Signature");

    private SigV4() {
    }

    /**
     * Why the request's signature is not valid for {@code secretAccessKey}, or empty when it is.
     * {@code headers} are keyed by lower-case name.
     */
    static Optional<String> problem(Authorization auth, String secretAccessKey, String method, String rawPath,
                                    String rawQuery, Map<String, String> headers, byte[] body, Instant now) {
        String amzDate = headers.get("x-amz-date");
        if (amzDate == null) {
            return Optional.of("the request has no X-Amz-Date");
        }
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return Optional.of("X-Amz-Date is not a date");
        }
        if (Duration.between(signedAt, now).abs().compareTo(SKEW) > 0) {
            return Optional.of("Signature expired: " + amzDate + " is more than 15 minutes from now");
        }
        if (!amzDate.substring(0, 8).equals(auth.date())) {
            return Optional.of("the credential scope's date is not the request's");
        }
        if (!auth.signedHeaders().contains("host")) {
            return Optional.of("the Host header is not signed");
        }
        // AWS's "Create a signed AWS API request": host and every x-amz-* header sent must be signed.
        for (String name : headers.keySet()) {
            if (name.startsWith("x-amz-") && !auth.signedHeaders().contains(name)) {
                return Optional.of("header " + name + " is not signed");
            }
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : auth.signedHeaders()) {
            String value = headers.get(name);
            if (value == null) {
                return Optional.of("signed header " + name + " is missing");
            }
            canonicalHeaders.append(name).append(':').append(value.strip().replaceAll("\\s+", " ")).append('\n');
        }
        // The hash is always of the body received; a header claiming another is refused, so a
        // body cannot be swapped under a signature that covers only the claim.
        String payloadHash = hex(sha256(body));
        String claimed = headers.get("x-amz-content-sha256");
        if (claimed != null && !claimed.equals(payloadHash)) {
            return Optional.of("The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        String canonicalRequest = method + "\n" + canonicalUri(rawPath) + "\n" + canonicalQuery(rawQuery) + "\n"
                + canonicalHeaders + "\n" + String.join(";", auth.signedHeaders()) + "\n" + payloadHash;
        String scope = auth.date() + "/" + auth.region() + "/" + auth.service() + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), auth.date());
        key = hmac(key, auth.region());
        key = hmac(key, auth.service());
        key = hmac(key, "aws4_request");
        byte[] expected = hex(hmac(key, stringToSign)).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, auth.signature().getBytes(StandardCharsets.UTF_8)) ? Optional.empty()
                : Optional.of("The request signature we calculated does not match the signature you provided.");
    }

    /** Each segment of the path as sent, URI-encoded once more (every service but S3). */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder uri = new StringBuilder();
        String[] segments = rawPath.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            uri.append('/').append(encode(segments[i]));
        }
        return uri.length() == 0 ? "/" : uri.toString();
    }

    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            pairs.add(new String[] {encode(name), encode(value)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        List<String> joined = new ArrayList<>();
        pairs.forEach(p -> joined.add(p[0] + "=" + p[1]));
        return String.join("&", joined);
    }

    /** RFC 3986 unreserved characters stay; everything else is %XX in upper case. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
