package dev.chatops.member;

import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.Caller;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.Command.Preview;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code access request [--level=…] --reason "…"}: always waits for a second person. Its preview is
 * the seed's "Requesting access" checked ({@link AccessSteps}): a person who cannot ask yet hears
 * which steps remain, and one who can asks a maintainer or owner of the chatops project, never for
 * more than the approver has. Its work runs only approved ({@link AccessGrant}).
 */
final class AccessRequest implements Command.Approvable {
    /** The longest reason kept: it is shown in the channel, the approvers' channel and {@code access list}. */
    static final int MAX_REASON = 300;
    private static final Map<String, Role> LEVELS = Map.of("guest", Role.GUEST, "reporter", Role.REPORTER,
            "developer", Role.DEVELOPER, "maintainer", Role.MAINTAINER);

    private final AccessSteps steps;
    private final AccessGrant grant;
    private final AccessConfig config;
    private final Optional<AccessWebhook> webhook;
    private final String project;

    AccessRequest(AccessSteps steps, AccessGrant grant, AccessConfig config, Optional<AccessWebhook> webhook,
                  String project) {
        this.steps = steps;
        this.grant = grant;
        this.config = config;
        this.webhook = webhook;
        this.project = project;
    }

    /** What was asked for, or why it cannot be asked as typed. */
    private record Wanted(Role level, String reason, Reply problem) {
        static Wanted by(CommandCall call) {
            String name = call.invocation().option("level").orElse("developer");
            Role level = LEVELS.get(name.toLowerCase(Locale.ROOT));
            String reason = call.invocation().option("reason").map(String::strip).orElse("");
            if (level == null) {
                return problem(":warning: `--level` is one of guest, reporter, developer, maintainer; not `"
                        + Text.inCode(name, 40) + "`.");
            }
            if (reason.isEmpty()) {
                return problem(":warning: Say why you need it: `--reason \"what you will do with "
                        + level.label() + " access\"`, so that the approvers can decide.");
            }
            if (reason.length() > MAX_REASON) {
                return problem(":warning: Keep the reason to " + MAX_REASON + " characters; it has "
                        + reason.length() + ".");
            }
            return new Wanted(level, reason, null);
        }

        private static Wanted problem(String markdown) {
            return new Wanted(null, null, Reply.refusal(markdown + " Nothing was asked."));
        }
    }

    @Override
    public Preview preview(CommandCall call) {
        Wanted wanted = Wanted.by(call);
        if (wanted.problem() != null) {
            return new Preview.Refused(wanted.problem());
        }
        AccessSteps.Standing standing = steps.standing(call.request(), wanted.level(), AccessSteps.When.ASKING);
        if (standing instanceof AccessSteps.NotYet notYet) {
            return new Preview.Refused(notYet.reply());
        }
        AccessSteps.Ready ready = (AccessSteps.Ready) standing;
        Caller requester = new Caller(call.request().workspace(), call.request().userId(), ready.link().instance(),
                ready.link().gitlabUserId(), ready.account().username(), ready.level(), true);
        // An approver needs maintainer, and never less than the role they give: GitLab enforces the same through Sudo.
        // A maintainer approves up to developer; maintainer needs an owner, so that no maintainer can make
        // another maintainer (a second approver of their own) alone.
        Role approver = wanted.level().accessLevel() >= Role.MAINTAINER.accessLevel() ? Role.OWNER : Role.MAINTAINER;
        return new Preview.Change(summary(call, ready, wanted), Optional.of(requester), Optional.of(approver),
                Optional.of(config.requestTtl()));
    }

    /** The request as approvers read it: who, which role on which project, for how long, why. */
    private String summary(CommandCall call, AccessSteps.Ready ready, Wanted wanted) {
        String who = "<@" + call.request().userId() + "> (`" + Text.inCode(ready.account().username(), 80) + "` on "
                + ready.link().instance() + ")";
        return ":key: *Access request:* " + who + " asks for *" + wanted.level().label() + "* on `"
                + Text.inCode(project, 100) + "`"
                + (ready.level() > 0 ? " (now " + Role.ofAccessLevel(ready.level()).label() + ")" : "")
                + ", for " + config.grantDays() + " days from the approval.\n*Reason:* "
                + Text.shown(wanted.reason().replace('\n', ' ').replace('\r', ' '), MAX_REASON)
                + "\nApproving adds the membership as you, through GitLab, which checks your own rights; it ends "
                + "on its own after " + config.grantDays() + " days.";
    }

    /** The approved request: the membership added as the approver. Never without an approval. */
    @Override
    public Reply handle(CommandCall call) {
        Optional<Approval.Decision> approver = call.approvedBy();
        if (approver.isEmpty() || call.approval().isEmpty()) {
            // The runtime runs this form only approved; anything else must not grant a thing.
            Log.warn("access.unapproved", "userId", call.request().userId());
            return Reply.refusal(":no_entry: Access is granted only once a maintainer approves the request, and "
                    + "this one was not approved. Nothing was changed.");
        }
        Wanted wanted = Wanted.by(call);
        if (wanted.problem() != null) {
            return wanted.problem();
        }
        // The checks again: the account may have lost 2FA, or been made a member, while the request waited.
        AccessSteps.Standing standing = steps.standing(call.request(), wanted.level(), AccessSteps.When.GRANTING);
        if (standing instanceof AccessSteps.NotYet notYet) {
            return notYet.reply();
        }
        AccessSteps.Ready ready = (AccessSteps.Ready) standing;
        if (ready.link().gitlabUserId() != call.approval().get().requesterGitlabId()) {
            return Reply.refusal(":no_entry: <@" + call.request().userId() + ">'s Slack account is now linked to "
                    + "another GitLab account than the one the request was for. Nothing was changed; ask again.");
        }
        LocalDate until = LocalDate.ofInstant(call.clock().instant(), ZoneOffset.UTC).plusDays(config.grantDays());
        return grant.add(call.request(), ready, wanted.level(), until, approver.get());
    }

    /** The request was asked: the approvers' channel hears of it too, when one is configured. */
    @Override
    public void asked(Approval approval, Reply message) {
        try {
            webhook.ifPresent(hook -> hook.post(message));
        } catch (RuntimeException e) {
            // A courtesy copy: the request stands without it.
            Log.error("access.webhook_failed", e);
        }
    }
}
