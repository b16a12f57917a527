package dev.chatops.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A fixture file's users, projects, members, tokens, flags, commits and issues, seeded into the stand-in's parts. */
final class StandInFixture {
    private final StandInState state;
    private final StandInMembers members;
    private final StandInOAuth oauth;
    private final StandInFeatures features;
    private final StandInIssues issues;
    private final StandInRepository repository;

    StandInFixture(StandInState state, StandInMembers members, StandInOAuth oauth, StandInFeatures features,
            StandInIssues issues, StandInRepository repository) {
        this.state = state;
        this.members = members;
        this.oauth = oauth;
        this.features = features;
        this.issues = issues;
        this.repository = repository;
    }

    /** Adds what the file holds; the shape is {@link GitLabStandIn#seed(Path)}'s. Called holding the lock. */
    @SuppressWarnings("unchecked")
    void seed(Path json) {
        Map<String, Object> fixture;
        try {
            fixture = JSON.std.mapFrom(Files.readString(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read GitLab fixture " + json, e);
        }
        for (Map<String, Object> u : (List<Map<String, Object>>) fixture.getOrDefault("users", List.of())) {
            state.addUser((String) u.get("username"), (String) u.get("name"), (String) u.get("email"),
                    Boolean.TRUE.equals(u.get("two_factor")), Boolean.TRUE.equals(u.get("admin")),
                    Boolean.TRUE.equals(u.get("bot")), (String) u.getOrDefault("state", "active"));
        }
        ((List<String>) fixture.getOrDefault("groups", List.of())).forEach(state::group);
        ((List<String>) fixture.getOrDefault("projects", List.of())).forEach(state::project);
        for (Map<String, Object> m : (List<Map<String, Object>>) fixture.getOrDefault("members", List.of())) {
            members.add((String) m.get("path"), (String) m.get("username"),
                    ((Number) m.get("access_level")).intValue(), (String) m.get("expires_at"));
        }
        if (fixture.get("admin_token") instanceof String token) {
            state.adminTokens.add(token);
        }
        if (fixture.get("read_only_token") instanceof String token) {
            state.readOnlyTokens.add(token);
        }
        List<Map<String, Object>> applications =
                (List<Map<String, Object>>) fixture.getOrDefault("oauth_applications", List.of());
        for (Map<String, Object> a : applications) {
            oauth.addApplication((String) a.get("client_id"), (String) a.get("client_secret"));
        }
        ((Map<String, Object>) fixture.getOrDefault("features", Map.of())).forEach((name, value) ->
                features.set(name, String.valueOf(value)));
        for (Map<String, Object> c : (List<Map<String, Object>>) fixture.getOrDefault("commits", List.of())) {
            repository.addCommit((String) c.get("project"), (String) c.get("sha"), (String) c.get("parent"),
                    (String) c.get("title"));
        }
        for (Map<String, Object> d : (List<Map<String, Object>>) fixture.getOrDefault("deployments", List.of())) {
            Object minutesAgo = d.get("finished_minutes_ago");
            Instant finishedAt = minutesAgo == null ? null
                    : Instant.now().minus(Duration.ofMinutes(((Number) minutesAgo).longValue()));
            repository.addDeployment((String) d.get("project"), (String) d.get("environment"), (String) d.get("sha"),
                    (String) d.get("ref"), Boolean.TRUE.equals(d.get("tag")),
                    (String) d.getOrDefault("status", "success"), finishedAt,
                    (String) d.getOrDefault("user", "deployer"));
        }
        for (Map<String, Object> i : (List<Map<String, Object>>) fixture.getOrDefault("issues", List.of())) {
            long iid = issues.add((String) i.get("project"), (String) i.get("title"),
                    ((List<String>) i.getOrDefault("labels", List.of())).toArray(new String[0]));
            if ("closed".equals(i.get("state"))) {
                issues.close((String) i.get("project"), iid);
            }
        }
    }
}
