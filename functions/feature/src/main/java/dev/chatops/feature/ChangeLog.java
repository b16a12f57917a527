package dev.chatops.feature;

import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.gitlab.GitLabIssue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    static final Duration ATTEMPT_NEEDS = Duration.ofSeconds(12);

    /** What was logged: notes for the reply, a line for the audit, and whether anything failed. */
    record Result(List<String> notes, String audit, boolean failed) {
    }

    /** Sleeps between attempts; tests pass one that does not. */
    interface Pause {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final FeatureConfig config;
    private final GitLab gitlab;
    private final LogAnnouncement announcement;
    private final Pause pause;

    /** {@code webhookUrl} is read only when a change is logged and a webhook is configured. */
    ChangeLog(FeatureConfig config, GitLab gitlab, Supplier<String> webhookUrl, Pause pause) {
        this.config = config;
        this.gitlab = gitlab;
        this.announcement = new LogAnnouncement(webhookUrl, pause);
        this.pause = pause;
    }

    /** Logs {@code entry}; {@code remaining} says how long the command still has. Never throws. */
    Result record(ChangeEntry entry, Supplier<Duration> remaining) {
        List<String> notes = new ArrayList<>();
        List<String> audit = new ArrayList<>();
        boolean failed = false;
        if (config.webhookSecretId().isPresent()) {
            Optional<String> problem;
            try {
                problem = announcement.post(entry, remaining);
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
                notes.add(":warning: the log issue in `" + project.path() + "` could not be written ("
                        + logged.problem() + ")");
                audit.add("log issue failed: " + logged.problem());
            } else {
                String link = Text.link(logged.issue().webUrl(), project.path() + "#" + logged.issue().iid());
                if (logged.problem().isEmpty()) {
                    notes.add("logged in " + link);
                    audit.add("log issue #" + logged.issue().iid());
                } else {
                    failed = true;
                    notes.add(
                            ":warning: logged in " + link + ", but it could not be closed (" + logged.problem() + ")");
                    audit.add("log issue #" + logged.issue().iid() + " not closed: " + logged.problem());
                }
            }
        }
        if (failed) {
            Log.warn(
                    "feature.log_failed",
                    "flag",
                    entry.flag(),
                    "instance",
                    entry.instance(),
                    "detail",
                    String.join("; ", audit));
        }
        return new Result(notes, String.join("; ", audit), failed);
    }

    /** The log issue, if it was created, and what went wrong, if anything. */
    private record LoggedIssue(GitLabIssue issue, String problem) {
    }

    /** Text for a cell of the issue's table: no pipe ends it, no backtick opens code. */
    private static String cell(String text) {
        return Text.shorten(text.replaceAll("\\s+", " ").replace("|", "\\|").replace("`", "'"), 300);
    }

    /**
     * Finds the issue a run of this request already created, or creates it; then closes it. A create
     * that timed out is not tried again (it may have been made): the project is searched once more.
     */
    private LoggedIssue logIssue(FeatureConfig.Location project, ChangeEntry entry, Supplier<Duration> remaining) {
        var client = gitlab.client(project.instance());
        String title = Text.shorten("Feature flag " + entry.flag() + " was " + entry.action() + " on "
                + entry.host() + ": " + entry.after(), 250);
        String description = String.join("\n", List.of(
                "| | |", "|---|---|",
                "| Who | " + entry.who() + " (Slack `" + entry.slackUserId() + "`) |",
                "| Instance | " + entry.instance() + " (`" + entry.host() + "`) |",
                "| Flag | `" + entry.flag() + "` |",
                "| Before | " + entry.before() + " |",
                "| After | " + entry.after() + " |",
                "| Overrides | " + (entry.overrides().isEmpty() ? "none" : String.join(", ", entry.overrides())) + " |",
                "| Approval | " + (entry.sanction().isEmpty() ? "not needed" : cell(entry.sanction())) + " |",
                "| Command | `" + entry.command().replace("|", "\\|").replace("`", "'") + "` |",
                "| Request id | `" + entry.requestId() + "` |"));
        List<String> labels = List.of("host::" + entry.host(), "change");
        GitLabIssue issue = null;
        for (int attempt = 1; issue == null; attempt++) {
            if (remaining.get().compareTo(ATTEMPT_NEEDS) < 0) {
                return new LoggedIssue(
                        null, "no time left" + (attempt == 1 ? "" : " after " + (attempt - 1) + " attempts"));
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
                    return new LoggedIssue(
                            null,
                            "GitLab did not answer in time; not tried again, so that the change is "
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

    private static Optional<GitLabIssue> searchQuietly(GitLabClient client, String path, String text) {
        try {
            return client.searchIssues(path, text).stream().findFirst();
        } catch (GitLabException e) {
            return Optional.empty();
        }
    }

    private boolean sleep(int attempt) {
        return backOff(pause, attempt);
    }

    /** Waits before attempt {@code attempt + 1}; false when interrupted. */
    static boolean backOff(Pause pause, int attempt) {
        try {
            pause.sleep(Duration.ofMillis(300L * attempt * attempt));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
