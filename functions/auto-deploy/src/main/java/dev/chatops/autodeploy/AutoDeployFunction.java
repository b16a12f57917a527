package dev.chatops.autodeploy;

import dev.chatops.shared.Env;
import dev.chatops.shared.runtime.CommandFunction;
import dev.chatops.shared.runtime.Services;
import java.util.List;

/** The Lambda function for {@code auto_deploy status}: what is deployed where, from GitLab's Deployments API. */
public final class AutoDeployFunction extends CommandFunction {
    /** Lambda's constructor: configuration from the process environment. */
    public AutoDeployFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public AutoDeployFunction(Env env) {
        this(Services.fromEnvironment(env));
    }

    public AutoDeployFunction(Services services) {
        super(services, List.of(new AutoDeployCommand(services.gitlab(),
                AutoDeployConfig.from(services.env(), services.gitlab().config().instances()), services.clock())));
    }
}
