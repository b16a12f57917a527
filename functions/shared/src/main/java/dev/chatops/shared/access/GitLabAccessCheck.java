package dev.chatops.shared.access;

import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabUser;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/** Reads the level and 2FA from GitLab's Users and Members APIs with the read-only admin token. */
public final class GitLabAccessCheck implements AccessCheck {
    private final Supplier<GitLab> gitlab;
    private final Clock clock;

    /** @param gitlab the instances with their read-only tokens, made when first needed */
    public GitLabAccessCheck(Supplier<GitLab> gitlab, Clock clock) {
        this.gitlab = gitlab;
        this.clock = clock;
    }

    @Override
    public Snapshot check(Link link) {
        GitLab instances = gitlab.get();
        try {
            Optional<GitLabUser> user = instances.chatops().user(link.gitlabUserId());
            boolean active = user.isPresent() && "active".equals(user.get().state());
            boolean twoFactor = active && Boolean.TRUE.equals(user.get().twoFactorEnabled());
            int level = active
                    ? instances
                            .chatops()
                            .projectAccessLevel(instances.config().chatopsProject(), link.gitlabUserId())
                            .orElse(0)
                    : 0;
            return new Snapshot(level, twoFactor, clock.instant());
        } catch (GitLabException e) {
            throw new AccessCheckException(e.brief(), e);
        }
    }
}
