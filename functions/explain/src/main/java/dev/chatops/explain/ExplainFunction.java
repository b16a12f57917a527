package dev.chatops.explain;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import dev.chatops.shared.runtime.CommandFunction;
import dev.chatops.shared.runtime.Services;
import java.time.Duration;
import java.util.List;

/** The Lambda function for {@code explain}: EXPLAIN (ANALYZE, BUFFERS) on an instance's database replica. */
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
        super(services, List.of(command(services)));
    }

    private static ExplainCommand command(Services services) {
        Env env = services.env();
        long statementSeconds = env.optionalLong(Replica.STATEMENT_TIMEOUT, 15);
        if (statementSeconds < 1 || statementSeconds > 40) {
            // The function's 60 s must hold the connection, the statement and the reply.
            throw new ConfigurationException(Replica.STATEMENT_TIMEOUT + " must be 1 to 40 seconds");
        }
        Replica replica = new Replica(
                services.secret(env.require(Replica.SECRET_ID)),
                Duration.ofSeconds(statementSeconds),
                Duration.ofMillis(env.optionalLong(Replica.LOCK_TIMEOUT, 1000)));
        return new ExplainCommand(replica, services.gitlabConfig().defaultInstance(), services.oneAtATime());
    }
}
