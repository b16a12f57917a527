package dev.chatops.member;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import java.time.Duration;
import java.util.Optional;

/**
 * How self-service access requests work in this deployment, read once at start-up; each variable
 * is named once here.
 *
 * @param grantDays       how long an approved membership lasts: GitLab ends it (its {@code expires_at})
 *                        this many days after the approval
 * @param requestTtl      how long a request waits for a maintainer before it expires
 * @param webhookSecretId the Secrets Manager id of an incoming-webhook URL that hears about every
 *                        request too (the approvers' channel); empty: the requester's channel alone
 */
record AccessConfig(int grantDays, Duration requestTtl, Optional<String> webhookSecretId) {
    /** Days an approved membership lasts; default 90, 1 to 365. */
    static final String GRANT_DAYS = "ACCESS_GRANT_DAYS";
    /** Hours a request waits for its approval; default 72, 1 to 720. */
    static final String REQUEST_TTL_HOURS = "ACCESS_REQUEST_TTL_HOURS";
    /** Secrets Manager id of the incoming-webhook URL requests are also posted to; optional. */
    static final String WEBHOOK_SECRET_ID = "ACCESS_REQUEST_WEBHOOK_SECRET_ID";

    static AccessConfig from(Env env) {
        long days = env.optionalLong(GRANT_DAYS, 90);
        if (days < 1 || days > 365) {
            throw new ConfigurationException(GRANT_DAYS + " is between 1 and 365, not " + days);
        }
        long hours = env.optionalLong(REQUEST_TTL_HOURS, 72);
        if (hours < 1 || hours > 720) {
            throw new ConfigurationException(REQUEST_TTL_HOURS + " is between 1 and 720, not " + hours);
        }
        return new AccessConfig((int) days, Duration.ofHours(hours), env.optional(WEBHOOK_SECRET_ID));
    }
}
