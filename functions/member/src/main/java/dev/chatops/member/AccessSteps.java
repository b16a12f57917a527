package dev.chatops.member;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabErrors;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabUser;
import dev.chatops.shared.gitlab.Member;
import dev.chatops.shared.runtime.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The steps of the seed's "Requesting access" a person must have done before they may ask for a
 * role, read now with the read-only tokens: (a) their Slack account linked to a GitLab account on
 * the chatops instance, (b) that account there and active, (c) the same username on production,
 * (d) two-factor authentication on it. Then whether there is anything to ask: not already that
 * role or more, and no direct membership to change (a request adds one; it changes none).
 */
final class AccessSteps {
    /** Where a person stands: able to ask, or the reply that says what remains. */
    sealed interface Standing {
    }

    /** When the steps are read: as the request is asked, or again as an approved one is granted. */
    enum When {
        ASKING("Nothing was asked."), GRANTING("Nothing was changed.");

        private final String nothing;

        When(String nothing) {
            this.nothing = nothing;
        }
    }

    /** Every step done: the account to grant to, and the role it has now (0: none). */
    record Ready(Link link, GitLabUser account, int level) implements Standing {
    }

    /** Something remains, as {@code reply} says; nothing is asked. */
    record NotYet(Reply reply) implements Standing {
    }

    private final GitLab reader;
    private final AccessStore access;
    private final Supplier<LinkState> links;
    private final String production;

    /**
     * @param reader     the instances with their read-only tokens
     * @param links      how a "Connect your GitLab account" link is made (read when first needed)
     * @param production the production instance, where the same username must exist
     */
    AccessSteps(GitLab reader, AccessStore access, Supplier<LinkState> links, String production) {
        this.reader = reader;
        this.access = access;
        this.links = links;
        this.production = production;
    }

    /**
     * Where the sender of {@code request} stands, asking for {@code wanted}; a GitLab that cannot
     * answer now is a reply too (nothing is asked on a guess).
     */
    Standing standing(CommandRequest request, Role wanted, When when) {
        String chatops = reader.config().chatopsInstance();
        try {
            return read(request, wanted, chatops, when);
        } catch (GitLabException e) {
            return failed(chatops, e);
        }
    }

    private static NotYet failed(String instance, GitLabException e) {
        Log.warn("access.gitlab_failed", "instance", instance, "status", e.status());
        return new NotYet(Reply.failure(":x: " + GitLabErrors.sentence(instance, e, false, "")));
    }

