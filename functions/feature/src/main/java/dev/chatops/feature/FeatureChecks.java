package dev.chatops.feature;

import dev.chatops.feature.Verdict.Check;
import dev.chatops.feature.Verdict.Outcome;
import dev.chatops.shared.Text;
import dev.chatops.shared.gitlab.FeatureFlag;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabIssue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The checks before a flag changes, as GitLab.com's ChatOps makes them, applied in one place
 * ({@link #review}) and answered as a {@link Verdict}, each with its override:
 * <ul>
 *   <li>log channel (no override): a production change is announced, so one cannot be made while no
 *       log channel is configured;</li>
 *   <li>consistency ({@code --ignore-feature-flag-consistency-check}): production may not be enabled,
 *       fully or partly, while staging has the flag off, nor fully enabled while staging has it only
 *       partly on (GitLab's own ChatOps later asked for this: gitlab-com/chatops#113); staging may not
 *       be disabled or deleted while production has the flag on;</li>
 *   <li>production ({@code --ignore-production-check}): no production change while the incident
 *       project has open issues with a blocking label ({@code severity::1}, {@code severity::2}).</li>
 * </ul>
 * A check that cannot be made (GitLab failing, or nothing configured to check against) blocks, as a
 * finding that says so: it fails closed, and the override still lets an operator through in an
 * emergency. Only {@code none} in its configuration turns a check off.
 */
final class FeatureChecks {
    static final String CONSISTENCY_OVERRIDE = "ignore-feature-flag-consistency-check";
    static final String PRODUCTION_OVERRIDE = "ignore-production-check";
    private static final int ISSUES_PER_LABEL = 10;

    /** What a check found: whether it blocks the change, and in words. */
    record Finding(boolean blocks, String text) {
        static Finding pass(String text) {
            return new Finding(false, text);
        }

        static Finding block(String text) {
            return new Finding(true, text);
        }
    }

    /**
     * What a change does to the flag on its instance: turns it on for anyone ({@code enables}) or for
     * everyone ({@code fullyOn}), off for everyone ({@code fullyOff}); {@code byDefault} when it is the
     * flag's default that turns it on (a delete of a flag whose default is on).
     */
    record Effect(boolean enables, boolean fullyOn, boolean fullyOff, boolean byDefault) {
    }

    private final GitLab gitlab;
    private final FeatureConfig config;
    private final String production;

    FeatureChecks(GitLab gitlab, FeatureConfig config, String productionInstance) {
        this.gitlab = gitlab;
        this.config = config;
        this.production = productionInstance;
    }

    /**
     * Every check {@code effect} on {@code instance} needs, each made once: on production, a log
     * channel, consistency with staging when it enables, and open incidents ({@code incidents}, made
     * once per command by the caller); on staging, consistency with production when it turns the flag
     * off. A check that blocks is overridden when {@code given} has its override.
     */
    Verdict review(String instance, String flag, Effect effect, Predicate<String> given, Supplier<Finding> incidents) {
        List<Verdict.Reason> reasons = new ArrayList<>();
        if (instance.equals(production)) {
            if (config.webhookSecretId().isEmpty()) {
                reasons.add(new Verdict.Reason(
                        Check.LOG_CHANNEL,
                        Outcome.BLOCKED,
                        "Production changes are announced in the log channel, and none is configured: the operators"
                                + " need to set FeatureLogWebhookUrl. Nothing was changed."));
            }
            if (effect.enables()) {
                reasons.add(judge(effect.byDefault() ? Check.CONSISTENCY_BY_DEFAULT : Check.CONSISTENCY,
                        productionAgainstStaging(flag, effect.fullyOn()), given));
            }
            reasons.add(judge(Check.PRODUCTION, incidents.get(), given));
        } else if (effect.fullyOff() && config.stagingInstance().filter(instance::equals).isPresent()) {
            reasons.add(judge(Check.CONSISTENCY, stagingAgainstProduction(flag), given));
        }
        return new Verdict(reasons);
    }

    private static Verdict.Reason judge(Check check, Finding finding, Predicate<String> given) {
        Outcome outcome = !finding.blocks() ? Outcome.PASSED
                : check.override().filter(given).isPresent() ? Outcome.OVERRIDDEN : Outcome.BLOCKED;
        return new Verdict.Reason(check, outcome, finding.text());
    }

    /** Before production is enabled (fully or partly): staging must have it on, and fully on for a full enable. */
    private Finding productionAgainstStaging(String name, boolean fullyOn) {
        String staging = config.stagingInstance().orElse(null);
        if (staging == null) {
            return config.consistencyOff() ? Finding.pass("turned off by configuration (FEATURE_STAGING_INSTANCE=none)")
                    : Finding.block("no staging instance is configured to compare with (FEATURE_STAGING_INSTANCE)");
        }
        FeatureFlag flag;
        try {
            flag = gitlab.client(staging).feature(name);
        } catch (GitLabException e) {
            return Finding.block("`" + name + "` could not be read on " + staging + " to compare (" + e.brief() + ")");
        }
        if (!flag.persisted() || flag.off()) {
            return Finding.block(staging + " has `" + name + "` " + (flag.persisted() ? "off" : "not set")
                    + "; enable it on " + staging + " first");
        }
        if (fullyOn && !flag.on()) {
            return Finding.block(staging + " has `" + name + "` only partly on (" + flag.describe()
                    + "); turn it fully on " + "on " + staging + " before production");
        }
        return Finding.pass(staging + " has `" + name + "` " + flag.describe());
    }

    /** Before staging is disabled or deleted: production must not have it on. */
    private Finding stagingAgainstProduction(String name) {
        FeatureFlag flag;
        try {
            flag = gitlab.client(production).feature(name);
        } catch (GitLabException e) {
            return Finding.block(
                    "`" + name + "` could not be read on " + production + " to compare (" + e.brief() + ")");
        }
        if (flag.persisted() && !flag.off()) {
            return Finding.block(
                    production + " has `" + name + "` " + flag.describe() + "; disable it on " + production + " first");
        }
        return Finding.pass(production + " has `" + name + "` " + flag.describe());
    }

    /** Open incidents with a blocking label in the incident project; none configured passes with a note. */
    Finding incidents() {
        if (config.incidentProject().isEmpty()) {
            return config.productionCheckOff()
                    ? Finding.pass("turned off by configuration (FEATURE_INCIDENT_PROJECT=none)")
                    : Finding.block("no incident project is configured (FEATURE_INCIDENT_PROJECT), so open incidents "
                            + "cannot be checked");
        }
        FeatureConfig.Location project = config.incidentProject().get();
        Map<Long, String> blocking = new LinkedHashMap<>();
        try {
            for (String label : config.blockingLabels()) {
                for (GitLabIssue issue :
                        gitlab.client(project.instance()).openIssues(project.path(), label, ISSUES_PER_LABEL)) {
                    blocking.putIfAbsent(issue.iid(), Text.link(issue.webUrl(), "#" + issue.iid()) + " "
                            + Text.shown(issue.title(), 120) + " (`" + label + "`)");
                }
            }
        } catch (GitLabException e) {
            return Finding.block("open incidents in `" + project.path() + "` could not be read (" + e.brief() + ")");
        }
        if (blocking.isEmpty()) {
            return Finding.pass("no open " + String.join(" or ", config.blockingLabels()) + " incident in `"
                    + project.path() + "`");
        }
        List<String> lines = new ArrayList<>(blocking.values());
        return Finding.block(lines.size() + " open incident" + (lines.size() == 1 ? "" : "s") + " in `" + project.path()
                + "`:\n• " + String.join("\n• ", lines));
    }
}
