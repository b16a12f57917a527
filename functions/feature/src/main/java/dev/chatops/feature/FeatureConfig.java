package dev.chatops.feature;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import dev.chatops.shared.gitlab.ProjectLocation;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code feature} checks and where it logs production changes; each variable is named once here.
 * Safe by default: a check that is not configured blocks production changes (its override still
 * works), unless an operator turns it off on purpose with {@code none}; a production change with no
 * log channel to announce it is refused.
 *
 * @param stagingInstance the instance the consistency check compares production with
 * @param consistencyOff  {@code FEATURE_STAGING_INSTANCE=none}: no consistency check, on purpose
 * @param incidentProject where open incidents block production changes
 * @param productionCheckOff {@code FEATURE_INCIDENT_PROJECT=none}: no production check, on purpose
 * @param blockingLabels  labels of an open incident issue that block (default {@code severity::1,severity::2})
 * @param logProject      where each production change is recorded as a closed issue; empty: none
 * @param webhookSecretId the Secrets Manager id of the log channel's incoming-webhook URL
 */
record FeatureConfig(Optional<String> stagingInstance, boolean consistencyOff, Optional<Location> incidentProject,
                     boolean productionCheckOff, List<String> blockingLabels, Optional<Location> logProject,
                     Optional<String> webhookSecretId) {
    /**
     * The instance production must not run ahead of; empty: the instance named {@code staging};
     * {@code none}: no check.
     */
    static final String STAGING_INSTANCE = "FEATURE_STAGING_INSTANCE";
    /**
     * {@code instance:path} of the project whose open incident issues block production changes;
     * {@code none}: no check.
     */
    static final String INCIDENT_PROJECT = "FEATURE_INCIDENT_PROJECT";
    /** Comma-separated labels that make an open incident issue block; default {@code severity::1,severity::2}. */
    static final String BLOCKING_LABELS = "FEATURE_BLOCKING_LABELS";
    /** {@code instance:path} of the feature-flag log project. */
    static final String LOG_PROJECT = "FEATURE_LOG_PROJECT";
    /** Secrets Manager id of the log channel's Slack incoming-webhook URL. */
    static final String LOG_WEBHOOK_SECRET_ID = "FEATURE_LOG_WEBHOOK_SECRET_ID";
    private static final String NONE = "none";

    /** A project on an instance. */
    record Location(String instance, String path) {
    }

    static FeatureConfig from(Env env, Map<String, String> instances, String productionInstance) {
        Optional<String> named = env.optional(STAGING_INSTANCE);
        boolean consistencyOff = named.filter(NONE::equals).isPresent();
        if (named.isPresent() && !consistencyOff && !instances.containsKey(named.get())) {
            throw new ConfigurationException(
                    "instance " + named.get() + " in " + STAGING_INSTANCE + " is not in GITLAB_INSTANCES");
        }
        Optional<String> staging = consistencyOff ? Optional.empty()
                : named.or(() -> instances.containsKey("staging") ? Optional.of("staging") : Optional.empty());
        if (staging.filter(productionInstance::equals).isPresent()) {
            throw new ConfigurationException(STAGING_INSTANCE + " names the production instance: production cannot be "
                    + "compared with itself");
        }
        List<String> labels = Arrays.stream(env.optional(BLOCKING_LABELS, "severity::1,severity::2").split(","))
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (labels.isEmpty()) {
            throw new ConfigurationException(
                    BLOCKING_LABELS + " names no label: the production check would never block");
        }
        boolean productionCheckOff = env.optional(INCIDENT_PROJECT).filter(NONE::equals).isPresent();
        return new FeatureConfig(staging, consistencyOff,
                productionCheckOff ? Optional.empty() : location(env, INCIDENT_PROJECT, instances), productionCheckOff,
                labels, location(env, LOG_PROJECT, instances), env.optional(LOG_WEBHOOK_SECRET_ID));
    }

    private static Optional<Location> location(Env env, String name, Map<String, String> instances) {
        Optional<String> value = env.optional(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        ProjectLocation location = ProjectLocation.parse(value.get(), instances, name);
        return Optional.of(new Location(location.instance(), location.path()));
    }
}
