package dev.chatops.user;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.util.Map;
import java.util.Optional;

/** {@code unlink}: removes the caller's own link (and its reverse entry), so they can link another account. */
public final class Unlink implements Command {
    private final AccessStore access;

    public Unlink(AccessStore access) {
        this.access = access;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.UNLINK;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of("", this::run);
    }

    private Reply run(CommandCall call) {
        CommandRequest request = call.request();
        Optional<Link> removed = access.unlink(request.workspace(), request.userId());
        return removed.map(link -> Reply.line(":white_check_mark: Your Slack account is no longer linked to `"
                        + Text.inCode(link.gitlabUsername(), 80) + "` on " + link.instance() + "."))
                .orElseGet(() ->
                        Reply.line(":information_source: Your Slack account was not linked; nothing was changed."));
    }
}
