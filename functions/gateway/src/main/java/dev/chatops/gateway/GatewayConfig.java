package dev.chatops.gateway;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import dev.chatops.shared.command.ApprovalPolicy;
import dev.chatops.shared.command.Target;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import dev.chatops.shared.gitlab.GitLabConfig;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** The gateway's environment, each variable named once here. */
public record GatewayConfig(String signingSecretId, Map<Target, String> functions, ResponseUrlPolicy responseUrls,
                            Set<String> instances, ApprovalPolicy approvals) {
    /** Secrets Manager id (ARN or name) of the Slack signing secret. */
    public static final String SIGNING_SECRET_ID = "SLACK_SIGNING_SECRET_ID";

    public static GatewayConfig from(Env env) {
        Map<Target, String> functions = new EnumMap<>(Target.class);
        for (Target target : Target.values()) {
            functions.put(target, env.require(target.envName()));
        }
        // The gateway needs only the instance names, to accept their flags; it reads no URL or token.
        Set<String> instances = env.optional(GitLabConfig.INSTANCES)
                .map(value -> GitLabConfig.parseInstances(value).keySet()).orElse(Set.of());
        // Only for help, which says which forms wait for a second person; the functions enforce it.
        ApprovalPolicy approvals;
        try {
            approvals = ApprovalPolicy.parse(env.optional(ApprovalPolicy.VARIABLE, "production"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        return new GatewayConfig(env.require(SIGNING_SECRET_ID), functions, ResponseUrlPolicy.from(env), instances,
                approvals);
    }

    public String functionFor(Target target) {
        return functions.get(target);
    }
}
