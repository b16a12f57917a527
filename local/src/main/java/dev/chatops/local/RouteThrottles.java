package dev.chatops.local;

import dev.chatops.testing.LocalAws;
import dev.chatops.testing.aws.SamTemplate;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The throttle of each HTTP API route as the template's {@code $default} stage sets it (the stage
 * SAM makes of {@code AWS::Serverless::HttpApi}): {@code DefaultRouteSettings} give every route a
 * token bucket of its own, and a {@code RouteSettings} entry keyed by the route ({@code "POST
 * /slack/commands"}) overrides them for that route. A route whose settings name no throttle has
 * none here (in AWS, only the account's limits).
 */
final class RouteThrottles {
    private RouteThrottles() {
    }

    /** Route key → its bucket, for every throttled route of the template, with values resolved against {@code aws}. */
    static Map<String, TokenBucket> of(LocalAws aws, InstantSource clock) {
        SamTemplate template = aws.template();
        Map<String, TokenBucket> buckets = new LinkedHashMap<>();
        for (SamTemplate.HttpRoute route : template.httpRoutes()) {
            Optional<SamTemplate.HttpStage> stage = template.httpStages().values().stream()
                    .filter(s -> s.apiLogicalId().equals(route.apiLogicalId()))
                    .filter(s -> "$default".equals(aws.intrinsics().resolveString(s.stageName())))
                    .findFirst();
            if (stage.isEmpty()) {
                continue;
            }
            Map<String, Object> settings = new LinkedHashMap<>(stage.get().defaultRouteSettings());
            settings.putAll(stage.get().routeSettings().getOrDefault(route.key(), Map.of()));
            Optional<Object> burst =
                    Optional.ofNullable(settings.get("ThrottlingBurstLimit")).flatMap(aws.intrinsics()::resolve);
            Optional<Object> rate =
                    Optional.ofNullable(settings.get("ThrottlingRateLimit")).flatMap(aws.intrinsics()::resolve);
            if (burst.isEmpty() && rate.isEmpty()) {
                continue;
            }
            if (burst.isEmpty() || rate.isEmpty()) {
                throw new IllegalArgumentException(
                        route.key() + " has " + (burst.isEmpty() ? "ThrottlingRateLimit" : "ThrottlingBurstLimit")
                                + " alone: the local stack throttles a route given both ThrottlingBurstLimit and"
                                + " ThrottlingRateLimit");
            }
            buckets.put(
                    route.key(),
                    new TokenBucket(integer(route.key(), burst.get()), number(route.key(), rate.get()), clock));
        }
        return buckets;
    }

    private static int integer(String route, Object value) {
        String text = String.valueOf(value);
        if (!text.matches("\\d{1,9}")) {
            throw new IllegalArgumentException(
                    route + " ThrottlingBurstLimit is not a whole number of 0 or more: " + text);
        }
        return Integer.parseInt(text);
    }

    private static double number(String route, Object value) {
        String text = String.valueOf(value);
        if (!text.matches("\\d{1,9}(\\.\\d{1,9})?")) {
            throw new IllegalArgumentException(route + " ThrottlingRateLimit is not a number of 0 or more: " + text);
        }
        return Double.parseDouble(text);
    }
}
