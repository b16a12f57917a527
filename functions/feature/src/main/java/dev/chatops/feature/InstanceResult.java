package dev.chatops.feature;

import java.util.List;

/**
 * One instance's outcome of a {@code set} or {@code delete}: its line in the reply, the notes under
 * that line, and its part of the audit detail.
 */
record InstanceResult(InstanceResult.Status status, String line, List<String> notes, String audit) {
    /** How the change ended on the instance. */
    enum Status { CHANGED, UNCHANGED, REFUSED, FAILED, WOULD_CHANGE }

    InstanceResult {
        notes = List.copyOf(notes);
    }

    static InstanceResult changed(
            String instance, String host, String flag, String before, String after, List<String> notes, String audit) {
        return new InstanceResult(Status.CHANGED, ":white_check_mark: " + where(instance, host) + " — `" + flag + "`: "
                + before + " → *" + after + "*", notes, audit);
    }

    /** What a change waiting for approval would do, as of now: passed its checks, not made. */
    static InstanceResult wouldChange(String instance, String host, String flag, String before, String after,
                                      List<String> notes) {
        return new InstanceResult(Status.WOULD_CHANGE, "• " + where(instance, host) + " — `" + flag + "`: " + before
                + " → *" + after + "*", notes, instance + " " + before + " → " + after + " (asked)");
    }

    /** A delete of a flag the instance does not store: nothing to do. */
    static InstanceResult nothingToDelete(String instance, String host, String flag) {
        return new InstanceResult(
                Status.UNCHANGED,
                ":information_source: " + where(instance, host) + " — there was no `" + flag
                        + "` to delete; nothing was changed.",
                List.of(),
                instance + " had none");
    }

    /** Not changed, for {@code why}; the audit names the checks that blocked it, if checks did. */
    static InstanceResult refused(
            String instance, String host, String why, List<String> notes, List<Verdict.Check> blocking) {
        return new InstanceResult(Status.REFUSED, ":no_entry: " + where(instance, host) + " — " + why, notes,
                instance + " refused" + (blocking.isEmpty() ? ""
                        : " (" + String.join(", ", blocking.stream().map(check -> check.label).toList()) + ")"));
    }

    static InstanceResult failed(String instance, String host, String why) {
        return new InstanceResult(
                Status.FAILED, ":x: " + where(instance, host) + " — " + why, List.of(), instance + " failed");
    }

    static InstanceResult outOfTime(String instance, String host) {
        return new InstanceResult(
                Status.FAILED,
                ":x: " + where(instance, host) + " — not attempted: the command ran out of "
                        + "time. Nothing was changed there; run it again for " + instance + ".",
                List.of(),
                instance + " not attempted (out of time)");
    }

    static InstanceResult failedUnexpectedly(
            String instance, String host, String flag, String requestId, RuntimeException e) {
        return new InstanceResult(
                Status.FAILED,
                ":x: " + where(instance, host) + " — failed unexpectedly; whether `" + flag
                        + "` changed there is not known: check with `feature get " + flag + " --" + instance
                        + "`. Request id: `"
                        + requestId + "`.",
                List.of(),
                instance + " failed: " + e.getClass().getSimpleName());
    }

    private static String where(String instance, String host) {
        return "*" + instance + "* (`" + host + "`)";
    }
}
