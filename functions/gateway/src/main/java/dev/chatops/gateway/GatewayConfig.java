package dev.chatops.gateway;

import dev.chatops.shared.Env;
import dev.chatops.shared.command.Target;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import dev.chatops.shared.gitlab.GitLabConfig;
import java.util.EnumMap;
import java.util.Map;

/** The gateway's environment, each variable named once here. */
public record GatewayConfig(String signingSecretId, Map<Target, String> functions, ResponseUrlPolicy responseUrls,
                            java.util.Set<String> instances) {
    /** Secrets Manager id (ARN or name) of the Slack signing secret. */
    public static final String SIGNING_SECRET_ID = "SLACK_SIGNING_SECRET_ID";

    public static GatewayConfig from(Env env) {
        Map<Target, String> functions = new EnumMap<>(Target.class);
        for (Target target : Target.values()) {
            functions.put(target, env.require(target.envName()));
        }
        return new GatewayConfig(env.require(SIGNING_SECRET_ID), functions, ResponseUrlPolicy.from(env),
                instanceNames(env.optional(GitLabConfig.INSTANCES, "")));
    }

    /** The names in {@code ops=https://…,production=https://…}: the flags that choose an instance. */
    static java.util.Set<String> instanceNames(String instances) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (String entry : instances.split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                names.add(entry.substring(0, eq).strip());
            }
        }
        return names;
    }

    public String functionFor(Target target) {
        return functions.get(target);
    }
}
