package dev.chatops.linkpages;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabUser;
import dev.chatops.shared.runtime.AuditLog;
import dev.chatops.shared.runtime.AuditLog.Decision;
import dev.chatops.shared.runtime.AuditLog.Verdict;
import dev.chatops.shared.runtime.Services;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
 * {@code /link/callback}: the code is exchanged and the account must be active, with two-factor
 * authentication, and linked to nobody yet. The page then shows a one-time code that the person
 * types in Slack ({@code /chatops run link CODE}); only that proves which Slack user is at the
 * keyboard, so a "Connect" button forwarded to someone else links nobody.
 */
final class Linking {
    /** An HTTP answer: a small HTML page, or a redirect. */
    record Page(int status, Map<String, String> headers, String body) {
        static Page html(int status, String title, String text) {
            String body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                    + " — ChatOps</title><meta name=\"viewport\" content=\"width=device-width\"></head>"
                    + "<body style=\"font-family:sans-serif;max-width:36em;margin:3em auto\"><h1>" + escape(title)
                    + "</h1><p id=\"message\">" + escape(text) + "</p></body></html>";
            return new Page(
                    status,
                    Map.of(
                            "content-type",
                            "text/html; charset=utf-8",
                            "cache-control",
                            "no-store",
                            "x-frame-options",
                            "DENY",
                            "referrer-policy",
                            "no-referrer",
                            "content-security-policy",
                            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
                    body);
        }

        static Page redirect(String location) {
            return new Page(302, Map.of("location", location, "cache-control", "no-store",
                    "referrer-policy", "no-referrer"), "");
        }
    }

    /** The OAuth application on the chatops instance that people sign in through ({@code read_user}). */
    record OAuthApplication(String clientId, Supplier<String> secret) {
    }

    private final AccessStore access;
    private final LinkState states;
    private final GitLab gitlab;
    private final AuditLog audit;
    private final Clock clock;
    private final Optional<OAuthApplication> application;

    /** @param application empty until an administrator has registered it and deployed its id and secret */
    Linking(Services services, Optional<OAuthApplication> application) {
        this.access = services.access();
        this.states = services.linkState();
        // No admin token here: these pages face the internet unauthenticated. GitLab is called with
        // the OAuth application's secret and the person's own token only.
        this.gitlab = GitLab.withoutTokens(services.gitlabConfig());
        this.audit = services.audit();
        this.clock = services.clock();
        this.application = application;
    }

    /** Checks the state (without using it up) and sends the person to GitLab's authorize page. */
    Page start(Map<String, String> query, Map<String, String> headers) {
        LinkState.Verified verified = states.verify(query.get("state"));
        if (verified.claims().isEmpty()) {
            return Page.html(400, "Cannot link", verified.problem().message());
        }
        if (application.isEmpty()) {
            return notConfigured(verified.claims().get(), headers);
        }
        return Page.redirect(
                gitlab.chatops().authorizeUrl(application.get().clientId(), callbackUrl(headers), query.get("state")));
    }

    Page callback(Map<String, String> query, Map<String, String> headers) {
        LinkState.Verified verified = states.verify(query.get("state"));
        if (verified.claims().isEmpty()) {
            return Page.html(400, "Cannot link", verified.problem().message());
        }
        LinkState.Claims claims = verified.claims().get();
        if (application.isEmpty()) {
            return notConfigured(claims, headers);
        }
        if (!access.consumeNonce(claims.nonce(), claims.expiresAt())) {
            return Page.html(400, "Cannot link", "This link was already used. Run any command in Slack for a new one.");
        }
        AuditLog.Entry entry = audit.begin(attempt(claims), clock.instant());
        Outcome outcome;
        try {
            outcome = link(query, headers);
        } catch (RuntimeException e) {
            audit.finish(entry, new Verdict(Decision.ALLOWED, AuditLog.Outcome.ERROR, e.getClass().getSimpleName()),
                    clock.instant());
            throw e;
        }
        audit.finish(entry, outcome.held()
                ? new Verdict(Decision.ALLOWED, AuditLog.Outcome.AWAITING_CONFIRMATION, outcome.text())
                : new Verdict(Decision.REFUSED, AuditLog.Outcome.NOT_LINKED, outcome.text()), clock.instant());
        return Page.html(outcome.held() ? 200 : 400, outcome.title(), outcome.text());
    }

    private record Outcome(boolean held, String title, String text) {
    }

