package dev.chatops.member;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabConfig;
import dev.chatops.shared.gitlab.GitLabErrors;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabUser;
import dev.chatops.shared.gitlab.ProjectLocation;
import dev.chatops.shared.gitlab.Member;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code member add|remove|list}: membership of GitLab projects and groups through GitLab's
 * Members API, on the instance the flag names ({@code --ops}, {@code --production} by default).
 * Changes are announced in the channel, with who made them.
 */
public final class MemberCommand implements Command {
    private static final Map<String, Integer> LEVELS =
            Map.of("guest", 10, "reporter", 20, "developer", 30, "maintainer", 40);

    private final GitLab reader;
    private final GitLab gitlab;
    private final AccessStore access;

    /**
     * @param reader the instances with their read-only tokens, for {@code list} where it is not made as the caller
     * @param gitlab the instances with their write tokens (with {@code sudo} on the chatops instance)
     */
    public MemberCommand(GitLab reader, GitLab gitlab, AccessStore access) {
        this.reader = reader;
        this.gitlab = gitlab;
        this.access = access;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.MEMBER;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of(
                "add", call -> acting(call, false, (client, instance) -> add(call.request(), client, instance,
                        call.args().get(0), call.args().get(1), call.invocation().option("level").orElse("developer"))),
                "remove", call -> acting(call, false, (client, instance) -> remove(call.request(), client, instance,
                        call.args().get(0), call.args().get(1))),
                "list", call -> acting(call, true, (client, instance) -> list(client, instance, call.args().get(0))));
    }

    /** A form's work, given who acts and on which instance. */
    @FunctionalInterface
    private interface Action {
        Reply on(GitLabClient client, String instance);
    }

    /**
     * What every form shares: the path must be one {@code member} manages, and someone must act
     * ({@link #clientFor}); then {@code action} runs, and a refusal from GitLab is shown as GitLab's reason.
     */
    private Reply acting(CommandCall call, boolean listing, Action action) {
        String instance = call.invocation().instance().orElse(gitlab.config().defaultInstance());
        List<String> args = call.args();
        String path = args.get(args.size() - 1);
        if (!gitlab.config().memberPathAllowed(instance, path)) {
            return Reply.refusal(":no_entry: `member` manages only "
                    + String.join(
                            ", ",
                            gitlab.config().memberPaths().stream()
                                    .sorted()
                                    .map(p -> ProjectLocation.parse(
                                            p, gitlab.config().instances(), GitLabConfig.MEMBER_PATHS))
                                    .map(p -> "`" + p.path() + "` on " + p.instance())
                                    .toList())
                    + "; not `" + Text.inCode(path, 100) + "` on " + instance + ".");
        }
        Optional<GitLabClient> acting = clientFor(call, instance, listing);
        if (acting.isEmpty()) {
            return Reply.refusal(
                    ":no_entry: ChatOps could not tell which GitLab account on " + instance + " is yours, and there it"
                            + " acts only as you,"
                            + " never with its own"
                            + " administrator token."
                            + " Nothing was changed:"
                            + " link your Slack"
                            + " account (any command"
                            + " that needs a role"
                            + " offers the button) and"
                            + " try again.");
        }
        try {
            return action.on(acting.get(), instance);
        } catch (GitLabException e) {
            if (e.status() == 0) {
                throw e;
            }
            boolean asCaller = instance.equals(gitlab.config().chatopsInstance());
            return Reply.failure(":x: " + GitLabErrors.sentence(instance, e, false, "", asCaller));
        }
    }

    private Reply add(
            CommandRequest request,
            GitLabClient client,
            String instance,
            String username,
            String path,
            String levelName) {
        Integer level = LEVELS.get(levelName.toLowerCase(Locale.ROOT));
        if (level == null) {
            return Reply.refusal(":warning: `--level` is one of guest, reporter, developer, maintainer; not `"
                    + Text.inCode(levelName, 40) + "`.");
        }
        Change change = change(client, instance, username, path);
        if (change.problem() != null) {
            return change.problem();
        }
        GitLabUser user = change.user();
        try {
            client.addMember(change.source(), path, user.id(), level);
        } catch (GitLabException e) {
            if (e.status() == 409) {
                return Reply.refusal(
                        ":information_source: `" + Text.inCode(user.username(), 60) + "` is already a member of `"
                                + Text.inCode(path, 100) + "` on " + instance + "; nothing was changed.");
            }
            return unknownOutcome(request, instance, path, e);
        }
        forgetCachedLevel(instance, path, user);
        String text = ":white_check_mark: <@" + request.userId() + "> added `" + Text.inCode(user.username(), 60)
                + "` to `" + Text.inCode(path, 100) + "` on " + instance + " as "
                + Role.ofAccessLevel(level).label() + ".";
        return Reply.inChannel(text).text(text).build();
    }

