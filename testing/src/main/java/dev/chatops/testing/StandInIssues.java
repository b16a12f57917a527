package dev.chatops.testing;

import static dev.chatops.testing.StandInHttp.json;
import static dev.chatops.testing.StandInHttp.message;
import static dev.chatops.testing.StandInHttp.page;
import static dev.chatops.testing.StandInHttp.parseId;
import static dev.chatops.testing.StandInState.TIMESTAMP;

import dev.chatops.testing.GitLabStandIn.Issue;
import dev.chatops.testing.StandInHttp.Caller;
import dev.chatops.testing.StandInHttp.Reply;
import dev.chatops.testing.StandInHttp.Request;
import dev.chatops.testing.StandInState.Source;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The project Issues API of the {@link GitLabStandIn}: list, open, close; and the issues a test seeds. */
final class StandInIssues {
    private final StandInState state;
    /** A project's key to its issues, oldest first. */
    private final Map<String, List<Issue>> issues = new LinkedHashMap<>();
    private long nextIssueId = 1;

    StandInIssues(StandInState state) {
        this.state = state;
    }

    void clear() {
        issues.clear();
    }

    /** Opens an issue in the project at {@code path} (added if missing) with these labels; returns its iid. */
    long add(String path, String title, String... labels) {
        List<Issue> list = issues.computeIfAbsent(state.project(path).key(), k -> new ArrayList<>());
        Issue issue = new Issue(nextIssueId++, list.size() + 1, title, "", "opened", List.of(labels),
                TIMESTAMP.format(Instant.now()));
        list.add(issue);
        return issue.iid();
    }

    void close(String path, long iid) {
        List<Issue> list = issues.getOrDefault(state.requireSource(path).key(), List.of());
        list.replaceAll(i -> i.iid() == iid ? i.closed() : i);
    }

    List<Issue> of(String path) {
        return List.copyOf(issues.getOrDefault(state.requireSource(path).key(), List.of()));
    }

    /** The answer to a request under {@code /projects/:id/issues}; {@code p} is the path after {@code /api/v4}. */
    Reply handle(Request r, Caller caller, List<String> p) {
        Source project = state.resolve(true, p.get(1));
        if (project == null) {
            return json(404, message("404 Project Not Found"));
        }
        List<Issue> list = issues.computeIfAbsent(project.key(), k -> new ArrayList<>());
        if (r.method().equals("GET") && p.size() == 3) {
            return list(r, project, list);
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
                    Objects.requireNonNullElse(r.param("description"), ""), "opened", labels,
                    TIMESTAMP.format(Instant.now()));
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

    /** GET: newest first, filtered by state, labels (all of them) and search in title or description. */
    private Reply list(Request r, Source project, List<Issue> list) {
        String wanted = r.param("state");
        List<String> labels = r.param("labels") == null ? List.of() : List.of(r.param("labels").split(","));
        String search = r.param("search") == null ? null : r.param("search").toLowerCase(Locale.ROOT);
        List<Object> found = new ArrayList<>();
        for (int i = list.size() - 1; i >= 0; i--) {
            Issue issue = list.get(i);
            boolean matches = (wanted == null || wanted.equals("all") || wanted.equals(issue.state()))
                    && issue.labels().containsAll(labels)
                    && (search == null || issue.title().toLowerCase(Locale.ROOT).contains(search)
                            || issue.description().toLowerCase(Locale.ROOT).contains(search));
            if (matches) {
                found.add(issueJson(project, issue));
            }
        }
        return page(r, found);
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
        json.put("web_url", state.baseUrl() + "/" + project.fullPath() + "/-/issues/" + issue.iid());
        return json;
    }
}
