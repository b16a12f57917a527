package dev.chatops.member;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabUser;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.Reply;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code member add} and {@code member remove}: a membership changed through GitLab's Members API by
 * whoever acts ({@link MemberCommand}), and what each would change, for a change that waits for a
 * second person's approval (every check made, nothing written).
 */
final class Memberships {
    static final Map<String, Integer> LEVELS =
            Map.of("guest", 10, "reporter", 20, "developer", 30, "maintainer", 40);

    private final GitLab gitlab;
    private final AccessStore access;

    Memberships(GitLab gitlab, AccessStore access) {
        this.gitlab = gitlab;
        this.access = access;
    }

    /** What {@code member add} would do: the user and the project or group found, the level known. */
    Command.Preview previewAdd(GitLabClient client, String instance, String username, String path, String levelName) {
        Integer level = LEVELS.get(levelName.toLowerCase(Locale.ROOT));
        if (level == null) {
            return new Command.Preview.Refused(badLevel(levelName));
        }
        Change change = change(client, instance, username, path);
        if (change.problem() != null) {
            return new Command.Preview.Refused(change.problem());
        }
        return new Command.Preview.Change("• add `" + Text.inCode(change.user().username(), 60) + "` to `"
                + Text.inCode(path, 100) + "` on " + instance + " as " + Role.ofAccessLevel(level).label());
    }

    /** What {@code member remove} would do: the user and the project or group found. */
    Command.Preview previewRemove(GitLabClient client, String instance, String username, String path) {
        Change change = change(client, instance, username, path);
        if (change.problem() != null) {
            return new Command.Preview.Refused(change.problem());
        }
        return new Command.Preview.Change("• remove `" + Text.inCode(change.user().username(), 60) + "` from `"
                + Text.inCode(path, 100) + "` on " + instance);
    }

    Reply add(
            CommandRequest request,
            GitLabClient client,
            String instance,
            String username,
            String path,
            String levelName) {
        Integer level = LEVELS.get(levelName.toLowerCase(Locale.ROOT));
        if (level == null) {
            return badLevel(levelName);
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

    Reply remove(CommandRequest request, GitLabClient client, String instance, String username, String path) {
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

    /** Who and where a membership change is about, or why it cannot be made. */
    record Change(GitLabUser user, String source, Reply problem) {
    }

    static Change change(GitLabClient client, String instance, String username, String path) {
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

    static Optional<String> source(GitLabClient client, String path) {
        try {
            return Optional.of(client.sourceOf(path));
        } catch (GitLabException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static Reply notFound(String path, String instance) {
        return Reply.refusal(":warning: There is no project or group `" + Text.inCode(path, 100) + "` on " + instance
                + " (or the token cannot see it).");
    }

    private static Reply badLevel(String levelName) {
        return Reply.refusal(":warning: `--level` is one of guest, reporter, developer, maintainer; not `"
                + Text.inCode(levelName, 40) + "`.");
    }
}
