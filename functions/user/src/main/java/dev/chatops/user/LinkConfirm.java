package dev.chatops.user;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.access.LinkConflictException;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLabConfig;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code link CODE}: the last step of linking. The code stands for a GitLab account that signed in
 * through GitLab's OAuth and passed the checks; the Slack user who types it is the one Slack signed
 * the request for. Both identities are thus proven, and the link is stored one-to-one.
 */
public final class LinkConfirm implements Command {
    private final AccessStore access;
    private final GitLabConfig gitlab;
    private final Clock clock;

    public LinkConfirm(AccessStore access, GitLabConfig gitlab, Clock clock) {
        this.access = access;
        this.gitlab = gitlab;
        this.clock = clock;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.LINK;
    }

    @Override
    public Reply run(CommandCall call) {
        CommandRequest request = call.request();
        String workspace = AccessStore.workspaceOf(request.teamId(), request.enterpriseId());
        Optional<Link> existing = access.findLink(workspace, request.userId());
        if (existing.isPresent()) {
            return Reply.refusal(":information_source: Your Slack account is already linked to `" + existing.get().gitlabUsername()
                    + "`. Run `/chatops run unlink` first to link another account.");
        }
        Optional<AccessStore.Pending> pending = access.takePending(call.args().get(0), clock.instant());
        if (pending.isEmpty()) {
            return Reply.refusal(":warning: That code is unknown, used or expired (codes last 10 minutes). "
                    + "Run `/chatops run whoami` for a new Connect button.");
        }
        AccessStore.Pending p = pending.get();
        try {
            access.link(new Link(workspace, request.userId(), p.instance(), p.gitlabUserId(), p.gitlabUsername(),
                    clock.instant(), Optional.of(p.accessLevel()), Optional.of(true), Optional.of(p.checkedAt())));
        } catch (LinkConflictException e) {
            return Reply.refusal(":no_entry: The GitLab account `" + p.gitlabUsername()
                    + "` is already linked to another Slack account. Nothing was changed.");
        }
        String role = p.accessLevel() <= 0
                ? "You are not a member of `" + gitlab.chatopsProject() + "` yet: ask a maintainer to run `/chatops run member add "
                        + p.gitlabUsername() + " " + gitlab.chatopsProject() + " --" + gitlab.chatopsInstance() + "`."
                : "Your role on `" + gitlab.chatopsProject() + "` is " + Role.ofAccessLevel(p.accessLevel()).label() + ".";
        return Reply.error(":white_check_mark: Your Slack account is now linked to the GitLab account `" + p.gitlabUsername()
                + "` on " + p.instance() + ". " + role);
    }
}
