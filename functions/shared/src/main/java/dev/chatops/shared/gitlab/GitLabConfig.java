package dev.chatops.shared.gitlab;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The GitLab instances ChatOps knows, by the flag people use for them ({@code --ops},
 * {@code --production}, …), and where the chatops project lives. Each variable is named once here.
 */
public record GitLabConfig(Map<String, String> instances, String defaultInstance, String chatopsInstance,
                           String chatopsProject, Set<String> memberPaths, Duration requestTimeout) {
    /** {@code ops=https://ops.gitlab.net,production=https://gitlab.com,…}: flag name = base URL. */
    public static final String INSTANCES = "GITLAB_INSTANCES";
    /** The instance a command acts on without a flag; default {@code production}. */
    public static final String DEFAULT_INSTANCE = "GITLAB_DEFAULT_INSTANCE";
    /** The instance of the chatops project (whose members may run commands); default {@code ops}. */
    public static final String CHATOPS_INSTANCE = "CHATOPS_INSTANCE";
    /** The chatops project's full path, e.g. {@code gitlab-com/chatops}. */
    public static final String CHATOPS_PROJECT = "CHATOPS_PROJECT";
    /**
     * The projects and groups {@code member} may change, as {@code instance:path,…}; default the
     * chatops project alone. Anything else is refused: an admin token reaches every path.
     */
    public static final String MEMBER_PATHS = "MEMBER_PATHS";
    /** How long one GitLab request may take, in seconds (default 10): a slower answer counts as a timeout. */
    public static final String TIMEOUT_SECONDS = "GITLAB_TIMEOUT_SECONDS";
    /**
     * Secrets Manager id of a JSON secret mapping each instance to its admin API token that may write
     * ({@code {"ops":"glpat-…"}}): set only for the functions whose commands change GitLab.
     */
    public static final String TOKENS_SECRET_ID = "GITLAB_TOKENS_SECRET_ID";
    /**
     * Secrets Manager id of the same JSON shape holding each instance's read-only admin token
     * ({@code read_api}): for checking roles and for the commands that only read.
     */
    public static final String READ_TOKENS_SECRET_ID = "GITLAB_READ_TOKENS_SECRET_ID";

    public GitLabConfig {
        instances = Collections.unmodifiableMap(new LinkedHashMap<>(instances));
        memberPaths = Set.copyOf(memberPaths);
    }

    public static GitLabConfig from(Env env) {
        Map<String, String> instances = parseInstances(env.require(INSTANCES));
        String fallback = env.optional(DEFAULT_INSTANCE, "production");
        String chatops = env.optional(CHATOPS_INSTANCE, "ops");
        for (String name : new String[] {fallback, chatops}) {
            if (!instances.containsKey(name)) {
                throw new ConfigurationException("instance " + name + " is not in " + INSTANCES);
            }
        }
        String project = env.require(CHATOPS_PROJECT);
        Set<String> paths = new LinkedHashSet<>();
        for (String entry : env.optional(MEMBER_PATHS, chatops + ":" + project).split(",")) {
            paths.add(ProjectLocation.parse(entry, instances, MEMBER_PATHS).toString());
        }
        long timeout = env.optionalLong(TIMEOUT_SECONDS, 10);
        if (timeout < 1 || timeout > 20) {
            // Well under the functions' timeouts, which must leave time for the checks, the log and the reply.
            throw new ConfigurationException("environment variable " + TIMEOUT_SECONDS + " must be 1 to 20 seconds");
        }
        return new GitLabConfig(instances, fallback, chatops, project, paths, Duration.ofSeconds(timeout));
    }

    /**
     * {@code ops=https://…,production=https://…} as name → URL, in order; a malformed entry, or two
     * names for one URL (a second name must not slip past rules about production), stops start-up.
     */
    public static Map<String, String> parseInstances(String value) {
        Map<String, String> instances = new LinkedHashMap<>();
        for (String entry : value.split(",")) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).strip();
            String url = eq < 0 ? "" : entry.substring(eq + 1).strip();
            if (!name.matches("[a-z][a-z0-9-]{0,31}") || !url.matches("https?://[^\\s,]+")) {
                throw new ConfigurationException("environment variable " + INSTANCES
                        + " must read name=https://host,…; not: " + entry.strip());
            }
            instances.put(name, url);
        }
        if (instances.values().stream().map(GitLabConfig::sameness).distinct().count() < instances.size()) {
            throw new ConfigurationException(
                    "two instances in " + INSTANCES + " have the same URL: one instance, one name");
        }
        return instances;
    }

    /**
     * What makes two URLs the same instance: scheme, host without case, port (the scheme's default
     * when absent) and path without a trailing slash. {@code https://GitLab.com/} is {@code https://gitlab.com}.
     */
    private static String sameness(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(
                    "environment variable " + INSTANCES + " has a URL that is not one: " + url);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
        return scheme + "://" + String.valueOf(uri.getHost()).toLowerCase(Locale.ROOT) + ":" + port + path;
    }

    /** Whether {@code member} may change {@code path} on {@code instance}. */
    public boolean memberPathAllowed(String instance, String path) {
        return memberPaths.contains(instance + ":" + path);
    }

    /** The host of {@code instance}'s URL, as replies name it ({@code gitlab.com}). */
    public String host(String instance) {
        return URI.create(url(instance)).getHost();
    }

    public String url(String instance) {
        String url = instances.get(instance);
        if (url == null) {
            throw new IllegalArgumentException("unknown instance " + instance);
        }
        return url;
    }
}
