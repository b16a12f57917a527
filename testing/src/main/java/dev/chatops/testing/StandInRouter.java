package dev.chatops.testing;

import static dev.chatops.testing.StandInFaults.reason;
import static dev.chatops.testing.StandInHttp.json;
import static dev.chatops.testing.StandInHttp.message;
import static dev.chatops.testing.StandInHttp.params;
import static dev.chatops.testing.StandInHttp.parseId;
import static dev.chatops.testing.StandInHttp.segments;

import com.sun.net.httpserver.HttpExchange;
import dev.chatops.testing.GitLabStandIn.Recorded;
import dev.chatops.testing.GitLabStandIn.User;
import dev.chatops.testing.StandInFaults.Fault;
import dev.chatops.testing.StandInHttp.Caller;
import dev.chatops.testing.StandInHttp.Reply;
import dev.chatops.testing.StandInHttp.Request;
import dev.chatops.testing.StandInState.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every HTTP request to the {@link GitLabStandIn}: records it, runs what is planned for it
 * ({@link StandInFaults}), checks its token (and {@code Sudo}), and hands it to the part of the API
 * its path names, holding the stand-in's lock.
 */
final class StandInRouter {
    private final StandInState state;
    private final StandInFaults faults;
    private final StandInUsers users;
    private final StandInMembers members;
    private final StandInFeatures features;
    private final StandInIssues issues;
    private final StandInRepository repository;
    private final StandInOAuth oauth;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    /** Counts resets: a request stalled across one is dropped, so it cannot change the next test's state. */
    private volatile long generation;

    StandInRouter(StandInState state, StandInFaults faults, StandInUsers users, StandInMembers members,
            StandInFeatures features, StandInIssues issues, StandInRepository repository, StandInOAuth oauth) {
        this.state = state;
        this.faults = faults;
        this.users = users;
        this.members = members;
        this.features = features;
        this.issues = issues;
        this.repository = repository;
        this.oauth = oauth;
    }

    /** Forgets the requests seen; one stalled now is dropped when it wakes. Called holding the lock. */
    void clear() {
        requests.clear();
        recorded.clear();
        generation++;
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    List<Recorded> recorded() {
        return List.copyOf(recorded);
    }

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String rawPath = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            String target = rawPath + (rawQuery == null ? "" : "?" + rawQuery);
            String line = exchange.getRequestMethod() + " " + target;
            requests.add(line);
            Reply reply;
            try {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String contentType =
                        Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst("Content-Type"), "");
                String token = exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN");
                String bearer = exchange.getRequestHeaders().getFirst("Authorization");
                boolean readOnly;
                synchronized (state.lock) {
                    readOnly = token != null && state.readOnlyTokens.contains(token)
                            || bearer != null && bearer.startsWith("Bearer ")
                                    && state.readOnlyTokens.contains(bearer.substring(7));
                }
                recorded.add(new Recorded(exchange.getRequestMethod(), target, contentType,
                        new String(body, StandardCharsets.UTF_8), exchange.getRequestHeaders().getFirst("Sudo"),
                        readOnly));
                long started = generation;
                Runnable arrival;
                synchronized (state.lock) {
                    arrival = faults.takeArrival(line);
                }
                if (arrival != null) {
                    // Outside the lock: the action may wait for other threads that call the stand-in.
                    arrival.run();
                }
                Fault fault;
                synchronized (state.lock) {
                    fault = faults.takeFault(line);
                }
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
                            params(rawQuery, body, contentType), exchange);
                    synchronized (state.lock) {
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
            Reply reply = oauth.handle(r, p.get(1));
            if (reply != null) {
                return reply;
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
        String area = p.get(0);
        boolean projectOrGroup = area.equals("projects") || area.equals("groups");
        if (get && (p.equals(List.of("user")) || area.equals("users") && p.size() <= 2)) {
            return users.handle(r, caller, p);
        }
        if (projectOrGroup && p.size() >= 3 && p.get(2).equals("members")) {
            return members.handle(r, caller, p);
        }
        if (area.equals("features")) {
            return features.handle(r, caller, p);
        }
        if (area.equals("projects") && p.size() >= 3 && p.get(2).equals("issues")) {
            return issues.handle(r, caller, p);
        }
        if (get && area.equals("projects") && p.size() == 3 && p.get(2).equals("deployments")) {
            return repository.deployments(r, p);
        }
        if (get && area.equals("projects") && p.size() >= 4 && p.get(2).equals("repository")) {
            return repository.repository(r, p);
        }
        if (get && projectOrGroup && p.size() == 2) {
            return source(area.equals("projects"), p.get(1));
        }
        return json(404, Map.of("error", "404 Not Found"));
    }

    /** {@code GET /projects/:id} or {@code GET /groups/:id}, by id or full path. */
    private Reply source(boolean project, String idOrPath) {
        Source source = state.resolve(project, idOrPath);
        if (source == null) {
            return json(404, message("404 " + (project ? "Project" : "Group") + " Not Found"));
        }
        String name = source.fullPath().substring(source.fullPath().lastIndexOf('/') + 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", source.id());
        body.put("name", name);
        body.put("path", name);
        body.put(project ? "path_with_namespace" : "full_path", source.fullPath());
        body.put("web_url", state.baseUrl() + "/" + (project ? "" : "groups/") + source.fullPath());
        return json(200, body);
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
        User user = id != null ? state.users.get(id) : state.findUser(sudo);
        return user == null ? null : new Caller(user.admin(), user, false);
    }

    /** Who a personal access token (header or parameter) or a Bearer token is; null when nobody. */
    private Caller authenticateToken(Request r) {
        String personal = r.header("PRIVATE-TOKEN") != null ? r.header("PRIVATE-TOKEN") : r.param("private_token");
        if (personal != null) {
            if (state.adminTokens.contains(personal)) {
                return new Caller(true, state.firstAdmin(), false);
            }
            if (state.readOnlyTokens.contains(personal)) {
                return new Caller(true, state.firstAdmin(), true);
            }
            User owner = state.personalTokens.containsKey(personal)
                    ? state.findUser(state.personalTokens.get(personal)) : null;
            return owner == null ? null : new Caller(owner.admin(), owner, false);
        }
        String authorization = r.header("Authorization");
        String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : r.param("access_token");
        if (bearer == null) {
            return null;
        }
        if (state.adminTokens.contains(bearer)) {
            return new Caller(true, state.firstAdmin(), false);
        }
        if (state.readOnlyTokens.contains(bearer)) {
            return new Caller(true, state.firstAdmin(), true);
        }
        User user = oauth.userOf(bearer);
        return user == null ? null : new Caller(false, user, false);
    }
}
