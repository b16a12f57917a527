package dev.chatops.link;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.access.LinkConflictException;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabUser;
import dev.chatops.shared.runtime.AuditLog;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.ReplyException;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.Services;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Linking a Slack account to a GitLab account, as "Requesting access" asks: the person follows the
 * button ChatOps gave them ({@code /link/start} with a signed, single-use state), signs in to the
 * chatops instance, lets ChatOps read their account ({@code read_user}), and comes back to
 * {@code /link/callback}: the code is exchanged, the account must have two-factor authentication,
 * and the link is stored one-to-one. The page says what happened, and so does a message in Slack.
 */
final class Linking {
    /** An HTTP answer: a small HTML page, or a redirect. */
    record Page(int status, Map<String, String> headers, String body) {
        static Page html(int status, String title, String text) {
            String body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                    + " — ChatOps</title><meta name=\"viewport\" content=\"width=device-width\"></head>"
                    + "<body style=\"font-family:sans-serif;max-width:36em;margin:3em auto\"><h1>" + escape(title)
                    + "</h1><p id=\"message\">" + escape(text) + "</p></body></html>";
            return new Page(status, Map.of("content-type", "text/html; charset=utf-8", "cache-control", "no-store",
                    "x-frame-options", "DENY", "referrer-policy", "no-referrer"), body);
        }

        static Page redirect(String location) {
            return new Page(302, Map.of("location", location, "cache-control", "no-store",
                    "referrer-policy", "no-referrer"), "");
        }
    }

    private final AccessStore access;
    private final LinkState states;
    private final GitLab gitlab;
    private final ResponseUrlClient replies;
    private final AuditLog audit;
    private final Clock clock;
    private final String clientId;
    private final Supplier<String> clientSecret;

