package dev.chatops.shared.edge;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which response URLs we will ever POST to. Slack's are {@code https://hooks.slack.com/…}; anything
 * else in a request is refused, so a forged or misrouted request cannot make us call an arbitrary
 * host (SSRF). The allow-list is a comma-separated list of origins from configuration:
 * {@code https://hooks.slack.com} allows that host on https's default port only; a loopback origin
 * such as {@code http://127.0.0.1} (the local runner's) allows any port on that address.
 */
public final class ResponseUrlPolicy {
    /** The production default. */
    public static final String SLACK = "https://hooks.slack.com";
    /** The environment variable that holds the allow-list. */
    public static final String ENV = "RESPONSE_URL_ALLOW";

    private record Origin(String scheme, String host, int port) {
    }

    private final List<Origin> allowed;

    private ResponseUrlPolicy(List<Origin> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** The allow-list in {@link #ENV}, or Slack's alone; a malformed one stops start-up, naming the variable. */
    public static ResponseUrlPolicy from(Env env) {
        try {
            return parse(env.optional(ENV, SLACK));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("environment variable " + ENV
                    + " is not a list of origins: " + e.getMessage(), e);
        }
    }

    /** Parses {@code "https://hooks.slack.com,http://127.0.0.1"}; throws {@link IllegalArgumentException} on a bad entry. */
    public static ResponseUrlPolicy parse(String origins) {
        List<Origin> allowed = new ArrayList<>();
        for (String entry : origins.split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            URI uri = URI.create(trimmed);
            String scheme = lower(uri.getScheme());
            if (!"https".equals(scheme) && !"http".equals(scheme) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) origin: " + trimmed);
            }
            if ("http".equals(scheme) && !isLoopback(uri.getHost())) {
                throw new IllegalArgumentException("plain http is allowed for loopback only: " + trimmed);
            }
            if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("an origin has no path, query or user: " + trimmed);
            }
            allowed.add(new Origin(scheme, lower(uri.getHost()), uri.getPort()));
        }
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("the response URL allow-list is empty");
        }
        return new ResponseUrlPolicy(allowed);
    }

    /** A URL this policy allows: {@code path} on its first origin (a sample request's, never posted to). */
    public String sample(String path) {
        Origin first = allowed.get(0);
        return first.scheme() + "://" + first.host() + (first.port() < 0 ? "" : ":" + first.port()) + path;
    }

    public boolean allows(String url) {
        if (url == null || url.length() > 2048) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return false;
        }
        if (!uri.isAbsolute()
                || uri.getRawUserInfo() != null
                || uri.getHost() == null
                || uri.getRawFragment() != null) {
            return false;
        }
        String scheme = lower(uri.getScheme());
        String host = lower(uri.getHost());
        int port = uri.getPort();
        for (Origin origin : allowed) {
            if (!origin.scheme().equals(scheme) || !origin.host().equals(host)) {
                continue;
            }
            if (isLoopback(host) && origin.port() < 0) {
                return true;
            }
            int wanted = origin.port() < 0 ? defaultPort(scheme) : origin.port();
            int given = port < 0 ? defaultPort(scheme) : port;
            if (wanted == given) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLoopback(String host) {
        String h = lower(host);
        return h.equals("127.0.0.1") || h.equals("localhost") || h.equals("[::1]") || h.equals("::1");
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
