package dev.chatops.testing;

import static dev.chatops.testing.StandInHttp.errorPage;
import static dev.chatops.testing.StandInHttp.escape;
import static dev.chatops.testing.StandInHttp.html;
import static dev.chatops.testing.StandInHttp.json;
import static dev.chatops.testing.StandInState.randomHex;

import dev.chatops.testing.GitLabStandIn.User;
import dev.chatops.testing.StandInHttp.Reply;
import dev.chatops.testing.StandInHttp.Request;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The OAuth 2 authorization-code flow of the {@link GitLabStandIn}: the sign-in page and its form
 * ({@code GET} and {@code POST /oauth/authorize}), {@code POST /oauth/token} for codes and refresh
 * tokens, and the registered applications, codes and tokens. Any {@code redirect_uri} is accepted
 * for a registered application, and the sign-in page picks a user without a password.
 */
final class StandInOAuth {
    private record Grant(String clientId, String redirectUri, long userId, String scope, Instant expiresAt) {
    }

    private record Token(long userId, String clientId, String scope, String refreshToken, Instant expiresAt) {
    }

    private static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
    private static final long TOKEN_LIFETIME_SECONDS = 7200;
    private static final String INVALID_GRANT = "The provided authorization grant is invalid, expired, revoked,"
            + " does not match the redirection URI used in the authorization request, or was issued to another client.";
    private static final String INVALID_CLIENT = "Client authentication failed due to unknown client, no client"
            + " authentication included, or unsupported authentication method.";

    private final StandInState state;
    /** Client id to client secret. */
    private final Map<String, String> applications = new LinkedHashMap<>();
    private final Map<String, Grant> grants = new LinkedHashMap<>();
    private final Map<String, Token> tokens = new LinkedHashMap<>();
    /** Refresh token to the access token it renews. */
    private final Map<String, String> refreshTokens = new LinkedHashMap<>();

    StandInOAuth(StandInState state) {
        this.state = state;
    }

    void clear() {
        applications.clear();
        grants.clear();
        tokens.clear();
        refreshTokens.clear();
    }

    void addApplication(String clientId, String clientSecret) {
        applications.put(clientId, clientSecret);
    }

    /** What {@code POST /oauth/authorize} does when {@code username} signs in. */
    String authorize(String clientId, String redirectUri, String username) {
        if (!applications.containsKey(clientId)) {
            throw new IllegalArgumentException("unknown OAuth application " + clientId);
        }
        return issueCode(clientId, redirectUri, state.requireUser(username), "read_user");
    }

    String accessTokenFor(String username) {
        return (String) issueToken(state.requireUser(username).id(), null, "read_user").get("access_token");
    }

    /** The user an unexpired OAuth access token was issued to; null when there is none. */
    User userOf(String accessToken) {
        Token token = tokens.get(accessToken);
        if (token == null || Instant.now().isAfter(token.expiresAt()) || !state.users.containsKey(token.userId())) {
            return null;
        }
        return state.users.get(token.userId());
    }

    /** The answer to a request under {@code /oauth}; null when it is none of the flow's. */
    Reply handle(Request r, String endpoint) {
        if (endpoint.equals("authorize") && r.method().equals("GET")) {
            return authorizePage(r);
        }
        if (endpoint.equals("authorize") && r.method().equals("POST")) {
            return authorizeSubmit(r);
        }
        if (endpoint.equals("token") && r.method().equals("POST")) {
            return token(r);
        }
        return null;
    }

