package dev.chatops.feature;

import dev.chatops.feature.InstanceResult.Status;
import dev.chatops.shared.Log;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code feature set} and {@code feature delete} across their instances: in the order that keeps
 * production behind staging, each instance guarded so that what the others did is still reported,
 * and one reply that says each instance's outcome on its own line. Reads of GitLab are retried by
 * the client; writes never are.
 */
final class Rollout {
    /** Time an instance's change needs before it is started: reads, checks, the write, and the log. */
    static final Duration INSTANCE_NEEDS = Duration.ofSeconds(15);

    private final GitLab gitlab;
    private final FeatureChecks checks;
    private final InstanceChange change;
    private final String productionInstance;

    /** @param gitlab the instances with their write tokens */
    Rollout(GitLab gitlab, FeatureChecks checks, ChangeLog log, String productionInstance) {
        this.gitlab = gitlab;
        this.checks = checks;
        this.change = new InstanceChange(gitlab, checks, log, productionInstance);
        this.productionInstance = productionInstance;
    }

    Reply set(CommandCall call, List<String> instances) {
        return set(call, instances, false).reply;
    }

    Reply delete(CommandCall call, List<String> instances) {
        return delete(call, instances, false).reply;
    }

    /** What {@code set} would do, every check made, nothing written: the change to approve, or the refusal. */
    Command.Preview previewSet(CommandCall call, List<String> instances) {
        return preview(set(call, instances, true));
    }

    Command.Preview previewDelete(CommandCall call, List<String> instances) {
        return preview(delete(call, instances, true));
    }

    /** A run and its reply; a run without state is one refused before any instance. */
    private record Ran(RolloutState run, Reply reply) {
    }

    private static Command.Preview preview(Ran ran) {
        if (ran.run == null) {
            return new Command.Preview.Refused(ran.reply);
        }
        List<InstanceResult> results = List.copyOf(ran.run.results.values());
        boolean allWould = results.stream().allMatch(r -> r.status() == Status.WOULD_CHANGE);
        if (!allWould) {
            return new Command.Preview.Refused(ran.reply);
        }
        List<String> lines = new ArrayList<>();
        for (InstanceResult result : results) {
            lines.add(result.line());
            result.notes().forEach(note -> lines.add("    _" + note + "_"));
        }
        if (!ran.run.overrides.isEmpty()) {
            lines.add(":warning: Overrides: " + String.join(", ", ran.run.overrides.stream()
                    .map(o -> "`" + o + "`").toList()));
        }
        return new Command.Preview.Change(String.join("\n", lines));
    }

    private Ran set(CommandCall call, List<String> instances, boolean previewing) {
        FlagChange.Parsed parsed = FlagChange.parse(call.invocation());
        if (parsed instanceof FlagChange.Invalid invalid) {
            return new Ran(null, Reply.refusal(":warning: " + invalid.reason() + "\nUsage:\n```"
                    + call.invocation().form().usage(call.request().slashCommand(), "feature") + "```"));
        }
        FlagChange flag = ((FlagChange.Valid) parsed).change();
        RolloutState run = new RolloutState(call, flag.name(), "set", flag.describe(), checks::incidents, previewing);
        for (String instance : order(instances, flag.enables())) {
            run.results.put(instance, guarded(run, instance, () -> change.set(run, instance, flag)));
        }
        return new Ran(run, reply(run));
    }

    private Ran delete(CommandCall call, List<String> instances, boolean previewing) {
        String name = call.invocation().args().get(0);
        Optional<String> badName = FlagChange.checkName(name);
        if (badName.isPresent()) {
            return new Ran(null, Reply.refusal(":warning: " + badName.get()));
        }
        RolloutState run = new RolloutState(call, name, "delete", "deleted", checks::incidents, previewing);
        for (String instance : order(instances, false)) {
            run.results.put(instance, guarded(run, instance, () -> change.delete(run, instance)));
        }
        return new Ran(run, reply(run));
    }

    /**
     * Production last when enabling, first when disabling, so that {@code --staging --production}
     * in one command passes the consistency check the way the two commands in the right order would.
     */
    private List<String> order(List<String> instances, boolean enabling) {
        List<String> ordered = new ArrayList<>(instances.stream().filter(i -> !i.equals(productionInstance)).toList());
        if (instances.contains(productionInstance)) {
            ordered.add(enabling ? ordered.size() : 0, productionInstance);
        }
        return ordered;
    }

    /**
     * One instance's change, reported whatever happens: out of time it is not started; an unexpected
     * error becomes that instance's failure, so what other instances did (a production change, its
     * log) is still reported and audited.
     */
    private InstanceResult guarded(RolloutState run, String instance, Supplier<InstanceResult> work) {
        String host = FeatureCommand.host(gitlab, instance);
        if (run.call.remaining().compareTo(INSTANCE_NEEDS) < 0) {
            return InstanceResult.outOfTime(instance, host);
        }
        try {
            return work.get();
        } catch (RuntimeException e) {
            Log.error("feature.instance_failed", e, "instance", instance, "flag", run.flag);
            return InstanceResult.failedUnexpectedly(instance, host, run.flag, run.call.request().requestId(), e);
        }
    }

    /** In the channel when anything changed, else to the caller alone; every instance on its line, then the audit. */
    private static Reply reply(RolloutState run) {
        List<InstanceResult> results = List.copyOf(run.results.values());
        long changed = results.stream().filter(r -> r.status() == Status.CHANGED).count();
        boolean set = run.verb.equals("set");
        String title = "<@" + run.call.request().userId() + "> " + (set ? "set `" + run.flag + "` to " + run.what
                : "deleted `" + run.flag + "`");
        Reply.Builder reply = changed > 0 ? Reply.inChannel(title) : Reply.ephemeral(title);
        if (changed > 0) {
            reply.text(title);
        } else if (results.size() > 1) {
            reply.text("`" + run.flag + "` was not " + (set ? "changed" : "deleted") + " anywhere:");
        }
        for (InstanceResult result : results) {
            reply.text(result.line());
            if (!result.notes().isEmpty()) {
                reply.context(String.join("\n", result.notes()));
            }
        }
        if (!run.overrides.isEmpty()) {
            reply.context(":warning: Overrides used: "
                    + String.join(
                            ", ", run.overrides.stream().map(o -> "`" + o + "`").toList()));
        }
        List<String> audit = new ArrayList<>();
        if (run.logFailed) {
            audit.add("LOG INCOMPLETE");
        }
        results.forEach(r -> audit.add(r.audit()));
        if (!run.overrides.isEmpty()) {
            audit.add("overrides: " + String.join(", ", run.overrides));
        }
        reply.auditDetail(String.join("; ", audit));
        if (changed == 0) {
            boolean nothingToDo = results.stream().allMatch(r -> r.status() == Status.UNCHANGED);
            boolean anyFailed = results.stream().anyMatch(r -> r.status() == Status.FAILED);
            reply.outcome(nothingToDo ? Reply.Outcome.OK : anyFailed ? Reply.Outcome.FAILED : Reply.Outcome.REFUSED);
        }
        return reply.build();
    }
}