    /** The attempt as the audit records it: a {@code link} by the Slack user the state was issued to. */
    private CommandRequest attempt(LinkState.Claims claims) {
        return new CommandRequest("link-" + claims.nonce(), claims.workspace(), "", claims.userId(), "",
                "", "", "/chatops", "link", List.of(), Map.of(), "", "", clock.instant());
    }

    /**
     * Before the OAuth application is registered: the attempt is audited as refused, the state is
     * left unspent, and the page says exactly what an administrator must register.
     */
    private Page notConfigured(LinkState.Claims claims, Map<String, String> headers) {
        // The text first: the callback URL is read from the request, and a bad one must not leave a begun audit record.
        String text =
                "Linking is not configured yet, so nothing was changed: an administrator of ChatOps must register a "
                        + "GitLab OAuth application on " + gitlab.config().chatopsInstance() + " ("
                        + gitlab.chatops().baseUrl()
                        + ") with the redirect URI " + callbackUrl(headers)
                        + " and the scope read_user alone, then deploy ChatOps again with its Application ID and"
                        + " Secret (GitLabOAuthClientId, GitLabOAuthClientSecret). Once that is done, run any command"
                        + " in Slack for a new button.";
        AuditLog.Entry entry = audit.begin(attempt(claims), clock.instant());
        audit.finish(
                entry, new Verdict(Decision.REFUSED, AuditLog.Outcome.LINKING_NOT_CONFIGURED, text), clock.instant());
        Log.warn("link.not_configured");
        return Page.html(503, "Linking is not configured yet", text);
    }

    private Outcome link(Map<String, String> query, Map<String, String> headers) {
        String instance = gitlab.config().chatopsInstance();
        if (query.containsKey("error")) {
            String error = query.get("error").matches("[a-z_]{1,40}") ? query.get("error") : "an error";
            return new Outcome(
                    false, "Not linked", "GitLab did not authorise ChatOps (" + error + "). Nothing was changed.");
        }
        String code = query.get("code");
        if (code == null || code.isEmpty()) {
            return new Outcome(false, "Not linked", "GitLab sent no authorisation code. Nothing was changed.");
        }
        GitLabClient ops = gitlab.chatops();
        GitLabUser user;
        try {
            OAuthApplication app = application.orElseThrow();
            String token = ops.exchangeCode(app.clientId(), app.secret().get(), code, callbackUrl(headers));
            user = ops.currentUser(token);
        } catch (GitLabException e) {
            Log.warn("link.oauth_failed", "status", e.status());
            // A public page: GitLab's status only, never its message (it can carry the instance's
            // address or GitLab's own error_description); the log has the status too.
            return new Outcome(false, "Not linked", "GitLab refused the sign-in"
                    + (e.status() > 0 ? " (HTTP " + e.status() + ")" : "") + ". Nothing was changed.");
        }
        if (!"active".equals(user.state())) {
            return new Outcome(
                    false, "Not linked", "The GitLab account " + user.username() + " is " + user.state() + ".");
        }
        if (!Boolean.TRUE.equals(user.twoFactorEnabled())) {
            return new Outcome(false, "Two-factor authentication needed", "The GitLab account " + user.username()
                    + " on " + instance + " does not have two-factor authentication. Turn it on at "
                    + ops.baseUrl() + "/-/profile/two_factor_auth, then run any command in Slack again.");
        }
        if (access.slackUserOf(instance, user.id()).isPresent()) {
            return new Outcome(false, "Not linked", "The GitLab account " + user.username()
                    + " is already linked to a Slack account. Its owner can run /chatops run unlink first.");
        }
        // The role is not read here (that needs an admin token): the account is held as never checked,
        // so `link CODE` reads the role and the first command that needs one reads level and 2FA afresh.
        Instant now = clock.instant();
        String confirmation = access.holdPending(
                new AccessStore.Pending(instance, user.id(), user.username(), 0, Instant.EPOCH),
                now.plus(LinkState.LIFETIME));
        Log.info("link.pending", "gitlabUser", user.username());
        return new Outcome(
                true,
                "One step left: confirm in Slack",
                "To link your Slack account to the GitLab account "
                        + user.username() + " on " + instance + ", type  /chatops run link " + confirmation
                        + "  in Slack within 10 minutes. Never give this code to anyone: whoever types it gets this"
                        + " GitLab account's ChatOps rights.");
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
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