    private Reply authorizePage(Request r) {
        Reply invalid = validateAuthorization(r);
        if (invalid != null) {
            return invalid;
        }
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">")
                .append("<title>Sign in to the GitLab stand-in</title></head>\n<body>\n")
                .append("<h1>Sign in to the GitLab stand-in</h1>\n")
                .append("<p>The application <strong>").append(escape(r.param("client_id")))
                .append("</strong> asks to use your account (scope: ")
                .append(escape(Objects.requireNonNullElse(r.param("scope"), "read_user")))
                .append("). This is a local development stand-in for GitLab: pick a user, no password.</p>\n")
                .append("<form method=\"post\" action=\"/oauth/authorize\">\n");
        r.params().forEach((name, value) -> {
            if (!name.equals("username")) {
                html.append("<input type=\"hidden\" name=\"").append(escape(name)).append("\" value=\"")
                        .append(escape(value)).append("\">\n");
            }
        });
        List<User> active = state.users.values().stream().filter(u -> u.state().equals("active")).toList();
        html.append("<label for=\"username\">User</label>\n");
        if (active.isEmpty()) {
            html.append("<input name=\"username\" id=\"username\">\n");
        } else {
            html.append("<select name=\"username\" id=\"username\">\n");
            active.forEach(u -> html.append("<option value=\"").append(escape(u.username())).append("\">")
                    .append(escape(u.username())).append(" (").append(escape(u.name())).append(")</option>\n"));
            html.append("</select>\n");
        }
        html.append("<button type=\"submit\" id=\"authorize\">Authorize</button>\n</form>\n</body>\n</html>\n");
        return html(200, html.toString());
    }

    private Reply authorizeSubmit(Request r) {
        Reply invalid = validateAuthorization(r);
        if (invalid != null) {
            return invalid;
        }
        String username = r.param("username");
        User user = username == null ? null : state.findUser(username);
        if (user == null) {
            return errorPage(400, "There is no user " + Objects.requireNonNullElse(username, "(none given)") + ".");
        }
        if (!user.state().equals("active")) {
            return errorPage(403, "The account of " + user.username() + " has been blocked.");
        }
        String code = issueCode(r.param("client_id"), r.param("redirect_uri"), user,
                Objects.requireNonNullElse(r.param("scope"), "read_user"));
        String redirect = r.param("redirect_uri");
        String echoed = r.param("state") == null ? ""
                : "&state=" + URLEncoder.encode(r.param("state"), StandardCharsets.UTF_8);
        String location = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code + echoed;
        return new Reply(302, null, Map.of("Location", location), new byte[0]);
    }

    private Reply validateAuthorization(Request r) {
        String clientId = r.param("client_id");
        if (clientId == null || !applications.containsKey(clientId)) {
            return errorPage(400, "Client authentication failed due to unknown client: no application is registered"
                    + " with client_id " + Objects.requireNonNullElse(clientId, "(none given)") + ".");
        }
        if (r.param("redirect_uri") == null) {
            return errorPage(400, "The request is missing the required parameter redirect_uri.");
        }
        if (!"code".equals(r.param("response_type"))) {
            return errorPage(400, "The authorization server does not support the response type "
                    + Objects.requireNonNullElse(r.param("response_type"), "(none given)") + "; use code.");
        }
        return null;
    }

    private Reply token(Request r) {
        String clientId = r.param("client_id");
        String clientSecret = r.param("client_secret");
        String authorization = r.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8).split(":", 2);
            clientId = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
            clientSecret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : null;
        }
        String grantType = r.param("grant_type");
        if (grantType == null) {
            return oauthError(400, "invalid_request", "Missing required parameter: grant_type.");
        }
        if (!grantType.equals("authorization_code") && !grantType.equals("refresh_token")) {
            return oauthError(400, "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server.");
        }
        if (clientId == null || clientSecret == null || !clientSecret.equals(applications.get(clientId))) {
            return oauthError(401, "invalid_client", INVALID_CLIENT);
        }
        if (grantType.equals("authorization_code")) {
            Grant grant = r.param("code") == null ? null : grants.get(r.param("code"));
            if (grant != null && Instant.now().isAfter(grant.expiresAt())) {
                grants.remove(r.param("code"));
                grant = null;
            }
            if (grant == null || !grant.clientId().equals(clientId)
                    || !grant.redirectUri().equals(r.param("redirect_uri"))) {
                return oauthError(400, "invalid_grant", INVALID_GRANT);
            }
            grants.remove(r.param("code"));
            return tokenReply(issueToken(grant.userId(), clientId, grant.scope()));
        }
        String access = r.param("refresh_token") == null ? null : refreshTokens.get(r.param("refresh_token"));
        Token old = access == null ? null : tokens.get(access);
        if (old == null || !clientId.equals(old.clientId())) {
            return oauthError(400, "invalid_grant", INVALID_GRANT);
        }
        tokens.remove(access);
        refreshTokens.remove(old.refreshToken());
        return tokenReply(issueToken(old.userId(), clientId, old.scope()));
    }

    private String issueCode(String clientId, String redirectUri, User user, String scope) {
        String code = randomHex(32);
        grants.put(code, new Grant(clientId, redirectUri, user.id(), scope, Instant.now().plus(CODE_LIFETIME)));
        return code;
    }

    private Map<String, Object> issueToken(long userId, String clientId, String scope) {
        Instant now = Instant.now();
        String access = randomHex(32);
        String refresh = randomHex(32);
        tokens.put(access, new Token(userId, clientId, scope, refresh, now.plusSeconds(TOKEN_LIFETIME_SECONDS)));
        refreshTokens.put(refresh, access);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access);
        body.put("token_type", "Bearer");
        body.put("expires_in", TOKEN_LIFETIME_SECONDS);
        body.put("refresh_token", refresh);
        body.put("scope", scope);
        body.put("created_at", now.getEpochSecond());
        return body;
    }

    private static Reply tokenReply(Map<String, Object> body) {
        Reply reply = json(200, body);
        return new Reply(200, reply.contentType(), Map.of("Cache-Control", "no-store", "Pragma", "no-cache"),
                reply.body());
    }

    private static Reply oauthError(int status, String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return json(status, body);
    }
}
