package dev.chatops.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * every endpoint whatever their scope, only admin tokens may change members, the admin-only user fields are shown to admin tokens only, any
 * {@code redirect_uri} is accepted for a registered application, and the sign-in page picks a user
 * without a password.
 */
public final class GitLabStandIn implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    /** A GitLab user as this stand-in keeps it; the HTTP answers show a documented subset. */
    public record User(long id, String username, String name, String email, String state, boolean twoFactorEnabled,
            boolean admin, boolean bot, String createdAt, String confirmedAt, String lastActivityOn, String lastSignInAt) {
        User withState(String newState) {
            return new User(id, username, name, email, newState, twoFactorEnabled, admin, bot, createdAt, confirmedAt,
                    lastActivityOn, lastSignInAt);
        }

        User withTwoFactor(boolean on) {
            return new User(id, username, name, email, state, on, admin, bot, createdAt, confirmedAt, lastActivityOn,
                    lastSignInAt);
        }
    }

    /** A project or a group: a membership source. */
    private record Source(boolean project, long id, String fullPath) {
        String key() {
            return (project ? "project:" : "group:") + id;
        }
    }

    private record Membership(int accessLevel, String expiresAt, String createdAt) {
    }

    private record Grant(String clientId, String redirectUri, long userId, String scope, Instant expiresAt) {
    }

    private record Token(long userId, String clientId, String scope, String refreshToken, Instant expiresAt) {
    }

    /** Who calls the API: an admin token (user may be null if no admin user is seeded) or an OAuth user. */
    private record Caller(boolean admin, User user, boolean readOnly) {
    }

    private record Request(String method, List<String> path, Map<String, String> params, HttpExchange exchange) {
        String param(String name) {
            String value = params.get(name);
            return value == null || value.isEmpty() ? null : value;
        }

        String header(String name) {
            return exchange.getRequestHeaders().getFirst(name);
        }
    }

    private record Reply(int status, String contentType, Map<String, String> headers, byte[] body) {
    }

    /**
     * A request as it arrived: method, raw path and query, content type and body, for tests to check
     * shapes, the {@code Sudo} header it carried (null when none): whose rights it asked for, and
     * whether it came with a read-only token ({@code read_api}).
     */
    public record Recorded(String method, String path, String contentType, String body, String sudo, boolean readOnlyToken) {
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

    /** A planned failure: the next {@code times} requests whose "METHOD /path" starts with {@code prefix}. */
    private static final class Fault {
        final String prefix;
        final int status;
        final Duration stall;
        final boolean applied;
        int times;

        Fault(String prefix, int status, Duration stall, boolean applied, int times) {
            this.prefix = prefix;
            this.status = status;
            this.stall = stall;
            this.applied = applied;
            this.times = times;
        }
    }

    /** GitLab's access levels (Gitlab::Access): minimal, guest, planner, reporter, developer, maintainer, owner. */
    private static final Set<Integer> ACCESS_LEVELS = Set.of(5, 10, 15, 20, 30, 40, 50);
    private static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
    private static final long TOKEN_LIFETIME_SECONDS = 7200;
    private static final String INVALID_GRANT = "The provided authorization grant is invalid, expired, revoked, does not"
            + " match the redirection URI used in the authorization request, or was issued to another client.";
    private static final String INVALID_CLIENT = "Client authentication failed due to unknown client, no client"
            + " authentication included, or unsupported authentication method.";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final JSON JSON_OUT = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Object lifecycle = new Object();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private ExecutorService executor;
    private volatile String baseUrl;

    // State, guarded by "this".
    private final Map<Long, User> users = new LinkedHashMap<>();
    private final Map<String, Source> projects = new LinkedHashMap<>();
    private final Map<String, Source> groups = new LinkedHashMap<>();
    private final Map<String, Map<Long, Membership>> memberships = new LinkedHashMap<>();
    private final Set<String> adminTokens = new LinkedHashSet<>();
    private final Set<String> readOnlyTokens = new LinkedHashSet<>();
    private final Map<String, String> oauthApplications = new LinkedHashMap<>();
    private final Map<String, Grant> grants = new LinkedHashMap<>();
    private final Map<String, Token> tokens = new LinkedHashMap<>();
    private final Map<String, String> refreshTokens = new LinkedHashMap<>();
    private final StandInFlags flags = new StandInFlags();
    private final Map<String, List<Issue>> issues = new LinkedHashMap<>();
    private final Map<String, Map<String, Commit>> commits = new LinkedHashMap<>();
    private final Map<String, List<Deployment>> deployments = new LinkedHashMap<>();
    private long nextDeploymentId = 1;
    private final Map<String, String> personalTokens = new LinkedHashMap<>();
    private final List<Fault> faults = new ArrayList<>();
    /** What happens elsewhere just as a request arrives: {@link #onNext(String, Runnable)}. */
    private final List<Map.Entry<String, Runnable>> arrivals = new ArrayList<>();
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    private long nextIssueId = 1;
    /** Counts {@link #reset()}s: a request stalled across one is dropped, so it cannot change the next test's state. */
    private volatile long generation;
    private long nextUserId = 1;
    private long nextProjectId = 1;
    private long nextGroupId = 1;

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

    /** A stand-in on a free loopback port, seeded from a fixture file (see {@link #seed(Path)}); for the local stack. */
    public static GitLabStandIn fromFixture(Path json) {
        GitLabStandIn standIn = start();
        standIn.seed(json);
        return standIn;
    }

    /** Starts listening on 127.0.0.1:{@code port} (0 for a free one) unless it already listens. */
    public GitLabStandIn listen(int port) {
        synchronized (lifecycle) {
            if (server != null) {
                return this;
            }
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 50);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open loopback port " + port, e);
            }
            executor = Executors.newCachedThreadPool(r -> {
                Thread thread = new Thread(r, "gitlab-stand-in");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
            baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
            return this;
        }
    }

    /** For instance {@code http://127.0.0.1:PORT}; the API is under {@code /api/v4}. */
    public String baseUrl() {
        String url = baseUrl;
        if (url == null) {
            throw new IllegalStateException("the GitLab stand-in is not listening");
        }
        return url;
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (server != null) {
                server.stop(0);
                executor.shutdownNow();
                server = null;
                baseUrl = null;
            }
        }
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
        users.clear();
        projects.clear();
        groups.clear();
        memberships.clear();
        adminTokens.clear();
        readOnlyTokens.clear();
        oauthApplications.clear();
        grants.clear();
        tokens.clear();
        refreshTokens.clear();
        requests.clear();
        recorded.clear();
        generation++;
        flags.reset();
        issues.clear();
        personalTokens.clear();
        faults.clear();
        arrivals.clear();
        commits.clear();
        deployments.clear();
        // Ids keep counting, as GitLab's never come back: state kept elsewhere (links in DynamoDB)
        // across tests cannot mistake a new user for an old one.
    }

    /** An active, non-admin user named after {@code username}, with {@code username@example.com}. */
    public User addUser(String username, boolean twoFactor) {
        return addUser(username, twoFactor, false);
    }

    public User addUser(String username, boolean twoFactor, boolean admin) {
        return addUser(username, null, null, twoFactor, admin, false, "active");
    }

    private synchronized User addUser(String username, String name, String email, boolean twoFactor, boolean admin,
            boolean bot, String state) {
        if (findUser(username) != null) {
            throw new IllegalArgumentException("user " + username + " already exists");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String created = TIMESTAMP.format(now.minus(Duration.ofDays(30)));
        User user = new User(nextUserId++, username,
                name != null ? name : username.substring(0, 1).toUpperCase(Locale.ROOT) + username.substring(1),
                email != null ? email : username.toLowerCase(Locale.ROOT) + "@example.com", state, twoFactor, admin, bot,
                created, created, LocalDate.now(ZoneOffset.UTC).toString(), TIMESTAMP.format(now));
        users.put(user.id(), user);
        return user;
    }

    public synchronized Optional<User> user(String username) {
        return Optional.ofNullable(findUser(username));
    }

    public synchronized void setTwoFactor(String username, boolean on) {
        User user = requireUser(username);
        users.put(user.id(), user.withTwoFactor(on));
    }

    /** Blocks the user (state "blocked"): their OAuth tokens are refused and they cannot sign in. */
    public synchronized void block(String username) {
        User user = requireUser(username);
        users.put(user.id(), user.withState("blocked"));
    }

    /** Adds a project (or returns the id of the existing one); ancestor groups are not created. */
    public synchronized long addProject(String fullPath) {
        return projects.computeIfAbsent(key(fullPath), k -> new Source(true, nextProjectId++, fullPath)).id();
    }

    /** Adds a group (or returns the id of the existing one); a project or subgroup under it inherits its members. */
    public synchronized long addGroup(String fullPath) {
        return groups.computeIfAbsent(key(fullPath), k -> new Source(false, nextGroupId++, fullPath)).id();
    }

    /** Makes {@code username} a direct member of the project or group at {@code path}, replacing any level. */
    public synchronized void addMember(String path, String username, int accessLevel) {
        memberships.computeIfAbsent(requireSource(path).key(), k -> new LinkedHashMap<>())
                .put(requireUser(username).id(), new Membership(accessLevel, null, TIMESTAMP.format(Instant.now())));
    }

    public synchronized void removeMember(String path, String username) {
        direct(requireSource(path)).remove(requireUser(username).id());
    }

    /** The direct (not inherited) access level of {@code username} on the project or group at {@code path}. */
    public synchronized Optional<Integer> accessLevel(String path, String username) {
        return Optional.ofNullable(direct(requireSource(path)).get(requireUser(username).id()))
                .map(Membership::accessLevel);
    }

    /** An admin personal access token, for the {@code PRIVATE-TOKEN} header or {@code Authorization: Bearer}. */
    public synchronized String adminToken() {
        if (adminTokens.isEmpty()) {
            adminTokens.add("glpat-" + randomHex(10));
        }
        return adminTokens.iterator().next();
    }

    public synchronized void addAdminToken(String token) {
        adminTokens.add(token);
    }

    /**
     * An admin's personal access token with the {@code read_api} scope: it reads what an admin reads,
     * and GitLab refuses it anything else (403 {@code insufficient_scope}), Sudo included.
     */
    public synchronized void addReadOnlyToken(String token) {
        readOnlyTokens.add(token);
    }

    public synchronized void addOAuthApplication(String clientId, String clientSecret) {
        oauthApplications.put(clientId, clientSecret);
    }

    /**
     * What {@code POST /oauth/authorize} does when {@code username} signs in: an authorization code
     * for {@code clientId} and {@code redirectUri}, single-use, valid ten minutes.
     */
    public synchronized String authorize(String clientId, String redirectUri, String username) {
        if (!oauthApplications.containsKey(clientId)) {
            throw new IllegalArgumentException("unknown OAuth application " + clientId);
        }
        return issueCode(clientId, redirectUri, requireUser(username), "read_user");
    }

    /** An OAuth access token for {@code username}, as if it went through the authorization-code flow. */
    public synchronized String accessTokenFor(String username) {
        return (String) issueToken(requireUser(username).id(), null, "read_user").get("access_token");
    }

    /** A personal access token of {@code username}, with that user's own rights (not an admin's, unless they are one). */
    public synchronized void addPersonalToken(String username, String token) {
        personalTokens.put(token, requireUser(username).username());
    }

    /**
     * The next {@code times} requests whose {@code "METHOD /api/v4/path"} starts with {@code prefix}
     * are answered {@code status} with GitLab's error body, changing nothing.
     */
    public synchronized void failNext(String prefix, int status, int times) {
        faults.add(new Fault(prefix, status, null, false, times));
    }

    /**
     * The next {@code times} matching requests are handled, changing what they change, and then
     * answered {@code status}: a failure on the way back, which a client cannot tell from one that
     * changed nothing.
     */
    public synchronized void failAfterNext(String prefix, int status, int times) {
        faults.add(new Fault(prefix, status, null, true, times));
    }

    /** The next {@code times} matching requests are held for {@code stall} before they are handled. */
    public synchronized void stallNext(String prefix, Duration stall, int times) {
        faults.add(new Fault(prefix, 0, stall, true, times));
    }

    /**
     * When the next request whose {@code "METHOD /api/v4/path"} starts with {@code prefix} arrives,
     * {@code action} runs before it is handled: something that happens elsewhere at that very moment
     * (a person unlinking while ChatOps reads their role, say).
     */
    public synchronized void onNext(String prefix, Runnable action) {
        arrivals.add(Map.entry(prefix, action));
    }

    private synchronized Runnable takeArrival(String request) {
        for (int i = 0; i < arrivals.size(); i++) {
            if (request.startsWith(arrivals.get(i).getKey())) {
                return arrivals.remove(i).getValue();
            }
        }
        return null;
    }

    /** Sets a flag through the same semantics as {@code POST /features/:name} with {@code value} alone. */
    public synchronized void setFeature(String name, String value) {
        applyFeature(name, value, null, List.of(), List.of());
    }

    /** Sets a flag for actors given as in the API ({@code user} → usernames, {@code project} → paths, …). */
    public synchronized void setFeatureFor(String name, boolean enable, String param, String commaSeparated) {
        List<String> ids = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        String problem = resolveActors(param, commaSeparated, ids, groups);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        applyFeature(name, Boolean.toString(enable), null, ids, groups);
    }

    /** Adds a YAML definition; once any flag is defined, setting an undefined one needs {@code force}. */
    public synchronized void defineFeature(String name, String type, boolean defaultEnabled) {
        flags.define(name, type, defaultEnabled);
    }

    /** The flag as {@code GET /features} shows it, if stored. */
    public synchronized Optional<Map<String, Object>> feature(String name) {
        return flags.find(name) == null ? Optional.empty() : Optional.of(flags.json(name));
    }

    /** Opens an issue in the project at {@code path} (added if missing) with these labels; returns its iid. */
    public synchronized long addIssue(String path, String title, String... labels) {
        Source project = projects.get(key(path)) != null ? projects.get(key(path)) : resolve(true, Long.toString(addProject(path)));
        List<Issue> list = issues.computeIfAbsent(project.key(), k -> new ArrayList<>());
        Issue issue = new Issue(nextIssueId++, list.size() + 1, title, "", "opened", List.of(labels), TIMESTAMP.format(Instant.now()));
        list.add(issue);
        return issue.iid();
    }

    public synchronized void closeIssue(String path, long iid) {
        List<Issue> list = issues.getOrDefault(requireSource(path).key(), List.of());
        list.replaceAll(i -> i.iid() == iid ? i.closed() : i);
    }

    /** The issues of the project at {@code path}, oldest first. */
    public synchronized List<Issue> issues(String path) {
        return List.copyOf(issues.getOrDefault(requireSource(path).key(), List.of()));
    }

    /** Adds a commit (40 hex digits) to the repository of the project at {@code path} (added if missing). */
    public synchronized void addCommit(String path, String sha, String parent, String title) {
        if (!sha.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException("a commit sha is 40 hex digits: " + sha);
        }
        String key = projectKey(path);
        commits.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(sha, new Commit(sha, parent, title,
                TIMESTAMP.format(Instant.now().minus(Duration.ofDays(1)))));
    }

    /**
     * Records a deployment of {@code sha} to {@code environment}, the newest so far. {@code status}
     * is GitLab's: created, running, success, failed, canceled, blocked. {@code finishedAt} may be null.
     */
    public synchronized long addDeployment(String path, String environment, String sha, String ref, boolean tag, String status,
            Instant finishedAt, String username) {
        long id = nextDeploymentId++;
        Instant created = finishedAt == null ? Instant.now() : finishedAt.minus(Duration.ofMinutes(20));
        deployments.computeIfAbsent(projectKey(path), k -> new ArrayList<>()).add(new Deployment(id, environment, sha, ref, tag,
                status, TIMESTAMP.format(created), finishedAt == null ? null : TIMESTAMP.format(finishedAt), username, 1000 + id));
        return id;
    }

    private String projectKey(String path) {
        Source project = projects.get(key(path)) != null ? projects.get(key(path)) : resolve(true, Long.toString(addProject(path)));
        return project.key();
    }

    /** Every request since the last {@link #reset()} with its body. */
    public List<Recorded> recorded() {
        return List.copyOf(recorded);
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
    @SuppressWarnings("unchecked")
    public synchronized void seed(Path json) {
        Map<String, Object> fixture;
        try {
            fixture = JSON.std.mapFrom(Files.readString(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read GitLab fixture " + json, e);
        }
        for (Map<String, Object> u : (List<Map<String, Object>>) fixture.getOrDefault("users", List.of())) {
            addUser((String) u.get("username"), (String) u.get("name"), (String) u.get("email"),
                    Boolean.TRUE.equals(u.get("two_factor")), Boolean.TRUE.equals(u.get("admin")),
                    Boolean.TRUE.equals(u.get("bot")), (String) u.getOrDefault("state", "active"));
        }
        ((List<String>) fixture.getOrDefault("groups", List.of())).forEach(this::addGroup);
        ((List<String>) fixture.getOrDefault("projects", List.of())).forEach(this::addProject);
        for (Map<String, Object> m : (List<Map<String, Object>>) fixture.getOrDefault("members", List.of())) {
            memberships.computeIfAbsent(requireSource((String) m.get("path")).key(), k -> new LinkedHashMap<>())
                    .put(requireUser((String) m.get("username")).id(), new Membership(
                            ((Number) m.get("access_level")).intValue(), (String) m.get("expires_at"),
                            TIMESTAMP.format(Instant.now())));
        }
        if (fixture.get("admin_token") instanceof String token) {
            adminTokens.add(token);
        }
        if (fixture.get("read_only_token") instanceof String token) {
            readOnlyTokens.add(token);
        }
        for (Map<String, Object> a : (List<Map<String, Object>>) fixture.getOrDefault("oauth_applications", List.of())) {
            addOAuthApplication((String) a.get("client_id"), (String) a.get("client_secret"));
        }
        ((Map<String, Object>) fixture.getOrDefault("features", Map.of())).forEach((name, value) ->
                setFeature(name, String.valueOf(value)));
        for (Map<String, Object> c : (List<Map<String, Object>>) fixture.getOrDefault("commits", List.of())) {
            addCommit((String) c.get("project"), (String) c.get("sha"), (String) c.get("parent"), (String) c.get("title"));
        }
        for (Map<String, Object> d : (List<Map<String, Object>>) fixture.getOrDefault("deployments", List.of())) {
            Object minutesAgo = d.get("finished_minutes_ago");
            addDeployment((String) d.get("project"), (String) d.get("environment"), (String) d.get("sha"), (String) d.get("ref"),
                    Boolean.TRUE.equals(d.get("tag")), (String) d.getOrDefault("status", "success"),
                    minutesAgo == null ? null : Instant.now().minus(Duration.ofMinutes(((Number) minutesAgo).longValue())),
                    (String) d.getOrDefault("user", "deployer"));
        }
        for (Map<String, Object> i : (List<Map<String, Object>>) fixture.getOrDefault("issues", List.of())) {
            long iid = addIssue((String) i.get("project"), (String) i.get("title"),
                    ((List<String>) i.getOrDefault("labels", List.of())).toArray(new String[0]));
            if ("closed".equals(i.get("state"))) {
                closeIssue((String) i.get("project"), iid);
            }
        }
    }

    /** Every request seen since the last {@link #reset()}, as {@code METHOD /raw/path?raw-query}. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String rawPath = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            requests.add(exchange.getRequestMethod() + " " + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
            Reply reply;
            try {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String contentType = Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst("Content-Type"), "");
                String token = exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN");
                String bearer = exchange.getRequestHeaders().getFirst("Authorization");
                boolean readOnly;
                synchronized (this) {
                    readOnly = token != null && readOnlyTokens.contains(token)
                            || bearer != null && bearer.startsWith("Bearer ") && readOnlyTokens.contains(bearer.substring(7));
                }
                recorded.add(new Recorded(exchange.getRequestMethod(), rawPath + (rawQuery == null ? "" : "?" + rawQuery),
                        contentType, new String(body, StandardCharsets.UTF_8), exchange.getRequestHeaders().getFirst("Sudo"), readOnly));
                long started = generation;
                Runnable arrival = takeArrival(exchange.getRequestMethod() + " " + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
                if (arrival != null) {
                    arrival.run();
                }
                Fault fault = takeFault(exchange.getRequestMethod() + " " + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
                if (fault != null && fault.stall != null) {
                    try {
                        Thread.sleep(fault.stall.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (started != generation) {
                    reply = json(503, message("503 Service Unavailable"));
                } else if (fault != null && fault.status > 0 && !fault.applied) {
                    reply = json(fault.status, message(fault.status + " " + reason(fault.status)));
                } else {
                    Request request = new Request(exchange.getRequestMethod(), segments(rawPath),
                            params(exchange.getRequestURI().getRawQuery(), body, contentType), exchange);
                    synchronized (this) {
                        reply = route(request);
                    }
                    if (fault != null && fault.status > 0) {
                        reply = json(fault.status, message(fault.status + " " + reason(fault.status)));
                    }
                }
            } catch (RuntimeException e) {
                reply = json(500, message("500 Internal Server Error"));
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            if (reply.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            }
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            if (reply.body().length > 0) {
                exchange.getResponseBody().write(reply.body());
            }
        }
    }

    private Reply route(Request r) {
        List<String> p = r.path();
        if (p.size() == 2 && p.get(0).equals("oauth")) {
            if (p.get(1).equals("authorize") && r.method().equals("GET")) {
                return authorizePage(r);
            }
            if (p.get(1).equals("authorize") && r.method().equals("POST")) {
                return authorizeSubmit(r);
            }
            if (p.get(1).equals("token") && r.method().equals("POST")) {
                return token(r);
            }
        }
        if (p.size() > 2 && p.get(0).equals("api") && p.get(1).equals("v4")) {
            return api(r, p.subList(2, p.size()));
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    private Reply api(Request r, List<String> p) {
        Caller caller = authenticate(r);
        if (caller == null) {
            return json(401, message("401 Unauthorized"));
        }
        if (caller.user() != null && !caller.admin() && !caller.user().state().equals("active")) {
            return json(403, message("403 Forbidden - Your account has been blocked."));
        }
        boolean get = r.method().equals("GET");
        if (caller.readOnly() && !get) {
            return json(403, Map.of("error", "insufficient_scope", "error_description",
                    "The request requires higher privileges than provided by the access token.", "scope", "api"));
        }
        if (get && p.equals(List.of("user"))) {
            return caller.user() == null ? json(404, message("404 User Not Found")) : json(200, currentUserJson(caller.user()));
        }
        if (get && p.get(0).equals("users") && p.size() == 1) {
            return listUsers(r, caller);
        }
        if (get && p.get(0).equals("users") && p.size() == 2) {
            User user = users.get(parseId(p.get(1)));
            return user == null ? json(404, message("404 User Not Found")) : json(200, userJson(user, caller.admin()));
        }
        if ((p.get(0).equals("projects") || p.get(0).equals("groups")) && p.size() >= 3 && p.get(2).equals("members")) {
            return members(r, caller, p);
        }
        if (p.get(0).equals("features")) {
            return features(r, caller, p);
        }
        if (p.get(0).equals("projects") && p.size() >= 3 && p.get(2).equals("issues")) {
            return issues(r, caller, p);
        }
        if (get && p.get(0).equals("projects") && p.size() == 3 && p.get(2).equals("deployments")) {
            return deploymentsApi(r, p);
        }
        if (get && p.get(0).equals("projects") && p.size() >= 4 && p.get(2).equals("repository")) {
            return repositoryApi(r, p);
        }
        if (get && (p.get(0).equals("projects") || p.get(0).equals("groups")) && p.size() == 2) {
            boolean project = p.get(0).equals("projects");
            Source source = resolve(project, p.get(1));
            if (source == null) {
                return json(404, message("404 " + (project ? "Project" : "Group") + " Not Found"));
            }
            String name = source.fullPath().substring(source.fullPath().lastIndexOf('/') + 1);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", source.id());
            body.put("name", name);
            body.put("path", name);
            body.put(project ? "path_with_namespace" : "full_path", source.fullPath());
            body.put("web_url", baseUrl() + "/" + (project ? "" : "groups/") + source.fullPath());
            return json(200, body);
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    private Caller authenticate(Request r) {
        Caller caller = authenticateToken(r);
        String sudo = r.header("Sudo");
        if (caller == null || sudo == null) {
            return caller;
        }
        // GitLab's Sudo: an admin token acting as another user, with that user's own rights.
        if (!caller.admin() || caller.readOnly()) {
            return null;
        }
        Long id = parseId(sudo);
        User user = id != null ? users.get(id) : findUser(sudo);
        return user == null ? null : new Caller(user.admin(), user, false);
    }

    private Caller authenticateToken(Request r) {
        String personal = r.header("PRIVATE-TOKEN") != null ? r.header("PRIVATE-TOKEN") : r.param("private_token");
        if (personal != null) {
            if (adminTokens.contains(personal)) {
                return new Caller(true, firstAdmin(), false);
            }
            if (readOnlyTokens.contains(personal)) {
                return new Caller(true, firstAdmin(), true);
            }
            User owner = personalTokens.containsKey(personal) ? findUser(personalTokens.get(personal)) : null;
            return owner == null ? null : new Caller(owner.admin(), owner, false);
        }
        String authorization = r.header("Authorization");
        String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : r.param("access_token");
        if (bearer == null) {
            return null;
        }
        if (adminTokens.contains(bearer)) {
            return new Caller(true, firstAdmin(), false);
        }
        if (readOnlyTokens.contains(bearer)) {
            return new Caller(true, firstAdmin(), true);
        }
        Token token = tokens.get(bearer);
        if (token == null || Instant.now().isAfter(token.expiresAt()) || !users.containsKey(token.userId())) {
            return null;
        }
        return new Caller(false, users.get(token.userId()), false);
    }

    private Reply listUsers(Request r, Caller caller) {
        String username = r.param("username");
        String search = r.param("search") == null ? null : r.param("search").toLowerCase(Locale.ROOT);
        List<Object> found = new ArrayList<>();
        for (User u : users.values()) {
            boolean matches = username != null ? u.username().equalsIgnoreCase(username)
                    : search == null || u.username().toLowerCase(Locale.ROOT).contains(search)
                            || u.name().toLowerCase(Locale.ROOT).contains(search)
                            || caller.admin() && u.email().toLowerCase(Locale.ROOT).contains(search);
            boolean state = !"true".equals(r.param("active")) || u.state().equals("active");
            boolean blocked = !"true".equals(r.param("blocked")) || u.state().equals("blocked");
            if (matches && state && blocked) {
                found.add(userJson(u, caller.admin()));
            }
        }
        return page(r, found);
    }

    private Reply members(Request r, Caller caller, List<String> p) {
        boolean project = p.get(0).equals("projects");
        Source source = resolve(project, p.get(1));
        if (source == null) {
            return json(404, message("404 " + (project ? "Project" : "Group") + " Not Found"));
        }
        List<String> rest = p.subList(3, p.size());
        String method = r.method();
        if (!rest.isEmpty() && rest.get(0).equals("all") && method.equals("GET")) {
            Map<Long, Membership> all = inherited(source);
            if (rest.size() == 1) {
                return page(r, all.entrySet().stream().map(e -> (Object) memberJson(e.getKey(), e.getValue())).toList());
            }
            if (rest.size() == 2) {
                return oneMember(all, rest.get(1));
            }
        } else if (rest.isEmpty() && method.equals("GET")) {
            return page(r, direct(source).entrySet().stream().map(e -> (Object) memberJson(e.getKey(), e.getValue())).toList());
        } else if (rest.isEmpty() && method.equals("POST")) {
            return addMemberByApi(r, caller, source);
        } else if (rest.size() == 1 && method.equals("GET")) {
            return oneMember(direct(source), rest.get(0));
        } else if (rest.size() == 1 && (method.equals("PUT") || method.equals("DELETE"))) {
            return changeMember(r, caller, source, rest.get(0));
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    /** PUT (new access_level, optional expires_at) or DELETE of a direct member. */
    private Reply changeMember(Request r, Caller caller, Source source, String rawUserId) {
        if (!caller.admin() && callerLevel(caller, source) < 40) {
            return json(403, message("403 Forbidden"));
        }
        Long userId = parseId(rawUserId);
        if (userId == null) {
            return json(400, Map.of("error", "user_id is invalid"));
        }
        Map<Long, Membership> members = direct(source);
        Membership current = members.get(userId);
        // As in GitLab, a maintainer cannot remove or change an owner, nor give more than they have.
        if (!caller.admin() && current != null && current.accessLevel() > callerLevel(caller, source)) {
            return json(403, message("403 Forbidden"));
        }
        if (!caller.admin() && r.param("access_level") != null && r.param("access_level").matches("\\d+")
                && Integer.parseInt(r.param("access_level")) > callerLevel(caller, source)) {
            return json(403, message("403 Forbidden"));
        }
        if (r.method().equals("DELETE")) {
            if (current == null) {
                return json(404, message("404 Member Not Found"));
            }
            members.remove(userId);
            return new Reply(204, null, Map.of(), new byte[0]);
        }
        Reply invalid = validateMemberParams(r);
        if (invalid != null) {
            return invalid;
        }
        if (current == null) {
            return json(404, message("404 Member Not Found"));
        }
        Membership updated = new Membership(Integer.parseInt(r.param("access_level")),
                r.params().containsKey("expires_at") ? r.param("expires_at") : current.expiresAt(), current.createdAt());
        members.put(userId, updated);
        return json(200, memberJson(userId, updated));
    }

    /** The caller's level on a project or group, inherited ones included (0 when none). */
    private int callerLevel(Caller caller, Source source) {
        if (caller.user() == null) {
            return 0;
        }
        Membership membership = inherited(source).get(caller.user().id());
        return membership == null ? 0 : membership.accessLevel();
    }

    private Reply addMemberByApi(Request r, Caller caller, Source source) {
        if (!caller.admin() && callerLevel(caller, source) < 40) {
            return json(403, message("403 Forbidden"));
        }
        if (!caller.admin() && r.param("access_level") != null && r.param("access_level").matches("\\d+")
                && Integer.parseInt(r.param("access_level")) > callerLevel(caller, source)) {
            return json(403, message("403 Forbidden"));
        }
        String userId = r.param("user_id");
        String username = r.param("username");
        if (userId == null && username == null) {
            return json(400, Map.of("error", "user_id, username are missing, exactly one parameter must be provided"));
        }
        if (userId != null && username != null) {
            return json(400, Map.of("error", "user_id, username are mutually exclusive"));
        }
        Reply invalid = validateMemberParams(r);
        if (invalid != null) {
            return invalid;
        }
        String expiresAt = r.param("expires_at");
        User user = userId != null ? users.get(parseId(userId)) : findUser(username);
        if (user == null) {
            return json(404, message("404 User Not Found"));
        }
        Map<Long, Membership> members = memberships.computeIfAbsent(source.key(), k -> new LinkedHashMap<>());
        if (members.containsKey(user.id())) {
            return json(409, message("Member already exists"));
        }
        Membership membership = new Membership(Integer.parseInt(r.param("access_level")), expiresAt,
                TIMESTAMP.format(Instant.now()));
        members.put(user.id(), membership);
        return json(201, memberJson(user.id(), membership));
    }

    /** access_level required and one of GitLab's levels; expires_at, if given, YEAR-MONTH-DAY. */
    private static Reply validateMemberParams(Request r) {
        String expiresAt = r.param("expires_at");
        if (expiresAt != null) {
            try {
                LocalDate.parse(expiresAt);
            } catch (DateTimeParseException e) {
                return json(400, Map.of("error", "expires_at is invalid"));
            }
        }
        String raw = r.param("access_level");
        if (raw == null) {
            return json(400, Map.of("error", "access_level is missing"));
        }
        try {
            if (ACCESS_LEVELS.contains(Integer.parseInt(raw))) {
                return null;
            }
        } catch (NumberFormatException e) {
            return json(400, Map.of("error", "access_level is invalid"));
        }
        return json(400, Map.of("error", "access_level does not have a valid value"));
    }

    private Reply oneMember(Map<Long, Membership> members, String rawUserId) {
        Long userId = parseId(rawUserId);
        if (userId == null) {
            return json(400, Map.of("error", "user_id is invalid"));
        }
        Membership membership = members.get(userId);
        return membership == null || !users.containsKey(userId) ? json(404, message("404 Member Not Found"))
                : json(200, memberJson(userId, membership));
    }

    /** Pagination as GitLab's offset pagination: per_page (default 20, at most 100), page, X-* headers. */
    private static Reply page(Request r, List<Object> items) {
        int perPage = Math.max(1, Math.min(100, parseInt(r.param("per_page"), 20)));
        int page = Math.max(1, parseInt(r.param("page"), 1));
        int total = items.size();
        int totalPages = Math.max(1, (total + perPage - 1) / perPage);
        int from = (int) Math.min(total, (long) (page - 1) * perPage);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Total", Integer.toString(total));
        headers.put("X-Total-Pages", Integer.toString(totalPages));
        headers.put("X-Page", Integer.toString(page));
        headers.put("X-Per-Page", Integer.toString(perPage));
        headers.put("X-Next-Page", page < totalPages ? Integer.toString(page + 1) : "");
        headers.put("X-Prev-Page", page > 1 ? Integer.toString(page - 1) : "");
        Reply reply = json(200, items.subList(from, Math.min(total, from + perPage)));
        return new Reply(reply.status(), reply.contentType(), headers, reply.body());
    }

    // ---------------------------------------------------------------- Features API

    private Reply features(Request r, Caller caller, List<String> p) {
        if (!caller.admin()) {
            return json(403, message("403 Forbidden"));
        }
        boolean get = r.method().equals("GET");
        if (get && p.size() == 1) {
            return json(200, flags.allJson());
        }
        if (get && p.size() == 2 && p.get(1).equals("definitions")) {
            return json(200, flags.definitionsJson());
        }
        if (p.size() != 2) {
            return json(404, Map.of("error", "404 Not Found"));
        }
        String name = p.get(1);
        if (r.method().equals("DELETE")) {
            flags.remove(name);
            return new Reply(204, null, Map.of(), new byte[0]);
        }
        if (!r.method().equals("POST")) {
            return json(405, Map.of("error", "405 Not Allowed"));
        }
        String value = r.param("value");
        if (value == null) {
            return json(400, Map.of("error", "value is missing"));
        }
        List<String> gateParams = List.of("feature_group", "user", "group", "namespace", "project", "repository");
        for (String gate : gateParams) {
            if (r.param("key") != null && r.params().containsKey(gate)) {
                return json(400, Map.of("error", "key, " + gate + " are mutually exclusive"));
            }
        }
        if (!"true".equals(r.param("force")) && flags.validates() && !flags.defined(name)) {
            return json(400, message("400 Bad request - The '" + name + "' does not have feature flag definition, and thus "
                    + "it cannot be used as a feature flag name. Use `rails console` or `--force` to set this feature flag "
                    + "regardless of this check."));
        }
        List<String> ids = new ArrayList<>();
        List<String> groupNames = new ArrayList<>();
        boolean gated = false;
        for (String gate : gateParams) {
            if (r.params().containsKey(gate)) {
                gated = true;
                String problem = resolveActors(gate, r.params().get(gate), ids, groupNames);
                if (problem != null) {
                    return problem.startsWith("500") ? json(500, message("500 Internal Server Error"))
                            : json(400, message("400 Bad request - " + problem));
                }
            }
        }
        if (!value.equals("true") && !value.equals("false") && !value.equals("0")) {
            if (!value.matches("\\d+(\\.\\d+)?")) {
                return json(400, message("400 Bad request - Value must be boolean or numeric, got " + value));
            }
            if (new java.math.BigDecimal(value).compareTo(java.math.BigDecimal.valueOf(100)) > 0) {
                // Flipper raises ArgumentError, which GitLab does not catch.
                return json(500, message("500 Internal Server Error"));
            }
        }
        applyFeature(name, value, r.param("key"), gated ? ids : null, groupNames);
        return json(201, flags.json(name));
    }

    /**
     * What {@code POST /features/:name} does: {@code true} enables each actor, or the boolean gate
     * (clearing the others); {@code false} or {@code 0} disables each actor, or clears every gate;
     * a number sets the percentage of {@code key} (of time by default). {@code actorIds} is null when
     * no actor parameter was given.
     */
    private void applyFeature(String name, String value, String key, List<String> actorIds, List<String> groupNames) {
        StandInFlags.Flag flag = flags.flag(name);
        boolean gated = actorIds != null && (!actorIds.isEmpty() || !groupNames.isEmpty());
        if (value.equals("true")) {
            if (gated) {
                flag.actors.addAll(actorIds);
                flag.groups.addAll(groupNames);
            } else {
                flag.clear();
                flag.enabled = true;
            }
        } else if (value.equals("false") || value.equals("0")) {
            if (gated) {
                actorIds.forEach(flag.actors::remove);
                groupNames.forEach(flag.groups::remove);
            } else {
                flag.clear();
            }
        } else if ("percentage_of_actors".equals(key)) {
            flag.percentageOfActors = new java.math.BigDecimal(value);
        } else {
            flag.percentageOfTime = new java.math.BigDecimal(value);
        }
    }

    /**
     * Flipper ids for a gate parameter's comma-separated values ({@code User:1}, {@code Project:2},
     * {@code Group:3}, {@code Namespaces::UserNamespace:4}, {@code Repository:path.git}), or feature group
     * names; the problem in GitLab's words ({@code "x is not found!"}) when one is unknown.
     */
    private String resolveActors(String param, String commaSeparated, List<String> ids, List<String> groupNames) {
        if (param.equals("feature_group")) {
            if (!flags.groupRegistered(commaSeparated)) {
                return "500 group " + commaSeparated + " is not registered";
            }
            groupNames.add(commaSeparated);
            return null;
        }
        for (String item : commaSeparated.split(",")) {
            String id = switch (param) {
                case "user" -> {
                    User user = findUser(item);
                    yield user == null ? null : "User:" + user.id();
                }
                case "project" -> {
                    Source project = projects.get(key(item));
                    yield project == null ? null : "Project:" + project.id();
                }
                case "group" -> {
                    Source group = groups.get(key(item));
                    yield group == null ? null : "Group:" + group.id();
                }
                case "namespace" -> {
                    Source group = groups.get(key(item));
                    User user = findUser(item);
                    yield group != null ? "Group:" + group.id() : user != null ? "Namespaces::UserNamespace:" + user.id() : null;
                }
                default -> {
                    String path = item.replaceFirst("\\.wiki\\.git$", "").replaceFirst("\\.git$", "");
                    yield item.endsWith(".git") && projects.containsKey(key(path)) ? "Repository:" + item : null;
                }
            };
            if (id == null) {
                return item + " is not found!";
            }
            ids.add(id);
        }
        return null;
    }

    // ---------------------------------------------------------------- Issues API

    private Reply issues(Request r, Caller caller, List<String> p) {
        Source project = resolve(true, p.get(1));
        if (project == null) {
            return json(404, message("404 Project Not Found"));
        }
        List<Issue> list = issues.computeIfAbsent(project.key(), k -> new ArrayList<>());
        if (r.method().equals("GET") && p.size() == 3) {
            String state = r.param("state");
            List<String> labels = r.param("labels") == null ? List.of() : List.of(r.param("labels").split(","));
            String search = r.param("search") == null ? null : r.param("search").toLowerCase(Locale.ROOT);
            List<Object> found = new ArrayList<>();
            for (int i = list.size() - 1; i >= 0; i--) {
                Issue issue = list.get(i);
                boolean matches = (state == null || state.equals("all") || state.equals(issue.state()))
                        && issue.labels().containsAll(labels)
                        && (search == null || issue.title().toLowerCase(Locale.ROOT).contains(search)
                                || issue.description().toLowerCase(Locale.ROOT).contains(search));
                if (matches) {
                    found.add(issueJson(project, issue));
                }
            }
            return page(r, found);
        }
        if (r.method().equals("POST") && p.size() == 3) {
            if (caller.user() == null && !caller.admin()) {
                return json(403, message("403 Forbidden"));
            }
            if (r.param("title") == null) {
                return json(400, Map.of("error", "title is missing"));
            }
            List<String> labels = r.param("labels") == null ? List.of()
                    : Arrays.stream(r.param("labels").split(",")).map(String::strip).filter(l -> !l.isEmpty()).toList();
            Issue issue = new Issue(nextIssueId++, list.size() + 1, r.param("title"),
                    Objects.requireNonNullElse(r.param("description"), ""), "opened", labels, TIMESTAMP.format(Instant.now()));
            list.add(issue);
            return json(201, issueJson(project, issue));
        }
        if (r.method().equals("PUT") && p.size() == 4) {
            Long iid = parseId(p.get(3));
            int index = -1;
            for (int i = 0; i < list.size(); i++) {
                if (iid != null && list.get(i).iid() == iid) {
                    index = i;
                }
            }
            if (index < 0) {
                return json(404, message("404 Not found"));
            }
            if ("close".equals(r.param("state_event"))) {
                list.set(index, list.get(index).closed());
            }
            return json(200, issueJson(project, list.get(index)));
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    private Map<String, Object> issueJson(Source project, Issue issue) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", issue.id());
        json.put("iid", issue.iid());
        json.put("project_id", project.id());
        json.put("title", issue.title());
        json.put("description", issue.description());
        json.put("state", issue.state());
        json.put("created_at", issue.createdAt());
        json.put("labels", issue.labels());
        json.put("web_url", baseUrl() + "/" + project.fullPath() + "/-/issues/" + issue.iid());
        return json;
    }

    // ---------------------------------------------------------------- Deployments and Repository APIs

    private Reply deploymentsApi(Request r, List<String> p) {
        Source project = resolve(true, p.get(1));
        if (project == null) {
            return json(404, message("404 Project Not Found"));
        }
        String environment = r.param("environment");
        String status = r.param("status");
        String orderBy = Objects.requireNonNullElse(r.param("order_by"), "id");
        if (!Set.of("id", "iid", "created_at", "updated_at", "finished_at", "ref").contains(orderBy)) {
            return json(400, Map.of("error", "order_by does not have a valid value"));
        }
        if (orderBy.equals("finished_at") && status == null) {
            return json(400, message("400 Bad request - `finished_at` sorting requires `status` to be specified"));
        }
        List<Deployment> found = new ArrayList<>();
        for (Deployment d : deployments.getOrDefault(project.key(), List.of())) {
            if ((environment == null || environment.equals(d.environment())) && (status == null || status.equals(d.status()))) {
                found.add(d);
            }
        }
        Comparator<Deployment> order = orderBy.equals("finished_at")
                ? Comparator.comparing(d -> Objects.requireNonNullElse(d.finishedAt(), ""))
                : Comparator.comparingLong(Deployment::id);
        found.sort("desc".equals(r.param("sort")) ? order.reversed() : order);
        List<Object> items = new ArrayList<>();
        for (Deployment d : found) {
            items.add(deploymentJson(project, d));
        }
        return page(r, items);
    }

    private Map<String, Object> deploymentJson(Source project, Deployment d) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", d.id());
        json.put("iid", d.id());
        json.put("ref", d.ref());
        json.put("sha", d.sha());
        json.put("status", d.status());
        json.put("created_at", d.createdAt());
        json.put("updated_at", d.finishedAt() != null ? d.finishedAt() : d.createdAt());
        json.put("finished_at", d.finishedAt());
        User user = findUser(d.username());
        Map<String, Object> userJson = new LinkedHashMap<>();
        userJson.put("id", user == null ? 0 : user.id());
        userJson.put("username", d.username());
        userJson.put("name", user == null ? d.username() : user.name());
        json.put("user", userJson);
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("name", d.environment());
        environment.put("external_url", "https://" + d.environment() + ".example.com");
        json.put("environment", environment);
        Map<String, Object> pipeline = new LinkedHashMap<>();
        pipeline.put("id", d.pipelineId());
        pipeline.put("sha", d.sha());
        pipeline.put("ref", d.ref());
        pipeline.put("status", d.status());
        pipeline.put("web_url", baseUrl() + "/" + project.fullPath() + "/-/pipelines/" + d.pipelineId());
        Map<String, Object> deployable = new LinkedHashMap<>();
        deployable.put("id", d.pipelineId() * 10);
        deployable.put("name", "deploy");
        deployable.put("stage", "deploy");
        deployable.put("status", d.status());
        deployable.put("ref", d.ref());
        deployable.put("tag", d.tag());
        deployable.put("web_url", baseUrl() + "/" + project.fullPath() + "/-/jobs/" + d.pipelineId() * 10);
        deployable.put("pipeline", pipeline);
        json.put("deployable", deployable);
        return json;
    }

    private Reply repositoryApi(Request r, List<String> p) {
        Source project = resolve(true, p.get(1));
        if (project == null) {
            return json(404, message("404 Project Not Found"));
        }
        Map<String, Commit> repository = commits.getOrDefault(project.key(), Map.of());
        if (p.size() == 5 && p.get(3).equals("commits")) {
            Commit commit = findCommit(repository, p.get(4));
            return commit == null ? json(404, message("404 Commit Not Found")) : json(200, commitJson(project, commit));
        }
        if (p.size() == 4 && p.get(3).equals("merge_base")) {
            String raw = r.exchange().getRequestURI().getRawQuery();
            List<String> refs = new ArrayList<>();
            for (String pair : raw == null ? new String[0] : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (name.equals("refs[]") && eq > 0) {
                    refs.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            if (refs.size() < 2) {
                return json(400, message("400 Bad request - Provide at least 2 refs"));
            }
            List<Commit> resolved = new ArrayList<>();
            for (String ref : refs) {
                Commit commit = findCommit(repository, ref);
                if (commit == null) {
                    return json(404, message("404 Commit Not Found"));
                }
                resolved.add(commit);
            }
            Set<String> common = ancestors(repository, resolved.get(0).sha());
            for (Commit other : resolved.subList(1, resolved.size())) {
                common.retainAll(ancestors(repository, other.sha()));
            }
            // The nearest common ancestor: walk the first ref's history until one is common.
            for (String sha = resolved.get(0).sha(); sha != null; sha = repository.get(sha) == null ? null : repository.get(sha).parent()) {
                if (common.contains(sha)) {
                    return json(200, commitJson(project, repository.get(sha)));
                }
            }
            return json(404, message("404 Merge Base Not Found"));
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    /** A commit by full sha, or by a prefix of at least four digits that only one commit has (git's rule); else null. */
    private static Commit findCommit(Map<String, Commit> repository, String ref) {
        String wanted = ref.toLowerCase(Locale.ROOT);
        if (!wanted.matches("[0-9a-f]{4,40}")) {
            return null;
        }
        List<Commit> matches = repository.values().stream().filter(c -> c.sha().startsWith(wanted)).toList();
        // GitLab answers an ambiguous prefix as it answers an unknown one: 404.
        return matches.size() == 1 ? matches.get(0) : null;
    }

    private static Set<String> ancestors(Map<String, Commit> repository, String sha) {
        Set<String> all = new LinkedHashSet<>();
        for (String at = sha; at != null && all.add(at); at = repository.get(at) == null ? null : repository.get(at).parent()) {
            // walk to the root
        }
        return all;
    }

    private Map<String, Object> commitJson(Source project, Commit commit) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", commit.sha());
        json.put("short_id", commit.sha().substring(0, 8));
        json.put("title", commit.title());
        json.put("message", commit.title() + "\n");
        json.put("author_name", "Developer");
        json.put("created_at", commit.createdAt());
        json.put("committed_date", commit.createdAt());
        json.put("parent_ids", commit.parent() == null ? List.of() : List.of(commit.parent()));
        json.put("web_url", baseUrl() + "/" + project.fullPath() + "/-/commit/" + commit.sha());
        return json;
    }

    // ---------------------------------------------------------------- OAuth

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
        List<User> active = users.values().stream().filter(u -> u.state().equals("active")).toList();
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
        User user = username == null ? null : findUser(username);
        if (user == null) {
            return errorPage(400, "There is no user " + Objects.requireNonNullElse(username, "(none given)") + ".");
        }
        if (!user.state().equals("active")) {
            return errorPage(403, "The account of " + user.username() + " has been blocked.");
        }
        String code = issueCode(r.param("client_id"), r.param("redirect_uri"), user,
                Objects.requireNonNullElse(r.param("scope"), "read_user"));
        String redirect = r.param("redirect_uri");
        String location = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code
                + (r.param("state") == null ? "" : "&state=" + URLEncoder.encode(r.param("state"), StandardCharsets.UTF_8));
        return new Reply(302, null, Map.of("Location", location), new byte[0]);
    }

    private Reply validateAuthorization(Request r) {
        String clientId = r.param("client_id");
        if (clientId == null || !oauthApplications.containsKey(clientId)) {
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
        if (clientId == null || clientSecret == null || !clientSecret.equals(oauthApplications.get(clientId))) {
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
        return new Reply(200, reply.contentType(), Map.of("Cache-Control", "no-store", "Pragma", "no-cache"), reply.body());
    }

    private static Reply oauthError(int status, String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return json(status, body);
    }

    // ---------------------------------------------------------------- state helpers and JSON shapes

    private Map<Long, Membership> direct(Source source) {
        return memberships.getOrDefault(source.key(), new LinkedHashMap<>());
    }

    /** Direct members plus those of every ancestor group, the highest level winning. */
    private Map<Long, Membership> inherited(Source source) {
        Map<Long, Membership> all = new LinkedHashMap<>(direct(source));
        String[] parts = source.fullPath().split("/");
        for (int i = parts.length - 1; i >= 1; i--) {
            Source ancestor = groups.get(key(String.join("/", Arrays.copyOf(parts, i))));
            if (ancestor != null) {
                direct(ancestor).forEach((userId, m) -> all.merge(userId, m,
                        (a, b) -> a.accessLevel() >= b.accessLevel() ? a : b));
            }
        }
        return all;
    }

    private Source resolve(boolean project, String idOrPath) {
        Map<String, Source> sources = project ? projects : groups;
        Long id = parseId(idOrPath);
        if (id != null) {
            return sources.values().stream().filter(s -> s.id() == id).findFirst().orElse(null);
        }
        return sources.get(key(idOrPath));
    }

    private Source requireSource(String path) {
        Source source = projects.getOrDefault(key(path), groups.get(key(path)));
        if (source == null) {
            throw new IllegalArgumentException("no project or group " + path);
        }
        return source;
    }

    private User findUser(String username) {
        return users.values().stream().filter(u -> u.username().equalsIgnoreCase(username)).findFirst().orElse(null);
    }

    private User requireUser(String username) {
        User user = findUser(username);
        if (user == null) {
            throw new IllegalArgumentException("no user " + username);
        }
        return user;
    }

    private User firstAdmin() {
        return users.values().stream().filter(User::admin).findFirst().orElse(null);
    }

    /** Users API: the public shape for everyone, plus the admin-only attributes for an admin. */
    private Map<String, Object> userJson(User u, boolean adminView) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", u.id());
        json.put("username", u.username());
        json.put("name", u.name());
        json.put("state", u.state());
        json.put("locked", false);
        json.put("avatar_url", baseUrl + "/uploads/-/system/user/avatar/" + u.id() + "/avatar.png");
        json.put("web_url", baseUrl + "/" + u.username());
        if (adminView) {
            json.put("created_at", u.createdAt());
            json.put("bio", "");
            json.put("bot", u.bot());
            json.put("public_email", null);
            json.put("last_sign_in_at", u.lastSignInAt());
            json.put("confirmed_at", u.confirmedAt());
            json.put("last_activity_on", u.lastActivityOn());
            json.put("email", u.email());
            json.put("two_factor_enabled", u.twoFactorEnabled());
            json.put("external", false);
            json.put("private_profile", false);
            json.put("is_admin", u.admin());
        }
        return json;
    }

    /** GET /user: the caller's own details, which include email and two_factor_enabled (is_admin for admins). */
    private Map<String, Object> currentUserJson(User u) {
        Map<String, Object> json = userJson(u, true);
        if (!u.admin()) {
            json.remove("is_admin");
        }
        return json;
    }

    private Map<String, Object> memberJson(long userId, Membership m) {
        // A member is the user's public shape plus the membership's own attributes.
        Map<String, Object> json = userJson(users.get(userId), false);
        json.put("access_level", m.accessLevel());
        json.put("created_at", m.createdAt());
        json.put("expires_at", m.expiresAt());
        json.put("membership_state", "active");
        return json;
    }

    // ---------------------------------------------------------------- plumbing

    private static Map<String, Object> message(String message) {
        return Map.of("message", message);
    }

    private static Reply json(int status, Object body) {
        try {
            return new Reply(status, "application/json", Map.of(), JSON_OUT.asBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Reply html(int status, String html) {
        return new Reply(status, "text/html; charset=utf-8", Map.of(), html.getBytes(StandardCharsets.UTF_8));
    }

    private static Reply errorPage(int status, String message) {
        return html(status, "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
                + "<title>GitLab stand-in: authorization error</title></head>\n<body>\n"
                + "<h1>An error has occurred</h1>\n<p>" + escape(message) + "</p>\n</body>\n</html>\n");
    }

    /** Path segments, each percent-decoded ({@code ops%2Fchatops} is one segment, {@code ops/chatops}). */
    private static List<String> segments(String rawPath) {
        return Arrays.stream(rawPath.split("/")).filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8)).toList();
    }

    private synchronized Fault takeFault(String request) {
        for (Fault fault : faults) {
            if (fault.times > 0 && request.startsWith(fault.prefix)) {
                fault.times--;
                return fault;
            }
        }
        return null;
    }

    private static String reason(int status) {
        return switch (status) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    /** Query parameters, then the form or JSON body's, which win. */
    private static Map<String, String> params(String rawQuery, byte[] rawBody, String contentType) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        parseForm(rawQuery, params);
        String body = new String(rawBody, StandardCharsets.UTF_8);
        if (contentType.toLowerCase(Locale.ROOT).startsWith("application/json") && !body.isBlank()) {
            JSON.std.mapFrom(body).forEach((k, v) -> {
                if (v != null) {
                    params.put(k, v.toString());
                }
            });
        } else {
            parseForm(body, params);
        }
        return params;
    }

    private static void parseForm(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!name.isEmpty()) {
                into.put(name, value);
            }
        }
    }

    private static Long parseId(String raw) {
        try {
            return raw != null && raw.chars().allMatch(Character::isDigit) ? Long.parseLong(raw) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int parseInt(String raw, int fallback) {
        try {
            return raw == null ? fallback : Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String key(String fullPath) {
        return fullPath.toLowerCase(Locale.ROOT);
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
