package dev.chatops.testing;

import static dev.chatops.testing.StandInHttp.json;
import static dev.chatops.testing.StandInHttp.message;
import static dev.chatops.testing.StandInHttp.page;
import static dev.chatops.testing.StandInState.TIMESTAMP;

import dev.chatops.testing.GitLabStandIn.Commit;
import dev.chatops.testing.GitLabStandIn.Deployment;
import dev.chatops.testing.GitLabStandIn.User;
import dev.chatops.testing.StandInHttp.Reply;
import dev.chatops.testing.StandInHttp.Request;
import dev.chatops.testing.StandInState.Source;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A project's repository and deployments in the {@link GitLabStandIn}: the Deployments API
 * ({@code GET /projects/:id/deployments}) and the Repository API's single commit and merge base
 * ({@code GET /projects/:id/repository/commits/:sha}, {@code .../repository/merge_base}).
 */
final class StandInRepository {
    private final StandInState state;
    /** A project's key to its commits by sha. */
    private final Map<String, Map<String, Commit>> commits = new LinkedHashMap<>();
    /** A project's key to its deployments, oldest first. */
    private final Map<String, List<Deployment>> deployments = new LinkedHashMap<>();
    private long nextDeploymentId = 1;

    StandInRepository(StandInState state) {
        this.state = state;
    }

    void clear() {
        commits.clear();
        deployments.clear();
    }

    void addCommit(String path, String sha, String parent, String title) {
        if (!sha.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException("a commit sha is 40 hex digits: " + sha);
        }
        String key = state.project(path).key();
        commits.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(sha, new Commit(sha, parent, title,
                TIMESTAMP.format(Instant.now().minus(Duration.ofDays(1)))));
    }

    long addDeployment(String path, String environment, String sha, String ref, boolean tag, String status,
            Instant finishedAt, String username) {
        long id = nextDeploymentId++;
        Instant created = finishedAt == null ? Instant.now() : finishedAt.minus(Duration.ofMinutes(20));
        deployments.computeIfAbsent(state.project(path).key(), k -> new ArrayList<>()).add(new Deployment(id,
                environment, sha, ref, tag, status, TIMESTAMP.format(created),
                finishedAt == null ? null : TIMESTAMP.format(finishedAt), username, 1000 + id));
        return id;
    }

    /** {@code GET /projects/:id/deployments}: filtered by environment and status, ordered by id or finished_at. */
    Reply deployments(Request r, List<String> p) {
        Source project = state.resolve(true, p.get(1));
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
            if ((environment == null || environment.equals(d.environment()))
                    && (status == null || status.equals(d.status()))) {
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
        String baseUrl = state.baseUrl();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", d.id());
        json.put("iid", d.id());
        json.put("ref", d.ref());
        json.put("sha", d.sha());
        json.put("status", d.status());
        json.put("created_at", d.createdAt());
        json.put("updated_at", d.finishedAt() != null ? d.finishedAt() : d.createdAt());
        json.put("finished_at", d.finishedAt());
        User user = state.findUser(d.username());
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
        pipeline.put("web_url", baseUrl + "/" + project.fullPath() + "/-/pipelines/" + d.pipelineId());
        Map<String, Object> deployable = new LinkedHashMap<>();
        deployable.put("id", d.pipelineId() * 10);
        deployable.put("name", "deploy");
        deployable.put("stage", "deploy");
        deployable.put("status", d.status());
        deployable.put("ref", d.ref());
        deployable.put("tag", d.tag());
        deployable.put("web_url", baseUrl + "/" + project.fullPath() + "/-/jobs/" + d.pipelineId() * 10);
        deployable.put("pipeline", pipeline);
        json.put("deployable", deployable);
        return json;
    }

    /** {@code GET /projects/:id/repository/...}: a single commit, or the merge base of two refs or more. */
    Reply repository(Request r, List<String> p) {
        Source project = state.resolve(true, p.get(1));
        if (project == null) {
            return json(404, message("404 Project Not Found"));
        }
        Map<String, Commit> repository = commits.getOrDefault(project.key(), Map.of());
        if (p.size() == 5 && p.get(3).equals("commits")) {
            Commit commit = findCommit(repository, p.get(4));
            return commit == null ? json(404, message("404 Commit Not Found")) : json(200, commitJson(project, commit));
        }
        if (p.size() == 4 && p.get(3).equals("merge_base")) {
            return mergeBase(r, project, repository);
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    private Reply mergeBase(Request r, Source project, Map<String, Commit> repository) {
        // refs[] repeats, which the merged parameters cannot hold: read them from the raw query.
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
        for (String sha = resolved.get(0).sha(); sha != null; sha = parentOf(repository, sha)) {
            if (common.contains(sha)) {
                return json(200, commitJson(project, repository.get(sha)));
            }
        }
        return json(404, message("404 Merge Base Not Found"));
    }

    /** A commit by full sha, or by a prefix of four digits or more that only one commit has (git's rule); else null. */
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
        for (String at = sha; at != null && all.add(at); at = parentOf(repository, at)) {
            // walk to the root
        }
        return all;
    }

    /** The parent of {@code sha}; null for a root or a commit the repository does not hold. */
    private static String parentOf(Map<String, Commit> repository, String sha) {
        return repository.get(sha) == null ? null : repository.get(sha).parent();
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
        json.put("web_url", state.baseUrl() + "/" + project.fullPath() + "/-/commit/" + commit.sha());
        return json;
    }
}
