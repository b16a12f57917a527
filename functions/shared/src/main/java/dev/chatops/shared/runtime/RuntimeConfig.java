package dev.chatops.shared.runtime;

import dev.chatops.shared.Env;
import dev.chatops.shared.edge.ResponseUrlPolicy;

/** The environment every command function reads, each variable named once here. */
public record RuntimeConfig(String requestsTable, String auditTable, String accessTable, ResponseUrlPolicy responseUrls) {
    public static final String REQUESTS_TABLE = "REQUESTS_TABLE";
    public static final String AUDIT_TABLE = "AUDIT_TABLE";
    public static final String ACCESS_TABLE = "ACCESS_TABLE";
    /** Comma-separated origins replies may be posted to; default {@value ResponseUrlPolicy#SLACK}. */
    public static final String RESPONSE_URL_ALLOW = "RESPONSE_URL_ALLOW";

    public static RuntimeConfig from(Env env) {
        String allow = env.optional(RESPONSE_URL_ALLOW, ResponseUrlPolicy.SLACK);
        ResponseUrlPolicy policy;
        try {
            policy = ResponseUrlPolicy.parse(allow);
        } catch (IllegalArgumentException e) {
            throw new dev.chatops.shared.ConfigurationException("environment variable " + RESPONSE_URL_ALLOW
                    + " is not a list of origins: " + e.getMessage(), e);
        }
        return new RuntimeConfig(env.require(REQUESTS_TABLE), env.require(AUDIT_TABLE), env.require(ACCESS_TABLE), policy);
    }
}
