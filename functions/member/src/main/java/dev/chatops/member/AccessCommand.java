package dev.chatops.member;

import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.Services;
import java.util.Map;
import java.util.Optional;

/**
 * {@code access request|list}: the seed's "Requesting access" without a buddy. A person asks for a
 * role on the chatops project with a reason ({@link AccessRequest}); a maintainer or owner approves
 * it with the buttons of the request's message, and the membership is added as the approver, for a
 * limited time ({@link AccessGrant}). Maintainers see what waits with {@code list} ({@link AccessList}).
 */
public final class AccessCommand implements Command {
    private final AccessRequest request;
    private final AccessList list;

    AccessCommand(AccessRequest request, AccessList list) {
        this.request = request;
        this.list = list;
    }

    /**
     * Built from the function's services: its configuration read now ({@link AccessConfig}), GitLab
     * read with the read-only tokens and written with the write ones, as the approver.
     */
    public static AccessCommand of(Services services) {
        AccessConfig config = AccessConfig.from(services.env());
        String project = services.gitlabConfig().chatopsProject();
        AccessSteps steps = new AccessSteps(services.gitlab(), services.access(), services::linkState,
                services.channelRule().productionInstance());
        Optional<AccessWebhook> webhook = config.webhookSecretId()
                .map(id -> new AccessWebhook(services.secret(id), services.replies()::allows));
        return new AccessCommand(
                new AccessRequest(steps, new AccessGrant(services.gitlabWriter(), services.access()), config, webhook,
                        project),
                new AccessList(services.approvals().store(), project));
    }

    @Override
    public CommandSpec spec() {
        return Catalog.ACCESS;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of("request", request, "list", list);
    }
}
