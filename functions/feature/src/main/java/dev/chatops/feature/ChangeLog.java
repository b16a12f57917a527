package dev.chatops.feature;

import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabIssue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The record of every production flag change: an announcement in the log channel (a Slack incoming
 * webhook, its URL kept in Secrets Manager) and, where configured, an issue in the feature-flag log
 * project, created and closed, labelled {@code host::<host>} and {@code change}, as GitLab.com keeps
 * its feature-flag log. Each is tried up to {@value #ATTEMPTS} times while the command has time, but
 * never again after a request that timed out, since that one may have arrived: a second try could
 * log the change twice. Before the issue is created, the log project is searched for the request
 * id, so a command run again (a Lambda retry) does not log twice either. The log failing never
 * undoes or hides the change: the result says what failed, for the reply and the audit.
 */
final class ChangeLog {
    static final int ATTEMPTS = 3;
    /** Time an attempt needs before it is started: a request's timeout and a margin for the reply. */
    private static final Duration ATTEMPT_NEEDS = Duration.ofSeconds(12);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** One production change; {@code action} is {@code set} or {@code deleted}. */
    record Entry(String requestId, String slackUserId, String gitlabUsername, String instance, String host, String flag,
                 String action, String before, String after, List<String> overrides, String command) {
        String who() {
            return gitlabUsername.isEmpty() ? "Slack user " + slackUserId : "@" + gitlabUsername;
        }
    }

    /** What was logged: notes for the reply, a line for the audit, and whether anything failed. */
    record Result(List<String> notes, String audit, boolean failed) {
    }

    /** Sleeps between attempts; tests pass one that does not. */
    interface Pause {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final FeatureConfig config;
    private final GitLab gitlab;
    private final Supplier<String> webhookUrl;
    private final Pause pause;

    /** {@code webhookUrl} is read only when a change is logged and a webhook is configured. */
    ChangeLog(FeatureConfig config, GitLab gitlab, Supplier<String> webhookUrl, Pause pause) {
        this.config = config;
        this.gitlab = gitlab;
        this.webhookUrl = webhookUrl;
        this.pause = pause;
    }

    /** Why production changes cannot be made now: they are announced, and no log channel is configured. */
    Optional<String> missing() {
        return config.webhookSecretId().isPresent() ? Optional.empty()
                : Optional.of("Production changes are announced in the log channel, and none is configured: the "
                        + "operators need to set FeatureLogWebhookUrl. Nothing was changed.");
    }

    /** Logs {@code entry}; {@code remaining} says how long the command still has. Never throws. */
    Result record(Entry entry, Supplier<Duration> remaining) {
        List<String> notes = new ArrayList<>();
        List<String> audit = new ArrayList<>();
        boolean failed = false;
        if (config.webhookSecretId().isPresent()) {
            Optional<String> problem;
            try {
                problem = announce(entry, remaining);
            } catch (RuntimeException e) {
                Log.error("feature.announce_failed", e);
                problem = Optional.of("an unexpected error; see the logs");
            }
            if (problem.isEmpty()) {
                notes.add("announced in the log channel");
                audit.add("announced");
            } else {
                failed = true;
                notes.add(":warning: the log channel announcement failed (" + problem.get() + ")");
                audit.add("announcement failed: " + problem.get());
            }
        }
        if (config.logProject().isPresent()) {
            FeatureConfig.Location project = config.logProject().get();
            LoggedIssue logged;
            try {
                logged = logIssue(project, entry, remaining);
            } catch (RuntimeException e) {
                Log.error("feature.log_issue_failed", e);
                logged = new LoggedIssue(null, "an unexpected error; see the logs");
            }
            if (logged.issue() == null) {
                failed = true;
                notes.add(":warning: the log issue in `" + project.path() + "` could not be written (" + logged.problem() + ")");
                audit.add("log issue failed: " + logged.problem());
            } else {
                String link = Text.link(logged.issue().webUrl(), project.path() + "#" + logged.issue().iid());
                if (logged.problem().isEmpty()) {
                    notes.add("logged in " + link);
                    audit.add("log issue #" + logged.issue().iid());
                } else {
                    failed = true;
                    notes.add(":warning: logged in " + link + ", but it could not be closed (" + logged.problem() + ")");
                    audit.add("log issue #" + logged.issue().iid() + " not closed: " + logged.problem());
                }
            }
        }
        if (failed) {
            Log.warn("feature.log_failed", "flag", entry.flag(), "instance", entry.instance(), "detail", String.join("; ", audit));
        }
        return new Result(notes, String.join("; ", audit), failed);
    }

    /** Posts to the webhook; empty when Slack took it. */
    private Optional<String> announce(Entry entry, Supplier<Duration> remaining) {
        String text = ":triangular_flag_on_post: " + entry.who() + " (<@" + entry.slackUserId() + ">) " + entry.action()
                + " `" + entry.flag() + "` on *" + entry.instance() + "* (" + entry.host() + "): " + entry.before() + " → "
                + entry.after() + (entry.overrides().isEmpty() ? "" : ". Overrides: " + String.join(", ", entry.overrides()))
                + ". Request id: `" + entry.requestId() + "`.";
        String body = Json.write(Map.of("text", text,
                "blocks", List.of(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", text)))));
        URI url;
        try {
            url = URI.create(webhookUrl.get());
        } catch (RuntimeException e) {
            // The secret could not be read, or holds no URL: say so without its value.
            return Optional.of("the webhook URL could not be read from its secret");
        }
        String problem = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (remaining.get().compareTo(ATTEMPT_NEEDS) < 0) {
                return Optional.of((problem.isEmpty() ? "" : problem + "; ") + "no time left for " + (attempt == 1 ? "it" : "another try"));
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url)
                        .timeout(TIMEOUT).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return Optional.empty();
                }
                // Slack answers 4xx with a reason (invalid_token, channel_is_archived): retrying will not help.
                problem = "Slack answered " + response.statusCode() + (response.body().isBlank() ? ""
                        : " " + dev.chatops.shared.Text.inCode(response.body(), 60));
                if (response.statusCode() < 500 && response.statusCode() != 429) {
                    return Optional.of(problem);
                }
            } catch (java.net.http.HttpTimeoutException e) {
                return Optional.of("Slack did not answer in time; not tried again, since it may have been posted");
            } catch (IOException e) {
                problem = "the webhook could not be reached";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
            if (attempt < ATTEMPTS && !sleep(attempt)) {
                return Optional.of("interrupted");
            }
        }
        return Optional.of(problem + " after " + ATTEMPTS + " attempts");
    }

    /** The log issue, if it was created, and what went wrong, if anything. */
    private record LoggedIssue(GitLabIssue issue, String problem) {
    }

    /**
     * Finds the issue a run of this request already created, or creates it; then closes it. A create
     * that timed out is not tried again (it may have been made): the project is searched once more.
     */
    private LoggedIssue logIssue(FeatureConfig.Location project, Entry entry, Supplier<Duration> remaining) {
        var client = gitlab.client(project.instance());
        String title = dev.chatops.shared.Text.shorten("Feature flag " + entry.flag() + " was " + entry.action() + " on "
                + entry.host() + ": " + entry.after(), 250);
        String description = String.join("\n", List.of(
                "| | |", "|---|---|",
                "| Who | " + entry.who() + " (Slack `" + entry.slackUserId() + "`) |",
                "| Instance | " + entry.instance() + " (`" + entry.host() + "`) |",
                "| Flag | `" + entry.flag() + "` |",
                "| Before | " + entry.before() + " |",
                "| After | " + entry.after() + " |",
                "| Overrides | " + (entry.overrides().isEmpty() ? "none" : String.join(", ", entry.overrides())) + " |",
                "| Command | `" + entry.command().replace("|", "\\|").replace("`", "'") + "` |",
                "| Request id | `" + entry.requestId() + "` |"));
        List<String> labels = List.of("host::" + entry.host(), "change");
        GitLabIssue issue = null;
        for (int attempt = 1; issue == null; attempt++) {
            if (remaining.get().compareTo(ATTEMPT_NEEDS) < 0) {
                return new LoggedIssue(null, "no time left" + (attempt == 1 ? "" : " after " + (attempt - 1) + " attempts"));
            }
            try {
                issue = client.searchIssues(project.path(), entry.requestId()).stream().findFirst().orElse(null);
                if (issue == null) {
                    issue = client.createIssue(project.path(), title, description, labels);
                }
            } catch (GitLabException e) {
                if (e.timedOut()) {
                    Optional<GitLabIssue> made = searchQuietly(client, project.path(), entry.requestId());
                    if (made.isPresent()) {
                        issue = made.get();
                        break;
                    }
                    return new LoggedIssue(null, "GitLab did not answer in time; not tried again, so that the change is "
                            + "not logged twice — look for the request id in the project");
                }
                if (!e.transientFailure() || attempt == ATTEMPTS || !sleep(attempt)) {
                    return new LoggedIssue(null, e.brief() + (attempt > 1 ? " after " + attempt + " attempts" : ""));
                }
            }
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return new LoggedIssue(client.closeIssue(project.path(), issue.iid()), "");
            } catch (GitLabException e) {
                // Closing is idempotent: a second close of a closed issue changes nothing.
                if (!e.transientFailure() || attempt == ATTEMPTS || remaining.get().compareTo(ATTEMPT_NEEDS) < 0
                        || !sleep(attempt)) {
                    return new LoggedIssue(issue, e.brief());
                }
            }
        }
    }

    private static Optional<GitLabIssue> searchQuietly(dev.chatops.shared.gitlab.GitLabClient client, String path, String text) {
        try {
            return client.searchIssues(path, text).stream().findFirst();
        } catch (GitLabException e) {
            return Optional.empty();
        }
    }

    private boolean sleep(int attempt) {
        try {
            pause.sleep(Duration.ofMillis(300L * attempt * attempt));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
