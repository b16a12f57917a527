package dev.chatops.user;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code whoami}: the caller's Slack ids and, from DynamoDB, the GitLab account they are linked to and its role. */
public final class Whoami implements Command {
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final AccessStore access;
    private final LinkState links;
    private final Clock clock;

    public Whoami(AccessStore access, LinkState links, Clock clock) {
        this.access = access;
        this.links = links;
        this.clock = clock;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.WHOAMI;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of("", this::run);
    }

    private Reply run(CommandCall call) {
        CommandRequest request = call.request();
        String workspace = request.workspace();
        Optional<Link> link = access.findLink(workspace, request.userId());
        List<String> fields = new ArrayList<>();
        fields.add("*Slack user*\n<@" + request.userId() + "> (`" + request.userId() + "`)");
        fields.add("*Workspace*\n`" + request.teamId() + "`"
                + (request.enterpriseId().isEmpty() ? "" : " in organisation `" + request.enterpriseId() + "`"));
        if (link.isEmpty()) {
            fields.add("*GitLab account*\nNot linked");
            fields.add("*ChatOps role*\nNone");
        } else {
            Link l = link.get();
            fields.add("*GitLab account*\n`" + Text.inCode(l.gitlabUsername(), 80) + "` (id " + l.gitlabUserId()
                    + ") on `" + l.instance() + "`, linked " + DAY.format(l.linkedAt()));
            fields.add("*ChatOps role*\n" + role(l));
            fields.add("*Two-factor authentication*\n"
                    + l.twoFactor().map(on -> on ? "On" : "*Off*").orElse("Not checked yet"));
        }
        String summary = link.map(l -> "You are " + Text.shown(l.gitlabUsername(), 80) + " on " + l.instance())
                .orElse("Your Slack account is not linked to a GitLab account");
        Reply.Builder reply = Reply.ephemeral(summary).text("*Who you are to ChatOps*").fields(fields);
        if (link.isEmpty()) {
            links.startUrl(request).ifPresent(url -> reply.linkButton("Connect your GitLab account", url)
                    .context("Linking lets you run the commands your role on the chatops project allows. "
                            + "The link works once and expires in 10 minutes."));
        }
        return reply.build();
    }

    private String role(Link link) {
        if (link.accessLevel().isEmpty()) {
            return "Not checked yet";
        }
        int level = link.accessLevel().get();
        String role = level <= 0
                ? "Not a member of the chatops project"
                : Role.ofAccessLevel(level).label() + " (" + level + ")";
        return role + link.checkedAt().map(at -> ", checked " + ago(at)).orElse("");
    }

    private String ago(Instant at) {
        Duration age = Duration.between(at, clock.instant());
        if (age.toMinutes() < 1) {
            return "just now";
        }
        if (age.toHours() < 1) {
            return age.toMinutes() + " min ago";
        }
        return DAY.format(at);
    }
}
