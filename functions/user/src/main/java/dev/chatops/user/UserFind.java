package dev.chatops.user;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Authorizer;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabUser;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code user find <username|email>}: the GitLab account on the chatops instance (or the one the
 * flag names), its Slack link and chatops role, and the checklist of "Requesting access", in its
 * order: an account on ops, the same username on production, linked, 2FA, chatops member.
 *
 * <p>Anyone may look up a username, since newcomers check themselves before they are linked; what an
 * admin token reveals (id, state, 2FA, dates, email) shows only to the account's owner and to
 * maintainers, and looking up by email is for maintainers alone, so the command is no oracle for
 * who owns an address or which accounts lack 2FA.
 */
public final class UserFind implements Command {
    private final GitLab gitlab;
    private final AccessStore access;
    private final Authorizer authorizer;

    public UserFind(GitLab gitlab, AccessStore access, Authorizer authorizer) {
        this.gitlab = gitlab;
        this.access = access;
        this.authorizer = authorizer;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.USER;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of("find", this::find);
    }

    private Reply find(CommandCall call) {
        String wanted = call.args().get(0).replaceFirst("^@", "");
        String instance = call.invocation().instance().orElse(gitlab.config().chatopsInstance());
        GitLabClient client = gitlab.client(instance);
        boolean maintainer = authorizer.decide(call.request(), Role.MAINTAINER).allowed();
        if (wanted.contains("@") && !maintainer) {
            return Reply.refusal(
                    ":no_entry: Looking up an account by email is for maintainers; look it up by username.");
        }
        Optional<GitLabUser> found = wanted.contains("@")
                ? client.searchUsers(wanted).stream().filter(u -> u.email().equalsIgnoreCase(wanted)).findFirst()
                : client.userByUsername(wanted);
        if (found.isEmpty()) {
            String text = ":mag: No account `" + Text.inCode(wanted, 80) + "` on " + instance + ".";
            Reply.Builder reply = Reply.ephemeral(text).text(text);
            if (instance.equals(gitlab.config().chatopsInstance())) {
                reply.text("*To do*\n:white_large_square: Sign in to " + client.baseUrl()
                        + " with the same username as on production.");
            }
            return reply.build();
        }
        GitLabUser user = found.get();
        boolean onChatops = instance.equals(gitlab.config().chatopsInstance());
        Optional<String[]> slack = onChatops ? access.slackUserOf(instance, user.id()) : Optional.empty();
        int level = onChatops ? client.projectAccessLevel(gitlab.config().chatopsProject(), user.id()).orElse(0) : 0;
        boolean privileged = maintainer || ownAccount(call.request(), instance, user);

        List<String> fields = new ArrayList<>();
        fields.add(
                "*Account*\n`" + Text.inCode(user.username(), 80) + "`" + (privileged ? " (id " + user.id() + ")" : "")
                        + (user.name().isEmpty() ? "" : ", " + Text.shown(user.name(), 200)));
        if (privileged) {
            fields.add("*State*\n" + Text.shown(user.state(), 40) + (user.admin() ? ", administrator" : "")
                    + (user.bot() ? ", bot" : ""));
            if (!user.email().isEmpty()) {
                fields.add("*Email*\n" + Text.shown(user.email(), 200));
            }
            fields.add("*Two-factor authentication*\n" + (user.twoFactorEnabled() == null ? "unknown"
                    : user.twoFactorEnabled() ? "on" : "off"));
            fields.add("*Created / confirmed*\n" + day(user.createdAt()) + " / " + day(user.confirmedAt()));
            fields.add(
                    "*Last active / last sign-in*\n" + day(user.lastActivityOn()) + " / " + day(user.lastSignInAt()));
        }
        if (onChatops) {
            fields.add("*Slack*\n" + slack.map(s -> privileged ? "<@" + s[1] + ">" : "linked").orElse("not linked"));
            fields.add("*Role on `" + gitlab.config().chatopsProject() + "`*\n"
                    + (level <= 0 ? "not a member" : Role.ofAccessLevel(level).label()));
        }
        Reply.Builder reply = Reply.ephemeral(Text.shown(user.username(), 80) + " on " + instance)
                .text("*" + Text.shown(user.username(), 80) + "* on " + instance + " — " + client.baseUrl() + "/"
                        + Text.shown(user.username(), 80))
                .fields(fields);
        if (onChatops) {
            reply.text(checklist(user, slack.isPresent(), level, privileged));
        }
        if (!privileged) {
            reply.context(
                    "More (id, state, 2FA, dates) shows to the account's owner, once linked, and to maintainers.");
        }
        return reply.build();
    }

    private String checklist(GitLabUser user, boolean linked, int level, boolean privileged) {
        String production = gitlab.config().defaultInstance();
        List<String> items = new ArrayList<>();
        items.add(item(true, "An account on " + gitlab.config().chatopsInstance()));
        if (!production.equals(gitlab.config().chatopsInstance())) {
            boolean twin = gitlab.client(production).userByUsername(user.username())
                    .filter(u -> u.username().toLowerCase(Locale.ROOT).equals(user.username().toLowerCase(Locale.ROOT)))
                    .isPresent();
            items.add(item(
                    twin,
                    "The same username on " + production
                            + (twin
                                    ? ""
                                    : ": no `" + Text.inCode(user.username(), 80)
                                            + "` there; change the username on one of them")));
        }
        items.add(item(
                linked,
                "Slack account linked" + (linked ? "" : ": run any command that needs a role and use its button")));
        if (privileged) {
            items.add(item(Boolean.TRUE.equals(user.twoFactorEnabled()), "Two-factor authentication"
                    + (Boolean.TRUE.equals(user.twoFactorEnabled()) ? "" : ": turn it on in your GitLab profile")));
        } else {
            items.add(":grey_question: Two-factor authentication: checked when you link (it must be on)");
        }
        items.add(item(
                level >= Role.DEVELOPER.accessLevel(),
                "Developer or more on `" + gitlab.config().chatopsProject() + "`"
                        + (level >= Role.DEVELOPER.accessLevel()
                                ? ""
                                : ": ask a maintainer to run `/chatops run member add "
                                        + Text.inCode(user.username(), 80) + " "
                                        + gitlab.config().chatopsProject() + " --"
                                        + gitlab.config().chatopsInstance() + "`")));
        return "*Checklist*\n" + String.join("\n", items);
    }

    private boolean ownAccount(CommandRequest request, String instance, GitLabUser user) {
        Optional<Link> link = access.findLink(request.workspace(), request.userId());
        return link.isPresent() && link.get().instance().equals(instance) && link.get().gitlabUserId() == user.id();
    }

    private static String item(boolean done, String text) {
        return (done ? ":white_check_mark: " : ":white_large_square: ") + text;
    }

    private static String day(String timestamp) {
        return timestamp == null || timestamp.isEmpty()
                ? "—"
                : timestamp.length() >= 10 ? timestamp.substring(0, 10) : timestamp;
    }
}
