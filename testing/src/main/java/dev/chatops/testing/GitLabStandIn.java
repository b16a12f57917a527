package dev.chatops.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A development stand-in for GitLab, never deployed: a loopback HTTP server that tests and the
 * local stack use in place of a real GitLab (none can run here). It answers the parts of GitLab's
 * REST API this project calls, under {@code /api/v4}: Users, single projects and groups, group and
 * project Members, Features (feature flags), project Issues, Deployments and the repository's
 * commits and merge base; and the OAuth 2 authorization-code flow ({@code /oauth/authorize},
 * {@code /oauth/token}). It answers in the field names, status codes and error bodies of GitLab's
 * public API documentation, from in-memory state seeded through its methods or a fixture file
 * ({@link #seed(Path)}).
 *
 * <p>As a JUnit 5 extension ({@code @RegisterExtension static GitLabStandIn gitlab = new
 * GitLabStandIn();}) it starts before the class, {@linkplain #reset() forgets everything} before
 * each test (tests seed what they need) and stops after the class. Elsewhere, {@link #start()},
 * {@link #start(int)} or {@link #fromFixture(Path)} and {@link #close()}.
 *
 * <p>Deliberate simplifications: two admin personal access token kinds (any token from
 * {@link #adminToken()}, and read-only ones from {@link #addReadOnlyToken}), OAuth tokens may read
 * every endpoint whatever their scope, only admin tokens may change members, the admin-only user
 * fields are shown to admin tokens only, any {@code redirect_uri} is accepted for a registered
 * application, and the sign-in page picks a user without a password.
 *
 * <p>This class is the facade: {@link StandInRouter} takes each request to one part per API
 * ({@link StandInUsers}, {@link StandInMembers}, {@link StandInFeatures}, {@link StandInIssues},
 * {@link StandInRepository}, {@link StandInOAuth}), which share {@link StandInState}. One lock
 * guards them all: this object, whose methods below are {@code synchronized}.
 */
public final class GitLabStandIn implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    /** A GitLab user as this stand-in keeps it; the HTTP answers show a documented subset. */
    public record User(long id, String username, String name, String email, String state, boolean twoFactorEnabled,
            boolean admin, boolean bot, String createdAt, String confirmedAt, String lastActivityOn,
            String lastSignInAt) {
        User withState(String newState) {
            return new User(id, username, name, email, newState, twoFactorEnabled, admin, bot, createdAt, confirmedAt,
                    lastActivityOn, lastSignInAt);
        }

        User withTwoFactor(boolean on) {
            return new User(id, username, name, email, state, on, admin, bot, createdAt, confirmedAt, lastActivityOn,
                    lastSignInAt);
        }
    }

    /**
     * A request as it arrived: method, raw path and query, content type and body, for tests to check
     * shapes, the {@code Sudo} header it carried (null when none): whose rights it asked for, and
     * whether it came with a read-only token ({@code read_api}).
     */
    public record Recorded(String method, String path, String contentType, String body, String sudo,
            boolean readOnlyToken) {
        /** Anything but a read. */
        public boolean write() {
            return !method.equals("GET") && !method.equals("HEAD");
        }
    }

    /** An issue of a project, as this stand-in keeps it. */
    public record Issue(long id, long iid, String title, String description, String state, List<String> labels,
            String createdAt) {
        Issue closed() {
            return new Issue(id, iid, title, description, "closed", labels, createdAt);
        }
    }

    /** A commit of a project's repository; {@code parent} is null for a root. */
    public record Commit(String sha, String parent, String title, String createdAt) {
    }

    /** A deployment of a project to an environment, as the Deployments API shows it. */
    public record Deployment(long id, String environment, String sha, String ref, boolean tag, String status,
            String createdAt, String finishedAt, String username, long pipelineId) {
    }

    // The parts, guarded by "this".
    private final StandInState state = new StandInState(this);
    private final StandInFaults faults = new StandInFaults();
    private final StandInUsers users = new StandInUsers(state);
    private final StandInMembers members = new StandInMembers(state, users);
    private final StandInFeatures features = new StandInFeatures(state);
    private final StandInIssues issues = new StandInIssues(state);
    private final StandInRepository repository = new StandInRepository(state);
    private final StandInOAuth oauth = new StandInOAuth(state);
    private final StandInFixture fixture = new StandInFixture(state, members, oauth, features, issues, repository);
    private final StandInRouter router =
            new StandInRouter(state, faults, users, members, features, issues, repository, oauth);
    private final StandInServer server = new StandInServer(state, router::handle);

    /** Not listening yet: {@link #listen(int)}, or register it as a JUnit extension. */
    public GitLabStandIn() {
        reset();
    }

    /** A stand-in listening on a free loopback port. */
    public static GitLabStandIn start() {
        return start(0);
    }

    /** A stand-in listening on 127.0.0.1:{@code port} (0 for a free one). */
    public static GitLabStandIn start(int port) {
        return new GitLabStandIn().listen(port);
    }

    /** A stand-in on a free loopback port, seeded from a fixture file ({@link #seed(Path)}); for the local stack. */
    public static GitLabStandIn fromFixture(Path json) {
        GitLabStandIn standIn = start();
        standIn.seed(json);
        return standIn;
    }

    /** Starts listening on 127.0.0.1:{@code port} (0 for a free one) unless it already listens. */
    public GitLabStandIn listen(int port) {
        server.listen(port);
        return this;
    }

    /** For instance {@code http://127.0.0.1:PORT}; the API is under {@code /api/v4}. */
    public String baseUrl() {
        return state.baseUrl();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        listen(0);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    // ---------------------------------------------------------------- seeding

    /** Forgets every user, project, group, member, token, application and recorded request. */
    public synchronized void reset() {
        state.clear();
        oauth.clear();
        router.clear();
        features.clear();
        issues.clear();
        faults.clear();
        repository.clear();
    }

    /** An active, non-admin user named after {@code username}, with {@code username@example.com}. */
    public User addUser(String username, boolean twoFactor) {
        return addUser(username, twoFactor, false);
    }

    public synchronized User addUser(String username, boolean twoFactor, boolean admin) {
        return state.addUser(username, null, null, twoFactor, admin, false, "active");
    }

    public synchronized Optional<User> user(String username) {
        return Optional.ofNullable(state.findUser(username));
    }

    public synchronized void setTwoFactor(String username, boolean on) {
        User user = state.requireUser(username);
        state.users.put(user.id(), user.withTwoFactor(on));
    }

    /** Blocks the user (state "blocked"): their OAuth tokens are refused and they cannot sign in. */
    public synchronized void block(String username) {
        User user = state.requireUser(username);
        state.users.put(user.id(), user.withState("blocked"));
    }

    /** Adds a project (or returns the id of the existing one); ancestor groups are not created. */
    public synchronized long addProject(String fullPath) {
        return state.project(fullPath).id();
    }

    /** Adds a group (or returns the id of the existing one); a project or subgroup under it inherits its members. */
    public synchronized long addGroup(String fullPath) {
        return state.group(fullPath).id();
    }

    /** Makes {@code username} a direct member of the project or group at {@code path}, replacing any level. */
    public synchronized void addMember(String path, String username, int accessLevel) {
        members.add(path, username, accessLevel, null);
    }

    public synchronized void removeMember(String path, String username) {
        members.remove(path, username);
    }

    /** The direct (not inherited) access level of {@code username} on the project or group at {@code path}. */
    public synchronized Optional<Integer> accessLevel(String path, String username) {
        return members.accessLevel(path, username);
    }

    /** The day {@code username}'s direct membership of {@code path} ends ({@code expires_at}); empty if never. */
    public synchronized Optional<String> expiresAt(String path, String username) {
        return members.expiresAt(path, username);
    }

    /** An admin personal access token, for the {@code PRIVATE-TOKEN} header or {@code Authorization: Bearer}. */
    public synchronized String adminToken() {
        return state.adminToken();
    }

    public synchronized void addAdminToken(String token) {
        state.adminTokens.add(token);
    }

    /**
     * An admin's personal access token with the {@code read_api} scope: it reads what an admin reads,
     * and GitLab refuses it anything else (403 {@code insufficient_scope}), Sudo included.
     */
    public synchronized void addReadOnlyToken(String token) {
        state.readOnlyTokens.add(token);
    }

    public synchronized void addOAuthApplication(String clientId, String clientSecret) {
        oauth.addApplication(clientId, clientSecret);
    }

    /**
     * What {@code POST /oauth/authorize} does when {@code username} signs in: an authorization code
     * for {@code clientId} and {@code redirectUri}, single-use, valid ten minutes.
     */
    public synchronized String authorize(String clientId, String redirectUri, String username) {
        return oauth.authorize(clientId, redirectUri, username);
    }

    /** An OAuth access token for {@code username}, as if it went through the authorization-code flow. */
    public synchronized String accessTokenFor(String username) {
        return oauth.accessTokenFor(username);
    }

    /** A personal access token of {@code username}, with that user's own rights (an admin's only if they are one). */
    public synchronized void addPersonalToken(String username, String token) {
        state.personalTokens.put(token, state.requireUser(username).username());
    }

    /**
     * The next {@code times} requests whose {@code "METHOD /api/v4/path"} starts with {@code prefix}
     * are answered {@code status} with GitLab's error body, changing nothing.
     */
    public synchronized void failNext(String prefix, int status, int times) {
        faults.failNext(prefix, status, times);
    }

    /**
     * The next {@code times} matching requests are handled, changing what they change, and then
     * answered {@code status}: a failure on the way back, which a client cannot tell from one that
     * changed nothing.
     */
    public synchronized void failAfterNext(String prefix, int status, int times) {
        faults.failAfterNext(prefix, status, times);
    }

    /** The next {@code times} matching requests are held for {@code stall} before they are handled. */
    public synchronized void stallNext(String prefix, Duration stall, int times) {
        faults.stallNext(prefix, stall, times);
    }

    /**
     * When the next request whose {@code "METHOD /api/v4/path"} starts with {@code prefix} arrives,
     * {@code action} runs before it is handled: something that happens elsewhere at that very moment
     * (a person unlinking while ChatOps reads their role, say).
     */
    public synchronized void onNext(String prefix, Runnable action) {
        faults.onNext(prefix, action);
    }

    /** Sets a flag through the same semantics as {@code POST /features/:name} with {@code value} alone. */
    public synchronized void setFeature(String name, String value) {
        features.set(name, value);
    }

    /** Sets a flag for actors given as in the API ({@code user} → usernames, {@code project} → paths, …). */
    public synchronized void setFeatureFor(String name, boolean enable, String param, String commaSeparated) {
        features.setFor(name, enable, param, commaSeparated);
    }

    /** Adds a YAML definition; once any flag is defined, setting an undefined one needs {@code force}. */
    public synchronized void defineFeature(String name, String type, boolean defaultEnabled) {
        features.define(name, type, defaultEnabled);
    }

    /** The flag as {@code GET /features} shows it, if stored. */
    public synchronized Optional<Map<String, Object>> feature(String name) {
        return features.find(name);
    }

    /** Opens an issue in the project at {@code path} (added if missing) with these labels; returns its iid. */
    public synchronized long addIssue(String path, String title, String... labels) {
        return issues.add(path, title, labels);
    }

    public synchronized void closeIssue(String path, long iid) {
        issues.close(path, iid);
    }

    /** The issues of the project at {@code path}, oldest first. */
    public synchronized List<Issue> issues(String path) {
        return issues.of(path);
    }

    /** Adds a commit (40 hex digits) to the repository of the project at {@code path} (added if missing). */
    public synchronized void addCommit(String path, String sha, String parent, String title) {
        repository.addCommit(path, sha, parent, title);
    }

    /**
     * Records a deployment of {@code sha} to {@code environment}, the newest so far. {@code status}
     * is GitLab's: created, running, success, failed, canceled, blocked. {@code finishedAt} may be null.
     */
    public synchronized long addDeployment(String path, String environment, String sha, String ref, boolean tag,
            String status, Instant finishedAt, String username) {
        return repository.addDeployment(path, environment, sha, ref, tag, status, finishedAt, username);
    }

    /** Every request since the last {@link #reset()} with its body. */
    public List<Recorded> recorded() {
        return router.recorded();
    }

    /**
     * Adds what a fixture file holds, for example:
     * <pre>{@code
     * {"users":[{"username":"admin","two_factor":true,"admin":true},{"username":"bob","two_factor":true}],
     *  "projects":["ops/chatops"], "groups":["ops"],
     *  "members":[{"path":"ops/chatops","username":"admin","access_level":50}],
     *  "admin_token":"glpat-local-admin-token",
     *  "oauth_applications":[{"client_id":"chatops-local","client_secret":"local-oauth-secret"}]}
     * }</pre>
     * Users may also have {@code name}, {@code email}, {@code bot} and {@code state}; members {@code expires_at}.
     * {@code "features":{"my_flag":"true"}} sets flags by value; {@code "issues":[{"project":"…","title":"…",
     * "labels":["severity::1"],"state":"opened"}]} opens issues.
     */
    public synchronized void seed(Path json) {
        fixture.seed(json);
    }

    /** Every request seen since the last {@link #reset()}, as {@code METHOD /raw/path?raw-query}. */
    public List<String> requests() {
        return router.requests();
    }
}
