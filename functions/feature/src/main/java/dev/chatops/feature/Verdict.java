package dev.chatops.feature;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the {@link FeatureChecks} found before one instance's change: each check made, in the order
 * made, with whether it passed, was overridden or blocks. The reply's lines, the overrides used and
 * the audit's reasons are all read from these reasons, never from the reply's text.
 */
record Verdict(List<Reason> reasons) {
    /** A check before a change, with the option that overrides it (none for the log channel). */
    enum Check {
        LOG_CHANNEL("Production changes are announced in the log channel, and none is configured", null),
        CONSISTENCY("Consistency check", FeatureChecks.CONSISTENCY_OVERRIDE),
        CONSISTENCY_BY_DEFAULT("Consistency check (its default is on)", FeatureChecks.CONSISTENCY_OVERRIDE),
        PRODUCTION("Production check", FeatureChecks.PRODUCTION_OVERRIDE);

        final String label;
        private final String override;

        Check(String label, String override) {
            this.label = label;
            this.override = override;
        }

        Optional<String> override() {
            return Optional.ofNullable(override);
        }
    }

    /** How a check ended for this change. */
    enum Outcome { PASSED, OVERRIDDEN, BLOCKED }

    /** One check's outcome and its finding, in words. */
    record Reason(Check check, Outcome outcome, String text) {
    }

    Verdict {
        reasons = List.copyOf(reasons);
    }

    boolean blocks() {
        return reasons.stream().anyMatch(r -> r.outcome() == Outcome.BLOCKED);
    }

    /** The checks that block, for the audit. */
    List<Check> blocking() {
        return reasons.stream().filter(r -> r.outcome() == Outcome.BLOCKED).map(Reason::check).toList();
    }

    /** The override options used, {@code --…}, once each. */
    List<String> overridesUsed() {
        List<String> used = new ArrayList<>();
        reasons.stream()
                .filter(r -> r.outcome() == Outcome.OVERRIDDEN)
                .map(r -> "--" + r.check().override().orElseThrow())
                .filter(o -> !used.contains(o))
                .forEach(used::add);
        return used;
    }

    /** The lines the reply notes under the instance: checks passed and checks overridden. */
    List<String> notes() {
        List<String> notes = new ArrayList<>();
        for (Reason reason : reasons) {
            if (reason.outcome() == Outcome.PASSED) {
                notes.add(reason.check().label + ": " + reason.text() + ".");
            } else if (reason.outcome() == Outcome.OVERRIDDEN) {
                notes.add(":warning: " + reason.check().label + " overridden with `--"
                        + reason.check().override().orElseThrow() + "`: " + reason.text() + ".");
            }
        }
        return notes;
    }

    /** The bullets that say why the change was not made, each with its override. */
    String blockedLines() {
        List<String> lines = new ArrayList<>();
        for (Reason reason : reasons) {
            if (reason.outcome() != Outcome.BLOCKED) {
                continue;
            }
            lines.add("• " + reason.check().override().map(o -> reason.check().label + ": " + reason.text()
                    + ". Override with `--" + o + "` if you must.").orElse(reason.text()));
        }
        return String.join("\n", lines);
    }
}
