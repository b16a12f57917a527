package dev.chatops.shared.edge;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's v0 request signature: {@code v0=} and the lower-case hex HMAC-SHA256 of
 * {@code v0:<timestamp>:<raw body>} keyed with the signing secret, all in UTF-8.
 *
 * <p>Stricter than Slack's own Java verifier: the timestamp must be within {@link #MAX_SKEW_SECONDS}
 * of now in either direction, both headers must be well formed (digits; {@code v0=} and exactly 64
 * lower-case hex digits), and the comparison is constant-time over the decoded bytes.
 */
public final class SlackSignature {
    public static final String TIMESTAMP_HEADER = "x-slack-request-timestamp";
    public static final String SIGNATURE_HEADER = "x-slack-signature";
    public static final long MAX_SKEW_SECONDS = 300;
    private static final String PREFIX = "v0=";
    private static final int HEX_LENGTH = 64;

    /** Why a request was or was not accepted. Only {@link #VALID} lets it through. */
    public enum Verdict { VALID, MISSING, MALFORMED, OUT_OF_WINDOW, MISMATCH }

    private final Clock clock;

    public SlackSignature(Clock clock) {
        this.clock = clock;
    }

    public Verdict verify(String signingSecret, String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null) {
            return Verdict.MISSING;
        }
        if (!isTimestamp(timestamp) || !isWellFormedSignature(signature)) {
            return Verdict.MALFORMED;
        }
        long now = clock.instant().getEpochSecond();
        long then = Long.parseLong(timestamp);
        if (Math.abs(now - then) > MAX_SKEW_SECONDS) {
            return Verdict.OUT_OF_WINDOW;
        }
        byte[] expected = hmac(signingSecret, timestamp, body);
        byte[] given = decodeHex(signature.substring(PREFIX.length()));
        return MessageDigest.isEqual(expected, given) ? Verdict.VALID : Verdict.MISMATCH;
    }

    /** The {@code X-Slack-Signature} value Slack would send for this body at this timestamp. */
    public static String sign(String signingSecret, long timestamp, byte[] body) {
        return PREFIX + toHex(hmac(signingSecret, Long.toString(timestamp), body));
    }

    private static boolean isTimestamp(String value) {
        if (value.isEmpty() || value.length() > 12) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isWellFormedSignature(String value) {
        if (value.length() != PREFIX.length() + HEX_LENGTH || !value.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static byte[] hmac(String signingSecret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] decodeHex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
        }
        return bytes;
    }

    private static String toHex(byte[] bytes) {
        StringBuilder hex = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString();
    }
}