    private Standing read(CommandRequest request, Role wanted, String chatops, When when) {
        String project = reader.config().chatopsProject();
        GitLabClient ops = reader.client(chatops);
        Optional<Link> link = access.findLink(request.workspace(), request.userId())
                .filter(l -> l.instance().equals(chatops));
        if (link.isEmpty()) {
            return notLinked(request, chatops, ops.baseUrl(), when);
        }
        Optional<GitLabUser> account = ops.user(link.get().gitlabUserId());
        String username = account.map(GitLabUser::username).orElse(link.get().gitlabUsername());
        String name = "`" + Text.inCode(username, 80) + "`";
        boolean active = account.filter(u -> "active".equals(u.state())).isPresent();
        boolean twin;
        try {
            twin = production.equals(chatops) || twin(username);
        } catch (GitLabException e) {
            return failed(production, e);
        }
        boolean twoFactor = account.filter(u -> Boolean.TRUE.equals(u.twoFactorEnabled())).isPresent();
        if (!active || !twin || !twoFactor) {
            List<String> steps = new ArrayList<>();
            steps.add(done("Your Slack account is linked to " + name + " on " + chatops));
            steps.add(active ? done("The account " + name + " is active on " + chatops)
                    : missing("The account " + name + " is active on " + chatops + ": it is "
                    + account.map(u -> Text.shown(u.state(), 40)).orElse("gone") + " there; ask its administrators"));
            if (!production.equals(chatops)) {
                steps.add(twin ? done("The same username, " + name + ", on " + production)
                        : missing("The same username on " + production + ": there is no " + name + " there; change "
                        + "your username on " + chatops + " to your " + production + " one at " + ops.baseUrl()
                        + "/-/profile/account, then unlink and link again"));
            }
            steps.add(twoFactor ? done("Two-factor authentication on " + chatops)
                    : missing("Two-factor authentication on " + chatops + ": turn it on at " + ops.baseUrl()
                    + "/-/profile/two_factor_auth"));
            return new NotYet(remaining(request, steps, when).build());
        }
        int level = ops.projectAccessLevel(project, link.get().gitlabUserId()).orElse(0);
        if (level >= wanted.accessLevel()) {
            return new NotYet(Reply.refusal(":information_source: " + name + " is already "
                    + Role.ofAccessLevel(level).label() + " on `" + Text.inCode(project, 100) + "`: there is nothing "
                    + "to ask for. " + when.nothing));
        }
        Optional<Member> direct = ops.directMember("projects", project, link.get().gitlabUserId());
        if (direct.isPresent()) {
            return new NotYet(Reply.refusal(":information_source: " + name + " is already a member of `"
                    + Text.inCode(project, 100) + "`, as " + Role.ofAccessLevel(direct.get().accessLevel()).label()
                    + (direct.get().expiresAt().isEmpty() ? "" : " until " + Text.inCode(direct.get().expiresAt(), 30))
                    + ". An access request adds a membership; it does not change one: ask a maintainer of `"
                    + Text.inCode(project, 100) + "` to change it. " + when.nothing));
        }
        return new Ready(link.get(), account.get(), level);
    }

    /** Whether {@code username} exists on production, as spelled there (GitLab compares usernames without case). */
    private boolean twin(String username) {
        return reader.client(production).userByUsername(username)
                .filter(u -> u.username().toLowerCase(Locale.ROOT).equals(username.toLowerCase(Locale.ROOT)))
                .isPresent();
    }

    /** Not linked: every other step waits on it, and the reply carries the button that starts linking. */
    private Standing notLinked(CommandRequest request, String chatops, String url, When when) {
        List<String> steps = new ArrayList<>();
        steps.add(missing("Your Slack account is linked to your GitLab account on " + chatops + ": sign in to " + url
                + (production.equals(chatops) ? "" : " with your " + production + " username") + ", then link it "
                + "with the button below"));
        steps.add(unknown("An active account on " + chatops));
        if (!production.equals(chatops)) {
            steps.add(unknown("The same username on " + chatops + " as on " + production));
        }
        steps.add(unknown("Two-factor authentication on " + chatops));
        Reply.Builder reply = remaining(request, steps, when);
        links.get().startUrl(request).ifPresent(start -> reply.linkButton("Connect your GitLab account", start)
                .context("Do not forward it: it works once, for 10 minutes, and the code it ends with links whoever "
                        + "types it. GitLab will ask you to let ChatOps read your account (read_user)."));
        return new NotYet(reply.build());
    }

    private static Reply.Builder remaining(CommandRequest request, List<String> steps, When when) {
        String title = when == When.ASKING
                ? ":no_entry: <@" + request.userId() + ">, you cannot ask for access yet: these steps of "
                        + "\"Requesting access\" remain. " + when.nothing
                : ":no_entry: <@" + request.userId() + ">'s access cannot be granted now: these steps of "
                        + "\"Requesting access\" no longer hold. " + when.nothing;
        return Reply.ephemeral(when == When.ASKING ? "You cannot ask for access yet: some steps remain."
                : "Access not granted: some steps no longer hold.").text(title)
                .text(String.join("\n", steps)).outcome(Reply.Outcome.REFUSED);
    }

    private static String done(String step) {
        return ":white_check_mark: " + step;
    }

    private static String missing(String step) {
        return ":x: " + step;
    }

    private static String unknown(String step) {
        return ":grey_question: " + step + " (checked once you are linked)";
    }
}
