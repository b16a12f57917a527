package dev.chatops.feature;

import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import java.util.List;
import java.util.Map;

/**
 * {@code feature list|get|set|delete}: GitLab's feature flags through its Features API, with an
 * administrator's token, on each instance whose flag is given ({@code --staging --production};
 * production by default). Each form has its handler: {@link FlagReader} lists and reads with the
 * read-only tokens; {@link Rollout} sets and deletes with the write tokens, after the
 * {@link FeatureChecks}, reporting each instance's outcome on its own line and {@link ChangeLog
 * logging} every production change.
 */
public final class FeatureCommand implements Command {
    private final GitLab gitlab;
    private final FlagReader flags;
    private final Rollout rollout;

    /**
     * @param reader the instances with their read-only tokens, for {@code list} and {@code get}
     * @param gitlab the instances with their write tokens, for {@code set} and {@code delete}
     */
    FeatureCommand(GitLab reader, GitLab gitlab, FeatureChecks checks, ChangeLog log, String productionInstance) {
        this.gitlab = gitlab;
        this.flags = new FlagReader(reader);
        this.rollout = new Rollout(gitlab, checks, log, productionInstance);
    }

    @Override
    public CommandSpec spec() {
        return Catalog.FEATURE;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of(
                "list", call -> flags.list(instances(call), call.invocation().option("match").orElse("")),
                "get", call -> flags.get(instances(call), call.args().get(0)),
                "set", Command.approvable(call -> rollout.set(call, instances(call)),
                        call -> rollout.previewSet(call, instances(call))),
                "delete", Command.approvable(call -> rollout.delete(call, instances(call)),
                        call -> rollout.previewDelete(call, instances(call))));
    }

    /** The instances whose flags were given; the default instance when none was. */
    private List<String> instances(CommandCall call) {
        return call.invocation().instancesOr(gitlab.config().defaultInstance());
    }

    /** An instance's host name, as replies show it beside the instance. */
    static String host(GitLab gitlab, String instance) {
        String host = gitlab.config().host(instance);
        return host == null ? instance : host;
    }
}
