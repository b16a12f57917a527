package dev.chatops.shared.runtime;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import dev.chatops.shared.command.ApprovalPolicy;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** The environment every command function reads, each variable named once here. */
public record RuntimeConfig(String requestsTable, String auditTable, String accessTable, ResponseUrlPolicy responseUrls,
                            Duration levelMaxAge, Set<String> productionChannels,
                            String productionInstance, boolean keepsAccessSnapshots, ApprovalPolicy approvals,
                            Duration approvalTtl, String approvalsTable) {
    public static final String REQUESTS_TABLE = "REQUESTS_TABLE";
    public static final String AUDIT_TABLE = "AUDIT_TABLE";
    public static final String ACCESS_TABLE = "ACCESS_TABLE";
    /** Comma-separated origins replies may be posted to; default {@value ResponseUrlPolicy#SLACK}. */
    public static final String RESPONSE_URL_ALLOW = ResponseUrlPolicy.ENV;
    /** How old, in seconds, a GitLab access level may be before it must be read again; default 300. */
    public static final String ACCESS_LEVEL_MAX_AGE = "ACCESS_LEVEL_MAX_AGE_SECONDS";
    /** Slack channel ids (comma-separated) where changes to production may be made; empty: any channel. */
    public static final String PRODUCTION_CHANNELS = "PRODUCTION_CHANNELS";
    /** Which instance is production, for the channel rule; default {@code production}. */
    public static final String PRODUCTION_INSTANCE = "PRODUCTION_INSTANCE";

    /**
     * {@code read-only} where the function's role may not write the access table (explain,
     * auto_deploy): a role and 2FA read from GitLab are used for the command, not kept. Default
     * {@code keep}.
     */
    public static final String ACCESS_SNAPSHOTS = "ACCESS_SNAPSHOTS";
    /** Which changes wait for a second person: none, production (default) or changes ({@link ApprovalPolicy}). */
    public static final String APPROVALS = ApprovalPolicy.VARIABLE;
    /** How long, in minutes, a change waits for its approval before it expires; default 15, at most 1440. */
    public static final String APPROVAL_TTL_MINUTES = "APPROVAL_TTL_MINUTES";
    /** The approvals' table; needed by a function whose commands may wait for approval, unless APPROVALS is none. */
    public static final String APPROVALS_TABLE = "APPROVALS_TABLE";

    public static RuntimeConfig from(Env env) {
        String snapshots = env.optional(ACCESS_SNAPSHOTS, "keep");
        if (!snapshots.equals("keep") && !snapshots.equals("read-only")) {
            throw new ConfigurationException(ACCESS_SNAPSHOTS + " is keep or read-only, not " + snapshots);
        }
        ApprovalPolicy approvals;
        try {
            approvals = ApprovalPolicy.parse(env.optional(APPROVALS, "production"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        long ttl = env.optionalLong(APPROVAL_TTL_MINUTES, 15);
        if (ttl < 1 || ttl > 1440) {
            throw new ConfigurationException(APPROVAL_TTL_MINUTES + " is between 1 and 1440, not " + ttl);
        }
        return new RuntimeConfig(env.require(REQUESTS_TABLE), env.require(AUDIT_TABLE), env.require(ACCESS_TABLE),
                ResponseUrlPolicy.from(env), Duration.ofSeconds(env.optionalLong(ACCESS_LEVEL_MAX_AGE, 300)),
                Arrays.stream(env.optional(PRODUCTION_CHANNELS, "").split(",")).map(String::strip)
                        .filter(c -> !c.isEmpty()).collect(Collectors.toUnmodifiableSet()),
                env.optional(PRODUCTION_INSTANCE, "production"), snapshots.equals("keep"), approvals,
                Duration.ofMinutes(ttl), env.optional(APPROVALS_TABLE, ""));
    }
}
