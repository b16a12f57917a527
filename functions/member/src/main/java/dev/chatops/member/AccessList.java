package dev.chatops.member;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Text;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.approval.ApprovalMessages;
import dev.chatops.shared.approval.ApprovalStore;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.RuntimeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code access list}: the access requests waiting for a maintainer, oldest first: who asks, for
 * which role, why, when they asked and when the request expires, with its request id (as
 * {@code audit} knows it).
 */
final class AccessList implements Command.Handler {
    /** As many as one reply shows readably; the rest are counted. */
    static final int SHOWN = 20;

    private final Optional<ApprovalStore> store;
    private final String project;

    AccessList(Optional<ApprovalStore> store, String project) {
        this.store = store;
        this.project = project;
    }

    @Override
    public Reply handle(CommandCall call) {
        List<Approval> pending = store.orElseThrow(() -> new ConfigurationException(RuntimeConfig.APPROVALS_TABLE
                + " is not set")).pending(Catalog.ACCESS.name(), call.clock().instant());
        if (pending.isEmpty()) {
            return Reply.line(":inbox_tray: No access request to `" + Text.inCode(project, 100)
                    + "` is waiting for approval.");
        }
        List<String> lines = new ArrayList<>();
        for (Approval approval : pending.subList(0, Math.min(SHOWN, pending.size()))) {
            lines.add(line(approval));
        }
        String title = "*" + pending.size() + " access request" + (pending.size() == 1 ? "" : "s") + " to `"
                + Text.inCode(project, 100) + "` waiting for approval*, oldest first:";
        Reply.Builder reply = Reply.ephemeral(pending.size() + " access requests waiting").text(title)
                .text(String.join("\n\n", lines));
        if (pending.size() > SHOWN) {
            reply.context("… and " + (pending.size() - SHOWN) + " more, not shown.");
        }
        return reply.context("Approve or deny one with the buttons of its message in the channel it was asked in.")
                .build();
    }

    /** One request: who, which role, why, asked when, expiring when, its request id. */
    private static String line(Approval approval) {
        String level = Optional.ofNullable(approval.request().options().get("level")).orElse("developer")
                .toLowerCase(Locale.ROOT);
        String reason = Optional.ofNullable(approval.request().options().get("reason")).orElse("");
        return "• <@" + approval.request().userId() + "> (`" + Text.inCode(approval.requesterGitlabUsername(), 80)
                + "`) asks for *" + Text.shown(level, 20) + "*"
                + " — asked " + ApprovalMessages.time(approval.createdAt())
                + ", expires " + ApprovalMessages.time(approval.expiresAt())
                + " — request `" + Text.inCode(approval.request().requestId(), 80) + "`"
                + "\n    _Reason:_ " + Text.shown(reason.strip().replace('\n', ' '), AccessRequest.MAX_REASON);
    }
}
