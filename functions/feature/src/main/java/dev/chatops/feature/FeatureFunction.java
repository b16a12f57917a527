package dev.chatops.feature;

import dev.chatops.shared.Env;
import dev.chatops.shared.runtime.CommandFunction;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import java.util.List;
import java.util.function.Supplier;

/** The Lambda function for GitLab's feature flags: {@code feature list|get|set|delete}. */
public final class FeatureFunction extends CommandFunction {
    /** Lambda's constructor: configuration from the process environment. */
    public FeatureFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public FeatureFunction(Env env) {
        this(Services.fromEnvironment(env));
    }

    public FeatureFunction(Services services) {
        this(services, duration -> Thread.sleep(duration.toMillis()));
    }

    /** With {@code pause} between attempts to write the change log (tests pass one that does not wait). */
    FeatureFunction(Services services, ChangeLog.Pause pause) {
        super(services, List.of(command(services, pause)));
    }

    private static FeatureCommand command(Services services, ChangeLog.Pause pause) {
        String production = RuntimeConfig.from(services.env()).productionInstance();
        FeatureConfig config = FeatureConfig.from(services.env(), services.gitlabConfig().instances(), production);
        // The flag changes and the log issue write with the write tokens; the checks only read.
        ChangeLog log = new ChangeLog(config, services.gitlabWriter(),
                config.webhookSecretId().map(id -> (Supplier<String>) services.secret(id))
                        .orElse(() -> {
                            throw new IllegalStateException("no log webhook is configured");
                        }), pause);
        // Listing and reading flags use the read-only tokens; only set and delete write.
        return new FeatureCommand(
                services.gitlab(),
                services.gitlabWriter(),
                new FeatureChecks(services.gitlab(), config, production),
                log,
                production);
    }
}
