package dev.chatops.testing;

import static dev.chatops.testing.StandInHttp.parseId;

import dev.chatops.testing.GitLabStandIn.User;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the parts of the {@link GitLabStandIn} share: users, projects, groups, their members and the
 * personal access tokens, with the one lock that guards them and every part's own state. Not
 * thread-safe on its own: callers hold {@link #lock}.
 */
final class StandInState {
    /** A project or a group: a membership source. */
    record Source(boolean project, long id, String fullPath) {
        String key() {
            return (project ? "project:" : "group:") + id;
        }
    }

    record Membership(int accessLevel, String expiresAt, String createdAt) {
    }

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The stand-in itself, whose public methods are {@code synchronized}: the router holds it too
     * while it reads tokens, takes a fault and handles a request, so each part sees one state.
     */
    final Object lock;
    /** Set while the stand-in listens; read without the lock. */
    volatile String baseUrl;

    final Map<Long, User> users = new LinkedHashMap<>();
    final Map<String, Source> projects = new LinkedHashMap<>();
    final Map<String, Source> groups = new LinkedHashMap<>();
    final Map<String, Map<Long, Membership>> memberships = new LinkedHashMap<>();
    final Set<String> adminTokens = new LinkedHashSet<>();
    final Set<String> readOnlyTokens = new LinkedHashSet<>();
    /** Personal access token to its owner's username. */
    final Map<String, String> personalTokens = new LinkedHashMap<>();
    private long nextUserId = 1;
    private long nextProjectId = 1;
    private long nextGroupId = 1;

    StandInState(Object lock) {
        this.lock = lock;
    }

    /** For instance {@code http://127.0.0.1:PORT}; the API is under {@code /api/v4}. */
    String baseUrl() {
        String url = baseUrl;
        if (url == null) {
            throw new IllegalStateException("the GitLab stand-in is not listening");
        }
        return url;
    }

    void clear() {
        users.clear();
        projects.clear();
        groups.clear();
        memberships.clear();
        adminTokens.clear();
        readOnlyTokens.clear();
        personalTokens.clear();
        // Ids keep counting, as GitLab's never come back: state kept elsewhere (links in DynamoDB)
        // across tests cannot mistake a new user for an old one.
    }

    User addUser(String username, String name, String email, boolean twoFactor, boolean admin, boolean bot,
            String state) {
        if (findUser(username) != null) {
            throw new IllegalArgumentException("user " + username + " already exists");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String created = TIMESTAMP.format(now.minus(Duration.ofDays(30)));
        User user = new User(nextUserId++, username,
                name != null ? name : username.substring(0, 1).toUpperCase(Locale.ROOT) + username.substring(1),
                email != null ? email : username.toLowerCase(Locale.ROOT) + "@example.com", state, twoFactor, admin,
                bot, created, created, LocalDate.now(ZoneOffset.UTC).toString(), TIMESTAMP.format(now));
        users.put(user.id(), user);
        return user;
    }

    /** The project at {@code fullPath}, added if missing (ancestor groups are not created). */
    Source project(String fullPath) {
        return projects.computeIfAbsent(key(fullPath), k -> new Source(true, nextProjectId++, fullPath));
    }

    Source group(String fullPath) {
        return groups.computeIfAbsent(key(fullPath), k -> new Source(false, nextGroupId++, fullPath));
    }

    /** An admin personal access token, made up on first use. */
    String adminToken() {
        if (adminTokens.isEmpty()) {
            adminTokens.add("glpat-" + randomHex(10));
        }
        return adminTokens.iterator().next();
    }

    Map<Long, Membership> direct(Source source) {
        return memberships.getOrDefault(source.key(), new LinkedHashMap<>());
    }

    /** Direct members plus those of every ancestor group, the highest level winning. */
    Map<Long, Membership> inherited(Source source) {
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

    /** A project or group by id or full path; null when there is none. */
    Source resolve(boolean project, String idOrPath) {
        Map<String, Source> sources = project ? projects : groups;
        Long id = parseId(idOrPath);
        if (id != null) {
            return sources.values().stream().filter(s -> s.id() == id).findFirst().orElse(null);
        }
        return sources.get(key(idOrPath));
    }

    Source requireSource(String path) {
        Source source = projects.getOrDefault(key(path), groups.get(key(path)));
        if (source == null) {
            throw new IllegalArgumentException("no project or group " + path);
        }
        return source;
    }

    User findUser(String username) {
        return users.values().stream().filter(u -> u.username().equalsIgnoreCase(username)).findFirst().orElse(null);
    }

    User requireUser(String username) {
        User user = findUser(username);
        if (user == null) {
            throw new IllegalArgumentException("no user " + username);
        }
        return user;
    }

    User firstAdmin() {
        return users.values().stream().filter(User::admin).findFirst().orElse(null);
    }

    static String key(String fullPath) {
        return fullPath.toLowerCase(Locale.ROOT);
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
