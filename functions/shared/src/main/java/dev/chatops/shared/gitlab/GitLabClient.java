package dev.chatops.shared.gitlab;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The few GitLab REST calls ChatOps makes (Users, Members, OAuth, Features, Issues), on one instance.
 * Written on the JDK's HTTP client rather than a GitLab SDK (gitlab4j-api 6 would bring Jersey and
 * Jackson databind for some twenty endpoints; the function's size and cold start matter more).
 *
 * <p>Reads ({@code GET}) that fail for a passing reason (unreachable, 429, 5xx) are tried up to three
 * times while less than {@value GitLabHttp#RETRY_BUDGET_MILLIS} ms have passed; writes never are, since a
 * write that timed out may have been made.
 */
public final class GitLabClient {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final GitLabHttp http;

    /**
     * @param baseUrl the instance, e.g. {@code https://ops.gitlab.net}
     * @param token its API token (read when first needed; an admin token for users' private fields)
     */
    public GitLabClient(String baseUrl, Supplier<String> token) {
        this(baseUrl, token, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long one request may take before it counts as timed out */
    public GitLabClient(String baseUrl, Supplier<String> token, Duration timeout) {
        this(new GitLabHttp(baseUrl, token, null, timeout));
    }

    private GitLabClient(GitLabHttp http) {
        this.http = http;
    }

    /**
     * This client acting as the GitLab user {@code userId} (GitLab's {@code Sudo} header with the admin
     * token): GitLab then applies that user's own rights, so a change is allowed only if the person
     * could make it themselves.
     */
    public GitLabClient as(long userId) {
        return new GitLabClient(http.as(userId));
    }

    public String baseUrl() {
        return http.baseUrl();
    }

    /** The account with exactly this username (case-insensitive), if any. */
    public Optional<GitLabUser> userByUsername(String username) {
        List<Object> found = http.getList("/users?username=" + enc(username));
        return found.isEmpty() ? Optional.empty() : Optional.of(GitLabUser.from(map(found.get(0))));
    }

    /** Accounts whose username, name or email matches {@code text}. */
    public List<GitLabUser> searchUsers(String text) {
        List<GitLabUser> users = new ArrayList<>();
        for (Object user : http.getList("/users?search=" + enc(text) + "&per_page=20")) {
            users.add(GitLabUser.from(map(user)));
        }
        return users;
    }

    public Optional<GitLabUser> user(long id) {
        return http.findObject("/users/" + id).map(GitLabUser::from);
    }

    /** The account an OAuth access token belongs to ({@code GET /user}). */
    public GitLabUser currentUser(String oauthAccessToken) {
        return GitLabUser.from(map(http.send(
                http.request("/user").header("Authorization", "Bearer " + oauthAccessToken).GET(), false)));
    }

    /** The user's access level on a project, inherited ones included; empty when not a member. */
    public Optional<Integer> projectAccessLevel(String projectPath, long userId) {
        // An invitation not yet accepted, or a membership past its expiry date, grants nothing.
        return http.findObject("/projects/" + enc(projectPath) + "/members/all/" + userId).map(Member::from)
                .filter(member -> member.effective(LocalDate.now(ZoneOffset.UTC))).map(Member::accessLevel);
    }

    /** Whether {@code path} is a project (else a group is tried), as the Members API needs to know. */
    public String sourceOf(String path) {
        try {
            http.getObject("/projects/" + enc(path));
            return "projects";
        } catch (GitLabException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
        http.getObject("/groups/" + enc(path));
        return "groups";
    }

    public Member addMember(String source, String path, long userId, int accessLevel) {
        return addMember(source, path, userId, accessLevel, Optional.empty());
    }

    /**
     * Adds a direct member whose membership ends on {@code expiresAt} (GitLab's {@code expires_at},
     * {@code YEAR-MONTH-DAY}: GitLab removes the membership when that day is over).
     */
    public Member addMember(String source, String path, long userId, int accessLevel, Optional<LocalDate> expiresAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user_id", userId);
        body.put("access_level", accessLevel);
        expiresAt.ifPresent(day -> body.put("expires_at", day.toString()));
        return Member.from(http.postJson("/" + source + "/" + enc(path) + "/members", body));
    }

    /** The user's direct membership of a project or group (not an inherited one); empty when there is none. */
    public Optional<Member> directMember(String source, String path, long userId) {
        return http.findObject("/" + source + "/" + enc(path) + "/members/" + userId).map(Member::from);
    }

    public void removeMember(String source, String path, long userId) {
        http.delete("/" + source + "/" + enc(path) + "/members/" + userId);
    }

    /** Every member of a project or group, inherited ones included, across pages. */
    public List<Member> members(String source, String path) {
        List<Member> members = new ArrayList<>();
        for (int page = 1; page <= 50; page++) {
            List<Object> batch = http.getList("/" + source + "/" + enc(path) + "/members/all?per_page=100&page="
                    + page);
            for (Object member : batch) {
                members.add(Member.from(map(member)));
            }
            if (batch.size() < 100) {
                break;
            }
        }
        return members;
    }

    /** Every feature flag GitLab stores, with its gates ({@code GET /features}; admin token). */
    public List<FeatureFlag> features() {
        List<FeatureFlag> flags = new ArrayList<>();
        for (Object flag : http.getList("/features")) {
            flags.add(FeatureFlag.from(map(flag)));
        }
        return flags;
    }

    /** One flag, or {@link FeatureFlag#absent} when GitLab stores none by that name. */
    public FeatureFlag feature(String name) {
        return features().stream().filter(f -> f.name().equals(name)).findFirst().orElse(FeatureFlag.absent(name));
    }

    /**
     * Sets a gate ({@code POST /features/:name}, form-encoded as in GitLab's documentation):
     * {@code value} ({@code true}, {@code false} or a percentage), and at most one of {@code key} or
     * the actor gates ({@code user}, {@code project}, {@code group}, {@code namespace}, {@code repository},
     * {@code feature_group}, each comma-separated). Returns the flag as GitLab has it afterwards.
     */
    public FeatureFlag setFeature(String name, Map<String, String> params) {
        StringBuilder form = new StringBuilder();
        params.forEach((key, value) -> form.append(form.length() == 0 ? "" : "&")
                .append(enc(key)).append('=').append(enc(value)));
        return FeatureFlag.from(http.postForm("/features/" + enc(name), form.toString()));
    }

    /** Removes a flag's gates ({@code DELETE /features/:name}); GitLab answers alike whether it existed or not. */
    public void deleteFeature(String name) {
        http.delete("/features/" + enc(name));
    }

    /**
     * What a Flipper id names ({@code User:5} → its username, {@code Project:3} and {@code Group:4} →
     * their full paths); empty for other kinds or when GitLab does not know it.
     */
    public Optional<String> actorName(String flipperId) {
        int colon = flipperId.lastIndexOf(':');
        String type = colon < 0 ? "" : flipperId.substring(0, colon);
        String id = flipperId.substring(colon + 1);
        if (!id.matches("[0-9]{1,18}")) {
            return Optional.empty();
        }
        Optional<Map<String, Object>> found = switch (type) {
            case "User" -> http.findObject("/users/" + id);
            case "Project" -> http.findObject("/projects/" + id);
            case "Group" -> http.findObject("/groups/" + id);
            default -> Optional.empty();
        };
        String field = switch (type) {
            case "User" -> "username";
            case "Project" -> "path_with_namespace";
            default -> "full_path";
        };
        return found.map(object -> object.get(field)).map(String::valueOf);
    }

    /** Open issues of a project carrying {@code label}, newest first, at most {@code limit}. */
    public List<GitLabIssue> openIssues(String projectPath, String label, int limit) {
        List<GitLabIssue> issues = new ArrayList<>();
        for (Object issue : http.getList("/projects/" + enc(projectPath) + "/issues?state=opened&labels=" + enc(label)
                + "&order_by=created_at&sort=desc&per_page=" + limit)) {
            issues.add(GitLabIssue.from(map(issue)));
        }
        return issues;
    }

    /** Issues of a project whose title or description contains {@code text}. */
    public List<GitLabIssue> searchIssues(String projectPath, String text) {
        List<GitLabIssue> issues = new ArrayList<>();
        for (Object issue : http.getList("/projects/" + enc(projectPath) + "/issues?search=" + enc(text)
                + "&per_page=20")) {
            issues.add(GitLabIssue.from(map(issue)));
        }
        return issues;
    }

    /** Creates an issue ({@code POST /projects/:id/issues}) with comma-separated labels. */
    public GitLabIssue createIssue(String projectPath, String title, String description, List<String> labels) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", title);
        body.put("description", description);
        body.put("labels", String.join(",", labels));
        return GitLabIssue.from(http.postJson("/projects/" + enc(projectPath) + "/issues", body));
    }

    /**
     * Closes an issue ({@code PUT /projects/:id/issues/:iid} with {@code state_event=close}); closing
     * twice is harmless.
     */
    public GitLabIssue closeIssue(String projectPath, long iid) {
        return GitLabIssue.from(http.putJson("/projects/" + enc(projectPath) + "/issues/" + iid,
                "{\"state_event\":\"close\"}"));
    }

    /**
     * The newest deployment of a project to {@code environment} ({@code GET /projects/:id/deployments},
     * newest id first), of any status, or only of {@code status} when given.
     */
    public Optional<GitLabDeployment> latestDeployment(String projectPath, String environment, String status) {
        List<Object> found = http.getList("/projects/" + enc(projectPath) + "/deployments?environment="
                + enc(environment) + (status == null ? "" : "&status=" + enc(status))
                + "&order_by=id&sort=desc&per_page=1");
        return found.isEmpty() ? Optional.empty() : Optional.of(GitLabDeployment.from(map(found.get(0))));
    }

    /**
     * The commit a sha or unambiguous prefix names ({@code GET /projects/:id/repository/commits/:sha});
     * empty when none.
     */
    public Optional<GitLabCommit> commit(String projectPath, String sha) {
        return http.findObject("/projects/" + enc(projectPath) + "/repository/commits/" + enc(sha))
                .map(GitLabCommit::from);
    }

    /** The best common ancestor of two commits ({@code GET /projects/:id/repository/merge_base}); empty when none. */
    public Optional<String> mergeBase(String projectPath, String first, String second) {
        return http.findObject("/projects/" + enc(projectPath) + "/repository/merge_base?refs%5B%5D="
                + enc(first) + "&refs%5B%5D=" + enc(second)).map(object -> String.valueOf(object.get("id")));
    }

    /** Exchanges an OAuth authorization code for an access token ({@code POST /oauth/token}). */
    public String exchangeCode(String clientId, String clientSecret, String code, String redirectUri) {
        String form = "grant_type=authorization_code&code=" + enc(code) + "&client_id=" + enc(clientId)
                + "&client_secret=" + enc(clientSecret) + "&redirect_uri=" + enc(redirectUri);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http.baseUrl() + "/oauth/token"))
                .timeout(http.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        Object token = map(http.send(request, false)).get("access_token");
        if (token == null) {
            throw new GitLabException(502, "GitLab gave no access token");
        }
        return String.valueOf(token);
    }

    /** Where a person is sent to let ChatOps read their GitLab account ({@code scope=read_user}). */
    public String authorizeUrl(String clientId, String redirectUri, String state) {
        return http.baseUrl() + "/oauth/authorize?client_id=" + enc(clientId) + "&redirect_uri=" + enc(redirectUri)
                + "&response_type=code&state=" + enc(state) + "&scope=read_user";
    }

    private static Map<String, Object> map(Object value) {
        return GitLabHttp.map(value);
    }

    private static String enc(String value) {
        return GitLabHttp.enc(value);
    }
}
