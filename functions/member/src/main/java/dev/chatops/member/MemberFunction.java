package dev.chatops.member;

import dev.chatops.shared.Env;
import dev.chatops.shared.runtime.CommandFunction;
import dev.chatops.shared.runtime.Services;
import java.util.List;

/**
 * The Lambda function for membership of GitLab projects and groups: {@code member add|remove|list},
 * and self-service access requests to the chatops project ({@code access request|list}).
 */
public final class MemberFunction extends CommandFunction {
    /** Lambda's constructor: configuration from the process environment. */
    public MemberFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public MemberFunction(Env env) {
        this(Services.fromEnvironment(env));
    }

    public MemberFunction(Services services) {
        super(services, List.of(new MemberCommand(services.gitlab(), services.gitlabWriter(), services.access()),
                AccessCommand.of(services)));
    }
}
