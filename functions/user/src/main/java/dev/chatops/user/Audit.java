package dev.chatops.user;

import dev.chatops.shared.Text;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.runtime.AuditLog;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.util.List;

/** {@code audit}: the latest attempts, newest first, for maintainers, in an aligned table. */
public final class Audit implements Command {
    private final AuditLog audit;

    public Audit(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.AUDIT;
    }

    @Override
    public Reply run(CommandCall call) {
        int limit;
        try {
            limit = Integer.parseInt(call.invocation().option("limit").orElse("20"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 50) {
            return Reply.refusal(":warning: `--limit` is a number from 1 to 50.");
        }
        String user = call.invocation().option("user").map(u -> u.replaceAll("^<@([A-Z0-9]+)>$", "$1")).orElse(null);
        String command = call.invocation().option("command").orElse(null);
        List<AuditLog.Record> records = audit.recent(limit, user, command);
        if (records.isEmpty()) {
            return Reply.error(":information_source: No attempts match.");
        }
        StringBuilder table = new StringBuilder();
        for (AuditLog.Record r : records) {
            String arguments = r.arguments().equals("-") ? "" : r.arguments();
            table.append(String.format("%-19s  %-12s  %-40s  %-9s %-28s %s%n",
                    r.at().length() >= 19 ? r.at().substring(0, 19).replace('T', ' ') : r.at(),
                    Text.shorten(r.userId(), 12),
                    Text.shorten((r.command() + " " + arguments).strip(), 40),
                    r.decision(), Text.shorten(r.outcome(), 28),
                    r.durationMs() < 0 ? "" : r.durationMs() + " ms"));
        }
        return Reply.ephemeral(records.size() + " audit records")
                .text("*Latest " + records.size() + " attempt" + (records.size() == 1 ? "" : "s") + "*, newest first (UTC):")
                .code(table.toString().stripTrailing())
                .build();
    }
}
