package dev.chatops.feature;

import dev.chatops.shared.access.Caller;
import dev.chatops.shared.runtime.CommandCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One {@code set} or {@code delete} across its instances, as it goes: each instance's result, the
 * overrides used, whether the change log failed, and the production check, made once.
 */
final class RolloutState {
    final CommandCall call;
    final String flag;
    /** {@code set} or {@code delete}. */
    final String verb;
    /** What is asked, in words ({@code 25% of actors}, {@code deleted}). */
    final String what;
    /** A preview for an approval: every read and check, no write ({@link InstanceResult.Status#WOULD_CHANGE}). */
    final boolean previewing;
    final Map<String, InstanceResult> results = new LinkedHashMap<>();
    final List<String> overrides = new ArrayList<>();
    boolean logFailed;
    private final Supplier<FeatureChecks.Finding> check;
    private FeatureChecks.Finding incidents;

    /** @param check the production check (open incidents), made at most once, when an instance first needs it */
    RolloutState(CommandCall call, String flag, String verb, String what, Supplier<FeatureChecks.Finding> check,
                 boolean previewing) {
        this.call = call;
        this.previewing = previewing;
        this.flag = flag;
        this.verb = verb;
        this.what = what;
        this.check = check;
    }

    /** The production check, made once per command, with "Production check initiated…" posted first. */
    FeatureChecks.Finding incidents(String productionInstance) {
        if (incidents == null) {
            call.progress().post(":hourglass_flowing_sand: Production check initiated for `" + flag + "` on "
                    + productionInstance + ": looking for open incidents…");
            incidents = check.get();
        }
        return incidents;
    }

    /** Records the overrides a verdict used, once each, in the order first used. */
    void used(Verdict verdict) {
        verdict.overridesUsed().stream().filter(o -> !overrides.contains(o)).forEach(overrides::add);
    }

    /** The caller's GitLab username, as the authoriser proved it, for the log; empty for a call without one. */
    String gitlabUsername() {
        return call.caller().map(Caller::gitlabUsername).orElse("");
    }
}
