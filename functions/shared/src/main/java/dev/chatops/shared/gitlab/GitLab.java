package dev.chatops.shared.gitlab;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/** The configured GitLab instances, one client each, with the tokens from Secrets Manager. */
public final class GitLab {
    private final GitLabConfig config;
    private final Function<String, Supplier<String>> tokens;
    private final Map<String, GitLabClient> clients = new ConcurrentHashMap<>();

    public GitLab(GitLabConfig config, Function<String, Supplier<String>> tokens) {
        this.config = config;
        this.tokens = tokens;
    }

    /**
     * The instances without any token: for a function that holds none (the linking pages), which
     * may build OAuth URLs and call GitLab with a person's own OAuth token, never with an admin's.
     */
    public static GitLab withoutTokens(GitLabConfig config) {
        return new GitLab(config, name -> () -> {
            throw new IllegalStateException("this function holds no GitLab admin token");
        });
    }

    public GitLabConfig config() {
        return config;
    }

    /** The client of {@code instance} (a name from the configuration). */
    public GitLabClient client(String instance) {
        return clients.computeIfAbsent(
                instance, name -> new GitLabClient(config.url(name), tokens.apply(name), config.requestTimeout()));
    }

    /** The client of the instance the chatops project lives on. */
    public GitLabClient chatops() {
        return client(config.chatopsInstance());
    }
}
