package dev.chatops.feature;

import dev.chatops.shared.gitlab.FeatureFlag;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabErrors;
import dev.chatops.shared.gitlab.GitLabException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One instance's part of a {@code set} or {@code delete}: read the flag, let the {@link FeatureChecks}
 * review the change, write it, and {@link ChangeLog log} it when it is production's.
 */
final class InstanceChange {
    private final GitLab gitlab;
    private final FeatureChecks checks;
    private final ChangeLog log;
    private final String productionInstance;

    /** @param gitlab the instances with their write tokens */
    InstanceChange(GitLab gitlab, FeatureChecks checks, ChangeLog log, String productionInstance) {
        this.gitlab = gitlab;
        this.checks = checks;
        this.log = log;
        this.productionInstance = productionInstance;
    }

    InstanceResult set(RolloutState run, String instance, FlagChange change) {
        GitLabClient client = gitlab.client(instance);
        String check = "feature get " + change.name() + " --" + instance;
        FeatureFlag before;
        Map<String, String> params;
        List<String> notes = new ArrayList<>();
        try {
            before = client.feature(change.name());
            params = ActorPaths.of(client, change.params(), notes);
        } catch (GitLabException e) {
            return InstanceResult.failed(instance, host(instance), GitLabErrors.sentence(instance, e, false, check));
        } catch (ActorPaths.UnknownActor e) {
            return InstanceResult.refused(instance, host(instance), e.getMessage(), List.of(), List.of());
        }
        Verdict verdict = review(
                run, instance, new FeatureChecks.Effect(change.enables(), change.fullyOn(), change.fullyOff(), false));
        notes.addAll(verdict.notes());
        if (verdict.blocks()) {
            return InstanceResult.refused(instance, host(instance), "`" + change.name() + "` not changed (it stays "
                    + before.describe() + "):\n" + verdict.blockedLines(), notes, verdict.blocking());
        }
        if (run.previewing) {
            return InstanceResult.wouldChange(instance, host(instance), change.name(), before.describe(),
                    change.describe(), notes);
        }
        FeatureFlag after;
        try {
            after = client.setFeature(change.name(), params);
        } catch (GitLabException e) {
            return InstanceResult.failed(instance, host(instance), GitLabErrors.sentence(instance, e, true, check));
        }
        return changed(run, instance, before.describe(), after.describe(), "set", notes);
    }

    InstanceResult delete(RolloutState run, String instance) {
        GitLabClient client = gitlab.client(instance);
        String check = "feature get " + run.flag + " --" + instance;
        FeatureFlag before;
        try {
            before = client.feature(run.flag);
        } catch (GitLabException e) {
            return InstanceResult.failed(instance, host(instance), GitLabErrors.sentence(instance, e, false, check));
        }
        if (!before.persisted()) {
            return InstanceResult.nothingToDelete(instance, host(instance), run.flag);
        }
        // Deleting gives the flag back its default: when that is on, it enables the flag.
        boolean enables = before.defaultEnabled().orElse(false) && !before.on();
        Verdict verdict = review(run, instance, new FeatureChecks.Effect(enables, true, true, true));
        List<String> notes = new ArrayList<>(verdict.notes());
        if (verdict.blocks()) {
            return InstanceResult.refused(instance, host(instance), "`" + run.flag + "` not deleted (it stays "
                    + before.describe() + "):\n" + verdict.blockedLines(), notes, verdict.blocking());
        }
        if (run.previewing) {
            return InstanceResult.wouldChange(instance, host(instance), run.flag, before.describe(),
                    "deleted (its default applies" + before.defaultEnabled().map(on -> ": " + (on ? "on" : "off"))
                            .orElse("") + ")", notes);
        }
        try {
            client.deleteFeature(run.flag);
        } catch (GitLabException e) {
            return InstanceResult.failed(instance, host(instance), GitLabErrors.sentence(instance, e, true, check));
        }
        return changed(run, instance, before.describe(), "deleted (its default applies"
                + before.defaultEnabled().map(on -> ": " + (on ? "on" : "off")).orElse("") + ")", "deleted", notes);
    }

    private Verdict review(RolloutState run, String instance, FeatureChecks.Effect effect) {
        Verdict verdict = checks.review(instance, run.flag, effect, run.call.invocation()::has,
                () -> run.incidents(productionInstance));
        run.used(verdict);
        return verdict;
    }

    /** The change made; on production, logged, with what the log says added to the notes and the audit. */
    private InstanceResult changed(RolloutState run, String instance, String before, String after, String action,
                                   List<String> notes) {
        List<String> all = new ArrayList<>(notes);
        String audit = instance + " " + before + " → " + after;
        if (instance.equals(productionInstance)) {
            ChangeLog.Result logged = log.record(new ChangeEntry(run.call.request().requestId(),
                    run.call.request().userId(), run.gitlabUsername(), instance, host(instance), run.flag,
                    action, before, after, run.overrides, run.call.request().display(), run.call.approvedBy(),
                    run.call.emergency()), run.call::remaining);
            all.addAll(logged.notes());
            run.logFailed |= logged.failed();
            if (!logged.audit().isEmpty()) {
                audit += " (log: " + logged.audit() + ")";
            }
        }
        return InstanceResult.changed(instance, host(instance), run.flag, before, after, all, audit);
    }

    private String host(String instance) {
        return FeatureCommand.host(gitlab, instance);
    }
}
