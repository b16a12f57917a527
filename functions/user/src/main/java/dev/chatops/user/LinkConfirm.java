package dev.chatops.user;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLabConfig;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.StoreException;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code link CODE}: the last step of linking. The code stands for a GitLab account that signed in
 * through GitLab's OAuth and passed the checks; the Slack user who types it is the one Slack signed
 * the request for. Both identities are thus proven, and the link is stored one-to-one, spending the
 * code in the same transaction: a link that is refused or fails leaves the code usable.
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
        AccessStore.Confirmation confirmation;
        try {
            Optional<Link> existing = access.findLink(workspace, request.userId());
            if (existing.isPresent()) {
                return alreadyLinked(existing.get().gitlabUsername());
            }
            confirmation = access.confirm(call.args().get(0), workspace, request.userId(), clock.instant());
        } catch (StoreException e) {
            // The code is in the request, never in the log: the exception carries DynamoDB's error alone.
            Log.error("link.store_failed", e);
            return Reply.failure(":x: Linking failed: ChatOps could not store the link, so nothing was changed. "
                    + "Your code still works until it expires, 10 minutes after the linking page showed it: "
                    + "run the same `link` command again in a minute. Request id: `" + request.requestId() + "`.");
        }
        if (confirmation instanceof AccessStore.Confirmation.CodeUnusable) {
            return Reply.refusal(":warning: That code is unknown, used or expired (codes last 10 minutes). "
                    + "Run `/chatops run whoami` for a new Connect button.");
        }
        if (confirmation instanceof AccessStore.Confirmation.SlackUserLinked linked) {
            return alreadyLinked(linked.gitlabUsername());
        }
        if (confirmation instanceof AccessStore.Confirmation.AccountTaken taken) {
            return Reply.refusal(":no_entry: The GitLab account `" + taken.account().gitlabUsername()
                    + "` is already linked to another Slack account. Nothing was changed.");
        }
        AccessStore.Pending p = ((AccessStore.Confirmation.Linked) confirmation).account();
        String role = p.accessLevel() <= 0
                ? "You are not a member of `" + gitlab.chatopsProject() + "` yet: ask a maintainer to run `/chatops run member add "
                        + p.gitlabUsername() + " " + gitlab.chatopsProject() + " --" + gitlab.chatopsInstance() + "`."
                : "Your role on `" + gitlab.chatopsProject() + "` is " + Role.ofAccessLevel(p.accessLevel()).label() + ".";
        return Reply.error(":white_check_mark: Your Slack account is now linked to the GitLab account `" + p.gitlabUsername()
                + "` on " + p.instance() + ". " + role);
    }

    private static Reply alreadyLinked(String gitlabUsername) {
        return Reply.refusal(":information_source: Your Slack account is already linked to `" + gitlabUsername
                + "`. Run `/chatops run unlink` first to link another account.");
    }
}
