package dev.chatops.user;

import dev.chatops.shared.Text;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.runtime.AuditLog;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.util.List;
import java.util.Map;

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
    public Map<String, Handler> handlers() {
        return Map.of("", this::run);
    }

    private Reply run(CommandCall call) {
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
            return Reply.line(":information_source: No attempts match.");
        }
        StringBuilder table = new StringBuilder();
        for (AuditLog.Record r : records) {
            String arguments = r.arguments().equals("-") ? "" : r.arguments();
            // Every cell is another person's text or derived from it: escaped, one line, padded by
            // what was typed (Slack reads <!channel> and <url|label> inside a code block too).
            table.append(Text.column(r.at().length() >= 19 ? r.at().substring(0, 19).replace('T', ' ') : r.at(), 19))
                    .append("  ").append(Text.column(r.userId(), 12))
                    .append("  ").append(Text.column((r.command() + " " + arguments).strip(), 40))
                    .append("  ").append(Text.column(r.decision(), 9))
                    .append(' ').append(Text.column(r.outcome(), 28))
                    .append(' ').append(r.durationMs() < 0 ? "" : r.durationMs() + " ms").append('\n');
        }
        return Reply.ephemeral(records.size() + " audit records")
                .text("*Latest " + records.size() + " attempt" + (records.size() == 1 ? "" : "s")
                        + "*, newest first (UTC):")
                .code(table.toString().stripTrailing())
                .build();
    }
}
