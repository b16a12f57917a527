package dev.chatops.explain;

import dev.chatops.shared.Env;
import dev.chatops.shared.runtime.CommandFunction;
import dev.chatops.shared.runtime.Services;
import java.util.List;

/**
 * The Lambda function that will run explain. None of its commands is finished yet, so none is in
 * the catalogue and the gateway routes nothing here; the function exists so that template.yaml,
 * its permissions and its failure destination are in place when they land.
 */
public final class ExplainFunction extends CommandFunction {
    /** Lambda's constructor: configuration from the process environment. */
    public ExplainFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public ExplainFunction(Env env) {
        this(Services.fromEnvironment(env));
    }

    public ExplainFunction(Services services) {
        super(services, List.of());
    }
}
