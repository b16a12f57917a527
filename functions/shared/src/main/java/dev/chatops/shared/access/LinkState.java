package dev.chatops.shared.access;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code state} of a "Connect your GitLab account" link: the Slack workspace and user it was
 * made for, a random nonce, and an expiry ten minutes on, signed with HMAC-SHA256 under a key from
 * Secrets Manager. It cannot be forged or altered; that it is used once is the {@link AccessStore}'s
 * business ({@code consumeNonce}). It proves only that the flow began in ChatOps: who links is
 * proven afterwards, in Slack, by typing the code the callback page shows ({@code link <code>}),
 * so a button forwarded to someone else links nobody.
 */
public final class LinkState {
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a valid state says. */
    public record Claims(String workspace, String userId, String nonce, Instant expiresAt) {
    }

    /** Why a state was refused, worded for the page a person sees. */
    public enum Problem {
        MALFORMED("This link is not one ChatOps made."),
        EXPIRED("This link has expired (links last 10 minutes). Run any command in Slack for a new one.");

        private final String message;

        Problem(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    /** A state that verified, or the problem with it. */
    public record Verified(Optional<Claims> claims, Problem problem) {
    }

    private final Supplier<String> key;
    private final Clock clock;

    public LinkState(Supplier<String> key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    public String issue(String workspace, String userId) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("w", workspace);
        claims.put("u", userId);
        claims.put("n", B64.encodeToString(nonce));
        claims.put("x", clock.instant().plus(LIFETIME).getEpochSecond());
        String payload = B64.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /**
     * Where the person who sent {@code request} starts linking: this API's {@code /link/start} with a
     * fresh state; empty when the request does not say where the API answers.
     */
    public Optional<String> startUrl(CommandRequest request) {
        if (request.publicBaseUrl().isEmpty()) {
            return Optional.empty();
        }
        String state = issue(request.workspace(), request.userId());
        return Optional.of(request.publicBaseUrl() + "/link/start?state="
                + URLEncoder.encode(state, StandardCharsets.UTF_8));
    }

    public Verified verify(String state) {
        if (state == null || state.length() > 4096) {
            return new Verified(Optional.empty(), Problem.MALFORMED);
        }
        int dot = state.indexOf('.');
        if (dot <= 0 || dot != state.lastIndexOf('.')) {
            return new Verified(Optional.empty(), Problem.MALFORMED);
        }
        String payload = state.substring(0, dot);
        byte[] given;
        Map<String, Object> claims;
        try {
            given = UNB64.decode(state.substring(dot + 1));
            if (!MessageDigest.isEqual(mac(payload), given)) {
                return new Verified(Optional.empty(), Problem.MALFORMED);
            }
            claims = Json.readObject(new String(UNB64.decode(payload), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return new Verified(Optional.empty(), Problem.MALFORMED);
        }
        Instant expires = Instant.ofEpochSecond(((Number) claims.get("x")).longValue());
        if (!clock.instant().isBefore(expires)) {
            return new Verified(Optional.empty(), Problem.EXPIRED);
        }
        return new Verified(Optional.of(new Claims(String.valueOf(claims.get("w")), String.valueOf(claims.get("u")),
                String.valueOf(claims.get("n")), expires)), null);
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.get().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
