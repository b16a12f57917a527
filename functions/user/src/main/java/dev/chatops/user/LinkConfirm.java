package dev.chatops.user;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Text;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.AccessCheck;
import dev.chatops.shared.access.AccessCheckException;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.GitLabAccessCheck;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabConfig;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.StoreException;
import dev.chatops.shared.runtime.WrongGuesses;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

/**
 * {@code link CODE}: the last step of linking. The code stands for a GitLab account that signed in
 * through GitLab's OAuth and passed the checks; the Slack user who types it is the one Slack signed
 * the request for. Both identities are thus proven, and the link is stored one-to-one, spending the
 * code in the same transaction: a link that is refused or fails leaves the code usable. Codes that
 * link nothing are counted per person ({@link WrongGuesses}, each attempt counted before its code is
 * checked): after 5 in 15 minutes, {@code link} is paused for that person until the 15 minutes are
 * over, and a paused attempt checks no code.
 */
public final class LinkConfirm implements Command {
    private static final String KIND = "link";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final AccessStore access;
    private final WrongGuesses guesses;
    private final AccessCheck check;
    private final GitLabConfig gitlab;
    private final Clock clock;
    private final boolean configured;

    /**
     * @param configured whether linking is configured: the GitLab OAuth application is registered and
     *                   deployed ({@code GITLAB_OAUTH_CLIENT_ID} set); until then {@code link} says so and
     *                   touches nothing
     * @param gitlab with the read-only tokens: the role on the chatops project is read here, since
     *               the linking page holds no admin token
     */
    public LinkConfirm(AccessStore access, WrongGuesses guesses, GitLab gitlab, Clock clock, boolean configured) {
        this.access = access;
        this.guesses = guesses;
        this.check = new GitLabAccessCheck(() -> gitlab, clock);
        this.gitlab = gitlab.config();
        this.clock = clock;
        this.configured = configured;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.LINK;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of("", this::run);
    }

    private Reply run(CommandCall call) {
        CommandRequest request = call.request();
        if (!configured) {
            return Reply.refusal(notConfigured(request, gitlab));
        }
        String workspace = request.workspace();
        // One instant for the link and its first snapshot: the snapshot is kept on the link made at this instant.
        Instant now = clock.instant();
        AccessStore.Confirmation confirmation;
        WrongGuesses.Count attempt;
        try {
            Optional<Link> existing = access.findLink(workspace, request.userId());
            if (existing.isPresent()) {
                return alreadyLinked(existing.get().gitlabUsername());
            }
            // Counted before the code is checked, atomically: of any number of attempts at once, at most
            // LIMIT are checked (a right code is usually the first attempt, and a linked person is not counted).
            attempt = guesses.count(KIND, workspace, request.userId(), now);
            if (attempt.wrong() > WrongGuesses.LIMIT) {
                return Reply.refusal(":no_entry: Linking is paused for you until " + TIME.format(attempt.windowEnds())
                        + ", after "
                        + WrongGuesses.LIMIT + " wrong codes in " + WrongGuesses.WINDOW.toMinutes() + " minutes."
                        + " Nothing was"
                        + " changed. When"
                        + " it ends, run"
                        + " `/chatops run"
                        + " whoami` and"
                        + " use its"
                        + " *Connect your"
                        + " GitLab"
                        + " account*"
                        + " button for a"
                        + " fresh code.");
            }
            confirmation = access.confirm(call.args().get(0), workspace, request.userId(), now);
        } catch (StoreException e) {
            // The code is in the request, never in the log: the exception carries DynamoDB's error alone.
            Log.error("link.store_failed", e);
            return Reply.failure(":x: Linking failed: ChatOps could not store the link, so nothing was changed. "
                    + "Your code still works until it expires, 10 minutes after the linking page showed it: "
                    + "run the same `link` command again in a minute. Request id: `" + request.requestId() + "`.");
        }
        if (confirmation instanceof AccessStore.Confirmation.CodeUnusable) {
            String unusable = ":warning: That code is unknown, used or expired (codes last 10 minutes). "
                    + "Run `/chatops run whoami` for a new Connect button.";
            if (attempt.wrong() == WrongGuesses.LIMIT) {
                unusable += " That was " + WrongGuesses.LIMIT + " wrong codes in " + WrongGuesses.WINDOW.toMinutes()
                        + " minutes: linking is paused for you until " + TIME.format(attempt.windowEnds()) + ".";
            }
            return Reply.refusal(unusable);
        }
        if (confirmation instanceof AccessStore.Confirmation.SlackUserLinked linked) {
            return alreadyLinked(linked.gitlabUsername());
        }
        if (confirmation instanceof AccessStore.Confirmation.AccountTaken taken) {
            return Reply.refusal(":no_entry: The GitLab account `" + Text.inCode(taken.account().gitlabUsername(), 80)
                    + "` is already linked to another Slack account. Nothing was changed.");
        }
        AccessStore.Pending p = ((AccessStore.Confirmation.Linked) confirmation).account();
        // The linking page holds no admin token, so the account was held as never checked: its role and
        // 2FA are read here, with the read-only token, and kept as the authoriser keeps them.
        Link link = Link.of(workspace, request.userId(), p.instance(), p.gitlabUserId(), p.gitlabUsername(), now);
        int level;
        try {
            AccessCheck.Snapshot read = check.check(link);
            level = read.accessLevel();
            access.saveSnapshot(link, read.accessLevel(), read.twoFactor(), read.checkedAt());
        } catch (AccessCheckException | StoreException e) {
            Log.warn("link.role_unread", "error", e.getClass().getSimpleName());
            return Reply.line(":white_check_mark: Your Slack account is now linked to the GitLab account `"
                    + Text.inCode(p.gitlabUsername(), 80)
                    + "` on " + p.instance() + ". Your role on `" + gitlab.chatopsProject()
                    + "` is read from GitLab when you next run a command.");
        }
        String role = level <= 0
                ? "You are not a member of `" + gitlab.chatopsProject()
                        + "` yet: ask a maintainer to run `/chatops run member add "
                        + Text.inCode(p.gitlabUsername(), 80) + " " + gitlab.chatopsProject() + " --"
                        + gitlab.chatopsInstance() + "`."
                : "Your role on `" + gitlab.chatopsProject() + "` is "
                        + Role.ofAccessLevel(level).label() + ".";
        return Reply.line(":white_check_mark: Your Slack account is now linked to the GitLab account `"
                + Text.inCode(p.gitlabUsername(), 80) + "` on " + p.instance() + ". " + role);
    }

    /** What a person is told while the GitLab OAuth application is not registered: no link can be made yet. */
    static String notConfigured(CommandRequest request, GitLabConfig gitlab) {
        String redirect = request.publicBaseUrl().isEmpty() ? "the stack's `GitLabOAuthRedirectUri` output"
                : "`" + request.publicBaseUrl() + "/link/callback` (the stack's `GitLabOAuthRedirectUri` output)";
        return ":construction: Linking is not configured yet, so nothing was changed: an administrator of ChatOps must "
                + "register a GitLab OAuth application on " + gitlab.chatopsInstance() + " with the redirect URI "
                + redirect
                + " and the scope `read_user`, then deploy again with its id and secret "
                + "(`GitLabOAuthClientId`, `GitLabOAuthClientSecret`).";
    }

    private static Reply alreadyLinked(String gitlabUsername) {
        return Reply.refusal(":information_source: Your Slack account is already linked to `"
                + Text.inCode(gitlabUsername, 80) + "`. Run `/chatops run unlink` first to link another account.");
    }
}