    Linking(Services services, String clientId, Supplier<String> clientSecret) {
        this.access = services.access();
        this.states = services.linkState();
        this.gitlab = services.gitlab();
        this.replies = services.replies();
        this.audit = services.audit();
        this.clock = services.clock();
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    /** Checks the state (without using it up) and sends the person to GitLab's authorize page. */
    Page start(Map<String, String> query, Map<String, String> headers) {
        LinkState.Verified verified = states.verify(query.get("state"));
        if (verified.claims().isEmpty()) {
            return Page.html(400, "Cannot link", verified.problem().message());
        }
        return Page.redirect(gitlab.chatops().authorizeUrl(clientId, callbackUrl(headers), query.get("state")));
    }

    Page callback(Map<String, String> query, Map<String, String> headers) {
        LinkState.Verified verified = states.verify(query.get("state"));
        if (verified.claims().isEmpty()) {
            return Page.html(400, "Cannot link", verified.problem().message());
        }
        LinkState.Claims claims = verified.claims().get();
        if (!access.consumeNonce(claims.nonce(), claims.expiresAt())) {
            return Page.html(400, "Cannot link", "This link was already used. Run any command in Slack for a new one.");
        }
        CommandRequest attempt = new CommandRequest("link-" + claims.nonce(), claims.teamId(), "", claims.userId(), "",
                "", "", "/chatops", "link", List.of(), Map.of(), "", claims.responseUrl(), clock.instant());
        AuditLog.Entry entry = audit.begin(attempt, clock.instant());
        Outcome outcome = link(claims, query, headers);
        audit.finish(entry, outcome.linked() ? "allowed" : "refused", outcome.linked() ? "linked" : "not linked",
                outcome.text(), clock.instant());
        tellSlack(claims.responseUrl(), outcome);
        return Page.html(outcome.linked() ? 200 : 400, outcome.title(), outcome.text());
    }

    private record Outcome(boolean linked, String title, String text) {
    }

    private Outcome link(LinkState.Claims claims, Map<String, String> query, Map<String, String> headers) {
        String instance = gitlab.config().chatopsInstance();
        if (query.containsKey("error")) {
            return new Outcome(false, "Not linked", "GitLab did not authorise ChatOps (" + query.get("error")
                    + "). Nothing was changed.");
        }
        String code = query.get("code");
        if (code == null || code.isEmpty()) {
            return new Outcome(false, "Not linked", "GitLab sent no authorisation code. Nothing was changed.");
        }
        GitLabClient ops = gitlab.chatops();
        GitLabUser user;
        try {
            String token = ops.exchangeCode(clientId, clientSecret.get(), code, callbackUrl(headers));
            user = ops.currentUser(token);
        } catch (GitLabException e) {
            Log.warn("link.oauth_failed", "status", e.status());
            return new Outcome(false, "Not linked", "GitLab refused the sign-in: " + e.getMessage() + ". Nothing was changed.");
        }
        if (!"active".equals(user.state())) {
            return new Outcome(false, "Not linked", "The GitLab account " + user.username() + " is " + user.state() + ".");
        }
        if (!Boolean.TRUE.equals(user.twoFactorEnabled())) {
            return new Outcome(false, "Two-factor authentication needed", "The GitLab account " + user.username()
                    + " on " + instance + " does not have two-factor authentication. Turn it on at "
                    + ops.baseUrl() + "/-/profile/two_factor_auth, then run any command in Slack again.");
        }
        int level = ops.projectAccessLevel(gitlab.config().chatopsProject(), user.id()).orElse(0);
        Instant now = clock.instant();
        try {
            access.link(new Link(claims.workspace(), claims.userId(), instance, user.id(), user.username(), now,
                    Optional.of(level), Optional.of(true), Optional.of(now)));
        } catch (LinkConflictException e) {
            Optional<Link> mine = access.findLink(claims.workspace(), claims.userId());
            String why = mine.isPresent()
                    ? "Your Slack account is already linked to the GitLab account " + mine.get().gitlabUsername()
                            + ". Run /chatops run unlink first to link another."
                    : "The GitLab account " + user.username() + " is already linked to another Slack account.";
            return new Outcome(false, "Not linked", why);
        }
        Log.info("link.created", "gitlabUser", user.username(), "level", level);
        String role = level <= 0 ? "You are not a member of " + gitlab.config().chatopsProject()
                + " yet: ask a maintainer to run /chatops run member add " + user.username() + " "
                + gitlab.config().chatopsProject() + " --" + instance + "."
                : "Your role on " + gitlab.config().chatopsProject() + " is " + Role.ofAccessLevel(level).label() + ".";
        return new Outcome(true, "Linked — return to Slack", "Your Slack account is now linked to the GitLab account "
                + user.username() + " on " + instance + ". " + role);
    }

    private void tellSlack(String responseUrl, Outcome outcome) {
        try {
            replies.post(responseUrl, Reply.error((outcome.linked() ? ":white_check_mark: " : ":no_entry: ") + outcome.text()),
                    clock.instant().plus(Duration.ofSeconds(8)));
        } catch (ReplyException e) {
            // The page says it all; the response_url may have expired (30 minutes) or been used up.
            Log.warn("link.reply_failed", "retryable", e.retryable());
        }
    }

    /** Where GitLab sends the person back: this API, as the browser reached it. */
    private static String callbackUrl(Map<String, String> headers) {
        String proto = header(headers, "x-forwarded-proto", "https");
        String host = header(headers, "host", "");
        if (!proto.equals("https") && !proto.equals("http") || !host.matches("[A-Za-z0-9.-]+(:\\d{1,5})?")) {
            throw new IllegalArgumentException("cannot tell where this API answers");
        }
        return proto + "://" + host + "/link/callback";
    }

    private static String header(Map<String, String> headers, String name, String fallback) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey() != null && header.getKey().equalsIgnoreCase(name) && header.getValue() != null) {
                return header.getValue().strip();
            }
        }
        return fallback;
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(name, value);
            } catch (IllegalArgumentException e) {
                // a malformed pair is ignored; the state check refuses what is missing
            }
        }
        return query;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
