package dev.chatops.member;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabErrors;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.StoreException;
import java.time.LocalDate;
import java.util.Optional;

/**
 * An approved access request, made: the membership added through GitLab's Members API as the
 * approver ({@code Sudo} with the write token), so that GitLab applies the approver's own rights
 * (a maintainer cannot give more than maintainer), ending on a given day ({@code expires_at}); then
 * the requester's cached level is forgotten, so that their next command counts the new role.
 */
final class AccessGrant {
    private final GitLab writer;
    private final AccessStore access;

    /** @param writer the instances with their write tokens ({@code sudo} on the chatops instance) */
    AccessGrant(GitLab writer, AccessStore access) {
        this.writer = writer;
        this.access = access;
    }

    /** Adds {@code ready}'s account to the chatops project as {@code level} until {@code until}, as {@code by}. */
    Reply add(CommandRequest request, AccessSteps.Ready ready, Role level, LocalDate until, Approval.Decision by) {
        String instance = writer.config().chatopsInstance();
        String project = writer.config().chatopsProject();
        long userId = ready.link().gitlabUserId();
        String who = "<@" + request.userId() + "> (`" + Text.inCode(ready.account().username(), 80) + "`)";
        String approver = "<@" + by.slackUserId() + "> (`" + Text.inCode(by.gitlabUsername(), 80) + "`)";
        String where = "`" + Text.inCode(project, 100) + "` on " + instance;
        String checkWith = request.slashCommand() + " run member list " + project + " --" + instance;
        try {
            writer.client(instance).as(by.gitlabUserId())
                    .addMember("projects", project, userId, level.accessLevel(), Optional.of(until));
        } catch (GitLabException e) {
            Log.warn("access.grant_failed", "status", e.status(), "approver", by.gitlabUsername());
            if (e.status() == 409) {
                return Reply.refusal(":information_source: " + who + " is already a member of " + where
                        + ", as GitLab says: nothing was changed. `" + checkWith + "` shows their role.");
            }
            if (e.status() == 403) {
                return Reply.failure(":x: GitLab on " + instance + " refused it as " + approver + ", who approved "
                        + "it (403): their own rights on `" + Text.inCode(project, 100) + "` do not allow giving "
                        + level.label() + ". Nothing was changed; a maintainer or owner with those rights can "
                        + "approve a new request.");
            }
            return Reply.failure(":x: " + GitLabErrors.sentence(instance, e, true, checkWith, true));
        }
        Log.info("access.granted", "gitlabUser", ready.account().username(), "level", level.label(),
                "until", until.toString(), "approver", by.gitlabUsername());
        String text = ":white_check_mark: " + who + " is now *" + level.label() + "* of " + where + " until "
                + until + ", added by " + approver + " as themselves.";
        Reply.Builder reply = Reply.inChannel(text).text(text);
        try {
            access.forgetSnapshot(instance, userId);
        } catch (StoreException e) {
            // Added all the same: the cached level is read again once it is older than its maximum age.
            Log.error("access.snapshot_not_forgotten", e);
            reply.context("ChatOps could not forget " + who + "'s cached role: the new one counts within a few "
                    + "minutes.");
        }
        return reply.auditDetail("added " + ready.account().username() + " as " + level.label() + " until " + until
                + " as " + by.gitlabUsername()).build();
    }
}
