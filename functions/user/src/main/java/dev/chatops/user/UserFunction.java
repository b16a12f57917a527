package dev.chatops.user;

import dev.chatops.shared.Env;
import dev.chatops.shared.runtime.CommandFunction;
import dev.chatops.shared.runtime.Services;
import java.util.List;

/**
 * The Lambda function for commands about people and their access: {@code whoami}, {@code link},
 * {@code unlink}, {@code user find}, {@code audit}.
 */
public final class UserFunction extends CommandFunction {
    /**
     * The GitLab OAuth application's id; empty until it is registered, and then {@code link} says
     * linking is not configured yet.
     */
    public static final String OAUTH_CLIENT_ID = "GITLAB_OAUTH_CLIENT_ID";

    /** Lambda's constructor: configuration from the process environment. */
    public UserFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public UserFunction(Env env) {
        this(Services.fromEnvironment(env));
    }

    public UserFunction(Services services) {
        super(services, List.of(
                new Whoami(services.access(), services.linkState(), services.clock()),
                new LinkConfirm(services.access(), services.wrongGuesses(), services.gitlab(), services.clock(),
                        services.env().optional(OAUTH_CLIENT_ID).isPresent()),
                new Unlink(services.access()),
                new UserFind(services.gitlab(), services.access(), services.authorizer()),
                new Audit(services.audit())));
    }
}
