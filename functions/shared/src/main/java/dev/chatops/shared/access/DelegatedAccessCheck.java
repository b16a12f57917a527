package dev.chatops.shared.access;

import dev.chatops.shared.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Asks the function that holds the read-only GitLab token (AccessCheckFunction, which keeps what it read)
 * for a linked account's level and 2FA, by a synchronous Invoke: a function that runs people's SQL
 * ({@code explain}) then holds no GitLab token at all. The answer is for the account the caller's
 * link names; if the link changed meanwhile, the check fails rather than use another account's role.
 * See {@link AccessCheckRequest} for the exchange.
 */
public final class DelegatedAccessCheck implements AccessCheck {
    private final Supplier<LambdaClient> lambda;
    private final String function;

    /**
     * @param lambda the SDK's Lambda client, made when first needed (most commands find a kept role and
     *               ask nobody); only a function whose jar holds the SDK's lambda module makes one
     */
    public DelegatedAccessCheck(Supplier<LambdaClient> lambda, String function) {
        this.lambda = lambda;
        this.function = function;
    }

    @Override
    public Snapshot check(Link link) {
        InvokeResponse response;
        try {
            response = lambda.get().invoke(b -> b.functionName(function)
                    .payload(SdkBytes.fromUtf8String(AccessCheckRequest.of(link).toJson())));
        } catch (SdkException e) {
            throw new AccessCheckException("the access check could not be asked", e);
        }
        if (response.functionError() != null) {
            throw new AccessCheckException("the access check failed", null);
        }
        Map<String, Object> answer;
        try {
            answer = Json.readObject(response.payload().asString(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new AccessCheckException("the access check answered nothing readable", e);
        }
        return AccessCheckRequest.snapshotOf(answer, link);
    }

    /** The request a delegated check sends and how its answer reads: {@code {"accessCheck": {...}}}. */
    public record AccessCheckRequest(String workspace, String slackUserId, long gitlabUserId) {
        public static AccessCheckRequest of(Link link) {
            return new AccessCheckRequest(link.slackWorkspace(), link.slackUserId(), link.gitlabUserId());
        }

        public String toJson() {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("workspace", workspace);
            check.put("slackUserId", slackUserId);
            check.put("gitlabUserId", gitlabUserId);
            return Json.write(Map.of("accessCheck", check));
        }

        /** The request in an event, if the event is one. */
        public static Optional<AccessCheckRequest> in(Map<String, Object> event) {
            if (!(event.get("accessCheck") instanceof Map<?, ?> check) || event.size() != 1) {
                return Optional.empty();
            }
            if (!(check.get("workspace") instanceof String workspace) || workspace.isEmpty()
                    || !(check.get("slackUserId") instanceof String user) || user.isEmpty()
                    || !(check.get("gitlabUserId") instanceof Number id)) {
                return Optional.empty();
            }
            return Optional.of(new AccessCheckRequest(workspace, user, id.longValue()));
        }

        /** The answer for {@code snapshot} of the account this request names. */
        public static String answer(Snapshot snapshot) {
            return Json.write(Map.of("accessLevel", snapshot.accessLevel(), "twoFactor", snapshot.twoFactor(),
                    "checkedAt", snapshot.checkedAt().toString()));
        }

        /** The answer that the level could not be read, in {@link AccessCheckException#brief()}'s few words. */
        public static String failed(String brief) {
            return Json.write(Map.of("error", brief));
        }

        /** The answer that the link is not the one asked about (unlinked or relinked meanwhile). */
        public static String notLinked() {
            return Json.write(Map.of("linked", false));
        }

        static Snapshot snapshotOf(Map<String, Object> answer, Link link) {
            if (answer.get("error") instanceof String brief) {
                throw new AccessCheckException(brief, null);
            }
            if (Boolean.FALSE.equals(answer.get("linked"))) {
                throw new AccessCheckException("the link changed meanwhile", null);
            }
            if (!(answer.get("accessLevel") instanceof Number level)
                    || !(answer.get("twoFactor") instanceof Boolean twoFactor)
                    || !(answer.get("checkedAt") instanceof String at)) {
                throw new AccessCheckException("the access check answered nothing usable", null);
            }
            return new Snapshot(level.intValue(), twoFactor, Instant.parse(at));
        }
    }
}
