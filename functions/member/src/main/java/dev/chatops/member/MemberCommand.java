package dev.chatops.member;

import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabConfig;
import dev.chatops.shared.gitlab.GitLabErrors;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.ProjectLocation;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code member add|remove|list}: membership of GitLab projects and groups through GitLab's
 * Members API, on the instance the flag names ({@code --ops}, {@code --production} by default).
 * Changes are announced in the channel, with who made them.
 */
public final class MemberCommand implements Command {
    private final GitLab reader;
    private final GitLab gitlab;
    private final Memberships memberships;

    /**
     * @param reader the instances with their read-only tokens, for {@code list} where it is not made as the caller
     * @param gitlab the instances with their write tokens (with {@code sudo} on the chatops instance)
     */
    public MemberCommand(GitLab reader, GitLab gitlab, AccessStore access) {
        this.reader = reader;
        this.gitlab = gitlab;
        this.memberships = new Memberships(gitlab, access);
    }

    @Override
    public CommandSpec spec() {
        return Catalog.MEMBER;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of(
                "add", Command.approvable(
                        call -> acting(call, false, reply -> reply, (client, instance) -> memberships.add(
                                call.request(), client, instance, call.args().get(0), call.args().get(1),
                                level(call))),
                        call -> acting(call, false, Command.Preview.Refused::new, (client, instance) ->
                                memberships.previewAdd(client, instance, call.args().get(0), call.args().get(1),
                                        level(call))),
                        this::changesApprovers),
                "remove", Command.approvable(
                        call -> acting(call, false, reply -> reply, (client, instance) -> memberships.remove(
                                call.request(), client, instance, call.args().get(0), call.args().get(1))),
                        call -> acting(call, false, Command.Preview.Refused::new, (client, instance) ->
                                memberships.previewRemove(client, instance, call.args().get(0), call.args().get(1))),
                        this::changesApprovers),
                "list", call -> acting(call, true, reply -> reply,
                        (client, instance) -> MemberList.list(client, instance, call.args().get(0))));
    }

    /**
     * Whether a membership change changes who may approve: the chatops project, or a group above it,
     * on the chatops instance. It then waits for a second person under any policy but none, so that
     * nobody adds their own second approver alone.
     */
    private boolean changesApprovers(Invocation invocation) {
        String instance = invocation.instance().orElse(gitlab.config().defaultInstance());
        String path = invocation.args().get(1);
        String project = gitlab.config().chatopsProject();
        return instance.equals(gitlab.config().chatopsInstance())
                && (project.equals(path) || project.startsWith(path + "/"));
    }

    private static String level(CommandCall call) {
        return call.invocation().option("level").orElse("developer");
    }

    /** A form's work (or its preview), given who acts and on which instance. */
    @FunctionalInterface
    private interface Action<T> {
        T on(GitLabClient client, String instance);
    }

    /**
     * What every form shares: the path must be one {@code member} manages, and someone must act
     * ({@link #clientFor}); then {@code action} runs, and a refusal from GitLab is shown as GitLab's reason.
     * A refusal becomes the result through {@code refused} (the reply itself, or a preview's refusal).
     */
    private <T> T acting(CommandCall call, boolean listing, Function<Reply, T> refused, Action<T> action) {
        String instance = call.invocation().instance().orElse(gitlab.config().defaultInstance());
        List<String> args = call.args();
        String path = args.get(args.size() - 1);
        if (!gitlab.config().memberPathAllowed(instance, path)) {
            return refused.apply(Reply.refusal(":no_entry: `member` manages only "
                    + String.join(
                            ", ",
                            gitlab.config().memberPaths().stream()
                                    .sorted()
                                    .map(p -> ProjectLocation.parse(
                                            p, gitlab.config().instances(), GitLabConfig.MEMBER_PATHS))
                                    .map(p -> "`" + p.path() + "` on " + p.instance())
                                    .toList())
                    + "; not `" + Text.inCode(path, 100) + "` on " + instance + "."));
        }
        Optional<GitLabClient> acting = clientFor(call, instance, listing);
        if (acting.isEmpty()) {
            return refused.apply(Reply.refusal(
                    ":no_entry: ChatOps could not tell which GitLab account on " + instance + " is yours, and there it"
                            + " acts only as you,"
                            + " never with its own"
                            + " administrator token."
                            + " Nothing was changed:"
                            + " link your Slack"
                            + " account (any command"
                            + " that needs a role"
                            + " offers the button) and"
                            + " try again."));
        }
        try {
            return action.on(acting.get(), instance);
        } catch (GitLabException e) {
            if (e.status() == 0) {
                throw e;
            }
            boolean asCaller = instance.equals(gitlab.config().chatopsInstance());
            return refused.apply(Reply.failure(":x: " + GitLabErrors.sentence(instance, e, false, "", asCaller)));
        }
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
}
