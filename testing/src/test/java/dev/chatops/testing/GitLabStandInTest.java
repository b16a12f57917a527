package dev.chatops.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class GitLabStandInTest {
    @RegisterExtension
    static GitLabStandIn gitlab = new GitLabStandIn();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void looksUpUsersByUsernameWithTheAdminTokenOnly() throws Exception {
        gitlab.addUser("bob", true);
        gitlab.addUser("carol", false);
        String admin = gitlab.adminToken();

        HttpResponse<String> found = get("/api/v4/users?username=BOB", admin);
        assertThat(found.statusCode()).isEqualTo(200);
        List<Object> users = JSON.std.listFrom(found.body());
        assertThat(users).hasSize(1);
        Map<?, ?> bob = (Map<?, ?>) users.get(0);
        assertThat(bob.get("username")).isEqualTo("bob");
        assertThat(bob.get("two_factor_enabled")).isEqualTo(true);
        assertThat(bob.get("is_admin")).isEqualTo(false);
        assertThat(bob.get("email")).isEqualTo("bob@example.com");
        assertThat(found.headers().firstValue("X-Total")).hasValue("1");

        HttpResponse<String> anonymous = get("/api/v4/users?username=bob", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.std.mapFrom(anonymous.body())).isEqualTo(Map.of("message", "401 Unauthorized"));

        HttpResponse<String> missing = get("/api/v4/users/999", admin);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.std.mapFrom(missing.body())).isEqualTo(Map.of("message", "404 User Not Found"));

        String oauth = gitlab.accessTokenFor("carol");
        Map<String, Object> publicView = first(get("/api/v4/users?search=bo", oauth).body());
        assertThat(publicView.get("username")).isEqualTo("bob");
        assertThat(publicView).doesNotContainKeys("email", "two_factor_enabled", "is_admin");

        assertThat(gitlab.requests()).contains("GET /api/v4/users?username=BOB", "GET /api/v4/users/999");
    }

    @Test
    void projectMembersAllInheritsFromTheGroup() throws Exception {
        gitlab.addUser("bob", true);
        gitlab.addUser("carol", false);
        gitlab.addUser("dave", true);
        gitlab.addGroup("ops");
        long projectId = gitlab.addProject("ops/chatops");
        gitlab.addMember("ops", "bob", 40);
        gitlab.addMember("ops/chatops", "bob", 30);
        gitlab.addMember("ops", "carol", 20);
        gitlab.addMember("ops/chatops", "dave", 50);
        String admin = gitlab.adminToken();

        HttpResponse<String> direct = get("/api/v4/projects/ops%2Fchatops/members", admin);
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(levels(direct.body())).containsExactlyInAnyOrderEntriesOf(Map.of("bob", 30, "dave", 50));

        HttpResponse<String> all = get("/api/v4/projects/" + projectId + "/members/all", admin);
        assertThat(levels(all.body())).containsExactlyInAnyOrderEntriesOf(Map.of("bob", 40, "carol", 20, "dave", 50));
        Map<String, Object> member = first(all.body());
        assertThat(all.body()).contains("\"expires_at\":null");
        assertThat(member).containsKeys("id", "username", "name", "state", "access_level", "expires_at", "web_url",
                "avatar_url");

        long carolId = gitlab.user("carol").orElseThrow().id();
        assertThat(get("/api/v4/projects/ops%2Fchatops/members/all/" + carolId, admin).statusCode()).isEqualTo(200);
        HttpResponse<String> notDirect = get("/api/v4/projects/ops%2Fchatops/members/" + carolId, admin);
        assertThat(notDirect.statusCode()).isEqualTo(404);
        assertThat(JSON.std.mapFrom(notDirect.body())).isEqualTo(Map.of("message", "404 Member Not Found"));

        HttpResponse<String> noProject = get("/api/v4/projects/ops%2Fnothing/members", admin);
        assertThat(noProject.statusCode()).isEqualTo(404);
        assertThat(JSON.std.mapFrom(noProject.body())).isEqualTo(Map.of("message", "404 Project Not Found"));

        HttpResponse<String> firstPage = get("/api/v4/projects/ops%2Fchatops/members/all?per_page=2", admin);
        assertThat(JSON.std.listFrom(firstPage.body())).hasSize(2);
        assertThat(firstPage.headers().firstValue("X-Total")).hasValue("3");
        assertThat(firstPage.headers().firstValue("X-Next-Page")).hasValue("2");
    }

    @Test
    void addsThenRefusesADuplicateThenDeletesMembers() throws Exception {
        long bobId = gitlab.addUser("bob", true).id();
        gitlab.addProject("ops/chatops");
        String admin = gitlab.adminToken();
        String members = "/api/v4/projects/ops%2Fchatops/members";

        HttpResponse<String> added = send("POST", members, admin, "user_id=" + bobId + "&access_level=30");
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(JSON.std.mapFrom(added.body())).containsEntry("username", "bob").containsEntry("access_level", 30);
        assertThat(gitlab.accessLevel("ops/chatops", "bob")).hasValue(30);

        HttpResponse<String> again = send("POST", members, admin, "user_id=" + bobId + "&access_level=40");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.std.mapFrom(again.body())).isEqualTo(Map.of("message", "Member already exists"));

        assertThat(send("POST", members, admin, "username=bob&access_level=31").statusCode()).isEqualTo(400);
        assertThat(send("POST", members, admin, "username=nobody&access_level=30").statusCode()).isEqualTo(404);
        String oauth = gitlab.accessTokenFor("bob");
        HttpResponse<String> forbidden = send("DELETE", members + "/" + bobId, oauth, "");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(JSON.std.mapFrom(forbidden.body())).isEqualTo(Map.of("message", "403 Forbidden"));

        HttpResponse<String> updated = send("PUT", members + "/" + bobId, admin, "access_level=40");
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(gitlab.accessLevel("ops/chatops", "bob")).hasValue(40);

        assertThat(send("DELETE", members + "/" + bobId, admin, "").statusCode()).isEqualTo(204);
        assertThat(gitlab.accessLevel("ops/chatops", "bob")).isEmpty();
        HttpResponse<String> gone = send("DELETE", members + "/" + bobId, admin, "");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(JSON.std.mapFrom(gone.body())).isEqualTo(Map.of("message", "404 Member Not Found"));
    }

    @Test
    void oauthAuthorizationCodeFlowGivesATokenForTheUser() throws Exception {
        gitlab.addUser("bob", true);
        gitlab.addOAuthApplication("chatops", "s3cret");
        String redirect = "http://127.0.0.1:9/callback";
        String state = "a b/c+d";

        HttpResponse<String> page = get("/oauth/authorize?client_id=chatops&redirect_uri=" + encode(redirect)
                + "&response_type=code&state=" + encode(state) + "&scope=read_user", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Sign in to the GitLab stand-in</title>",
                "<form method=\"post\" action=\"/oauth/authorize\">", "name=\"state\" value=\"a b/c+d\"",
                "<select name=\"username\"", "<button type=\"submit\" id=\"authorize\">Authorize</button>");

        HttpResponse<String> signedIn = send("POST", "/oauth/authorize", null, form(Map.of("client_id", "chatops",
                "redirect_uri", redirect, "response_type", "code", "state", state, "scope", "read_user",
                "username", "bob")));
        assertThat(signedIn.statusCode()).isEqualTo(302);
        URI location = URI.create(signedIn.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(redirect + "?code=");
        Map<String, String> query = parse(location.getRawQuery());
        assertThat(query.get("state")).isEqualTo(state);
        String code = query.get("code");

        String exchange = form(Map.of("grant_type", "authorization_code", "code", code, "client_id", "chatops",
                "client_secret", "s3cret", "redirect_uri", redirect));
        HttpResponse<String> token = send("POST", "/oauth/token", null, exchange);
        assertThat(token.statusCode()).isEqualTo(200);
        Map<String, Object> tokenBody = JSON.std.mapFrom(token.body());
        assertThat(tokenBody).containsEntry("token_type", "Bearer").containsEntry("expires_in", 7200)
                .containsEntry("scope", "read_user").containsKeys("access_token", "refresh_token", "created_at");

        HttpResponse<String> me = get("/api/v4/user", (String) tokenBody.get("access_token"));
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.std.mapFrom(me.body()))
                .containsEntry("username", "bob")
                .containsEntry("two_factor_enabled", true);

        HttpResponse<String> reused = send("POST", "/oauth/token", null, exchange);
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(JSON.std.mapFrom(reused.body())).containsEntry("error", "invalid_grant");

        String other = gitlab.authorize("chatops", redirect, "bob");
        HttpResponse<String> badClient = send("POST", "/oauth/token", null, form(Map.of("grant_type",
                "authorization_code", "code", other, "client_id", "chatops", "client_secret", "wrong",
                "redirect_uri", redirect)));
        assertThat(badClient.statusCode()).isEqualTo(401);
        assertThat(JSON.std.mapFrom(badClient.body())).containsEntry("error", "invalid_client");

        assertThat(get("/oauth/authorize?client_id=nobody&redirect_uri=x&response_type=code", null).statusCode())
                .isEqualTo(400);
    }

    @Test
    void acceptsJsonBodiesRefreshesTokensAndRefusesBlockedUsers() throws Exception {
        gitlab.addUser("bob", true);
        gitlab.addGroup("ops");
        gitlab.addOAuthApplication("chatops", "s3cret");

        HttpRequest json = HttpRequest.newBuilder(URI.create(gitlab.baseUrl() + "/api/v4/groups/ops/members"))
                .header("PRIVATE-TOKEN", gitlab.adminToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"bob\",\"access_level\":40,\"expires_at\":\"2030-01-31\"}"))
                .build();
        HttpResponse<String> added = http.send(json, HttpResponse.BodyHandlers.ofString());
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(JSON.std.mapFrom(added.body())).containsEntry("expires_at", "2030-01-31");
        assertThat(gitlab.accessLevel("ops", "bob")).hasValue(40);

        String code = gitlab.authorize("chatops", "http://127.0.0.1:9/cb", "bob");
        Map<String, Object> first = JSON.std.mapFrom(send("POST", "/oauth/token", null, form(Map.of("grant_type",
                "authorization_code", "code", code, "client_id", "chatops", "client_secret", "s3cret",
                "redirect_uri", "http://127.0.0.1:9/cb"))).body());
        HttpResponse<String> refreshed = send(
                "POST",
                "/oauth/token",
                null,
                form(Map.of(
                        "grant_type",
                        "refresh_token",
                        "refresh_token",
                        (String) first.get("refresh_token"),
                        "client_id",
                        "chatops",
                        "client_secret",
                        "s3cret")));
        assertThat(refreshed.statusCode()).isEqualTo(200);
        String access = (String) JSON.std.mapFrom(refreshed.body()).get("access_token");
        assertThat(get("/api/v4/user", (String) first.get("access_token")).statusCode()).isEqualTo(401);
        assertThat(get("/api/v4/user", access).statusCode()).isEqualTo(200);

        gitlab.block("bob");
        HttpResponse<String> blocked = get("/api/v4/user", access);
        assertThat(blocked.statusCode()).isEqualTo(403);
        assertThat(JSON.std.mapFrom(blocked.body()))
                .containsEntry("message", "403 Forbidden - Your account has been blocked.");
    }

    /**
     * GitLab's Members API: {@code expires_at} is a {@code YEAR-MONTH-DAY} date, today or later
     * (GitLab's member validation: "cannot be a date in the past"), returned as given.
     */
    @Test
    void membersApi_takesExpiresAtAsADayNotInThePast_andShowsIt() throws Exception {
        long bob = gitlab.addUser("bob", true).id();
        long carol = gitlab.addUser("carol", true).id();
        gitlab.addProject("ops/chatops");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
        String path = "/api/v4/projects/ops%2Fchatops/members";

        HttpResponse<String> added = send("POST", path, gitlab.adminToken(), form(Map.of("user_id",
                String.valueOf(bob), "access_level", "30", "expires_at", today)));
        HttpResponse<String> past = send("POST", path, gitlab.adminToken(), form(Map.of("user_id",
                String.valueOf(carol), "access_level", "30", "expires_at", yesterday)));
        HttpResponse<String> malformed = send("POST", path, gitlab.adminToken(), form(Map.of("user_id",
                String.valueOf(carol), "access_level", "30", "expires_at", "31/01/2030")));

        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(JSON.std.mapFrom(added.body())).containsEntry("expires_at", today);
        assertThat(JSON.std.mapFrom(get(path + "/" + bob, gitlab.adminToken()).body()))
                .containsEntry("expires_at", today);
        assertThat(gitlab.expiresAt("ops/chatops", "bob")).hasValue(today);
        assertThat(past.statusCode()).isEqualTo(400);
        assertThat(past.body()).contains("cannot be a date in the past");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(gitlab.accessLevel("ops/chatops", "carol")).isEmpty();
    }

    @Test
    void loadsAFixture(@TempDir Path dir) throws Exception {
        Path fixture = dir.resolve("gitlab.json");
        Files.writeString(fixture, """
            {"users":[{"username":"admin","two_factor":true,"admin":true},{"username":"bob","two_factor":true}],
             "projects":["ops/chatops"], "groups":["ops"],
             "members":[{"path":"ops/chatops","username":"admin","access_level":50}],
             "admin_token":"glpat-test-admin-token",
             "oauth_applications":[{"client_id":"chatops-local","client_secret":"local-oauth-secret"}]}
            """);
        gitlab.seed(fixture);

        assertThat(gitlab.accessLevel("ops/chatops", "admin")).hasValue(50);
        HttpResponse<String> me = get("/api/v4/user", "glpat-test-admin-token");
        assertThat(JSON.std.mapFrom(me.body())).containsEntry("username", "admin").containsEntry("is_admin", true);
        assertThat(gitlab.authorize("chatops-local", "http://127.0.0.1:9/cb", "bob")).isNotBlank();

        Path shipped = Path.of("../local/src/main/resources/gitlab-ops.json");
        Assumptions.assumeTrue(Files.exists(shipped), "the local module's fixture is not next to this module");
        try (GitLabStandIn local = GitLabStandIn.fromFixture(shipped)) {
            HttpResponse<String> carol = http.send(HttpRequest.newBuilder(URI.create(local.baseUrl()
                    + "/api/v4/users?username=carol")).header("PRIVATE-TOKEN", "glpat-local-admin-token").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(((Map<?, ?>) JSON.std.listFrom(carol.body()).get(0)).get("two_factor_enabled")).isEqualTo(false);
            assertThat(local.accessLevel("ops/chatops", "admin")).hasValue(50);
            assertThat(local.authorize("chatops-local", "http://127.0.0.1:9/cb", "bob")).isNotBlank();
        }
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return send("GET", path, token, null);
    }

    private HttpResponse<String> send(String method, String path, String token, String form)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gitlab.baseUrl() + path))
                .method(
                        method,
                        form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(String jsonArray) throws IOException {
        return (Map<String, Object>) JSON.std.listFrom(jsonArray).get(0);
    }

    private static Map<String, Integer> levels(String json) throws IOException {
        Map<String, Integer> levels = new LinkedHashMap<>();
        for (Object member : JSON.std.listFrom(json)) {
            Map<?, ?> m = (Map<?, ?>) member;
            levels.put((String) m.get("username"), ((Number) m.get("access_level")).intValue());
        }
        return levels;
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static Map<String, String> parse(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(
                    URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return params;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