    private Reply remove(CommandRequest request, GitLabClient client, String instance, String username, String path) {
        Change change = change(client, instance, username, path);
        if (change.problem() != null) {
            return change.problem();
        }
        GitLabUser user = change.user();
        try {
            client.removeMember(change.source(), path, user.id());
        } catch (GitLabException e) {
            if (e.notFound()) {
                return Reply.refusal(
                        ":information_source: `" + Text.inCode(user.username(), 60) + "` is not a direct member of `"
                                + Text.inCode(path, 100) + "` on " + instance + "; nothing was changed.");
            }
            return unknownOutcome(request, instance, path, e);
        }
        forgetCachedLevel(instance, path, user);
        String text = ":white_check_mark: <@" + request.userId() + "> removed `" + Text.inCode(user.username(), 60)
                + "` from `" + Text.inCode(path, 100) + "` on " + instance + ".";
        return Reply.inChannel(text).text(text).build();
    }

    private Reply list(GitLabClient client, String instance, String path) {
        Optional<String> source = source(client, path);
        if (source.isEmpty()) {
            return notFound(path, instance);
        }
        List<Member> members = client.members(source.get(), path).stream()
                .sorted(Comparator.comparingInt(Member::accessLevel).reversed().thenComparing(Member::username))
                .toList();
        StringBuilder table = new StringBuilder();
        for (Member member : members) {
            table.append(String.format("%-12s %s%s%n", Role.ofAccessLevel(member.accessLevel()).label(),
                    Text.inCode(member.username(), 60),
                    member.expiresAt().isEmpty() ? "" : " (until " + Text.inCode(member.expiresAt(), 30) + ")"));
        }
        String title = "*" + members.size() + " member" + (members.size() == 1 ? "" : "s") + " of `"
                + Text.inCode(path, 100) + "` on " + instance + "*";
        Reply.Builder reply = Reply.ephemeral(members.size() + " members of " + Text.shown(path, 100)).text(title);
        if (!members.isEmpty()) {
            reply.code(table.toString().stripTrailing());
        }
        return reply.build();
    }

    /**
     * A membership write GitLab did not answer clearly (no answer in time, the connection lost, a 5xx):
     * it may have been made. Anything else GitLab said is thrown on, to be put in words by {@link GitLabErrors}.
     */
    private static Reply unknownOutcome(CommandRequest request, String instance, String path, GitLabException e) {
        if (e.status() != 0 && e.status() < 500) {
            throw e;
        }
        Log.warn("member.outcome_unknown", "instance", instance, "error", e.getMessage());
        String what = e.status() != 0 ? " failed (" + e.status() + ")" : e.timedOut() ? " did not answer in time"
                : " could not be reached";
        return Reply.failure(":warning: GitLab on " + instance + what
                + ": the change may or may not have been made. Check "
                + "with `" + request.slashCommand() + " run member list " + Text.inCode(path, 100) + " --" + instance
                + "` before you try again.");
    }

    /**
     * On the chatops instance, the GitLab account the authoriser proved for this call, through GitLab's
     * Sudo: GitLab then refuses what the person could not do themselves, such as removing an owner.
     * Empty when the call carries no such account: the admin token never stands in for the person.
     * Elsewhere the admin token, held to the configured paths.
     */
    /**
     * Who acts: on the chatops instance, the caller through {@code Sudo} (the write token's
     * {@code sudo} scope, a list included, so that it shows what the caller may see); elsewhere the
     * read-only token for a list and the write token for a change.
     */
    private Optional<GitLabClient> clientFor(CommandCall call, String instance, boolean listing) {
        GitLabClient client = gitlab.client(instance);
        if (!instance.equals(gitlab.config().chatopsInstance())) {
            return Optional.of(listing ? reader.client(instance) : client);
        }
        return call.caller()
                .filter(caller -> caller.instance().equals(instance))
                .map(caller -> client.as(caller.gitlabUserId()));
    }

    /** Who and where a membership change is about, or why it cannot be made. */
    private record Change(GitLabUser user, String source, Reply problem) {
    }

    private static Change change(GitLabClient client, String instance, String username, String path) {
        Optional<GitLabUser> user = client.userByUsername(username);
        if (user.isEmpty()) {
            return new Change(
                    null,
                    null,
                    Reply.refusal(
                            ":warning: There is no user `" + Text.inCode(username, 60) + "` on " + instance + "."));
        }
        Optional<String> source = source(client, path);
        return source.map(s -> new Change(user.get(), s, null))
                .orElseGet(() -> new Change(null, null, notFound(path, instance)));
    }

    /** A change to the chatops project changes ChatOps rights: they apply from the next command on. */
    private void forgetCachedLevel(String instance, String path, GitLabUser user) {
        if (instance.equals(gitlab.config().chatopsInstance()) && path.equals(gitlab.config().chatopsProject())) {
            access.forgetSnapshot(instance, user.id());
        }
    }

    private static Optional<String> source(GitLabClient client, String path) {
        try {
            return Optional.of(client.sourceOf(path));
        } catch (GitLabException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Reply notFound(String path, String instance) {
        return Reply.refusal(":warning: There is no project or group `" + Text.inCode(path, 100) + "` on " + instance
                + " (or the token cannot see it).");
    }
}
