package dev.chatops.autodeploy;

import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabClient;
import dev.chatops.shared.gitlab.GitLabCommit;
import dev.chatops.shared.gitlab.GitLabDeployment;
import dev.chatops.shared.gitlab.GitLabErrors;
import dev.chatops.shared.gitlab.GitLabException;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code auto_deploy status [commit_sha]}: each environment of the deploy project in deploy order,
 * from GitLab's Deployments API — or, for a commit, whether it has reached each one
 * ({@code repository/merge_base}: deployed when it is the deployed commit or one of its ancestors).
 * Environments are read in parallel under one deadline; one that is slow or failing is shown as
 * such while the others still answer.
 */
public final class AutoDeployCommand implements Command {
    private final GitLab gitlab;
    private final AutoDeployConfig config;
    private final Clock clock;

    AutoDeployCommand(GitLab gitlab, AutoDeployConfig config, Clock clock) {
        this.gitlab = gitlab;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.AUTO_DEPLOY;
    }

    /**
     * What one environment looks like: its current (last successful) and newest deployment, or why
     * it could not be read.
     */
    private record Environment(String name, Optional<GitLabDeployment> current, Optional<GitLabDeployment> newest,
                               Optional<Boolean> holdsCommit, Optional<Boolean> newestHoldsCommit, String problem) {
        static Environment failed(String name, String problem) {
            return new Environment(
                    name, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), problem);
        }

        boolean deploying() {
            return newest.filter(d -> d.status().equals("running") || d.status().equals("created")).isPresent();
        }
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of("status", this::status);
    }

    private Reply status(CommandCall call) {
        Optional<String> sha = call.args().isEmpty() ? Optional.empty() : Optional.of(call.args().get(0));
        if (sha.isPresent() && !sha.get().matches("[0-9a-fA-F]{7,40}")) {
            return Reply.refusal(
                    ":warning: `" + Text.inCode(sha.get(), 50) + "` is not a commit sha: give 7 to 40 hex digits.");
        }
        GitLabClient client = gitlab.client(config.instance());
        Optional<GitLabCommit> commit = Optional.empty();
        if (sha.isPresent()) {
            try {
                commit = client.commit(config.project(), sha.get().toLowerCase(Locale.ROOT));
            } catch (GitLabException e) {
                return Reply.failure(
                        ":x: Looking the commit up: " + GitLabErrors.sentence(config.instance(), e, false, ""));
            }
            if (commit.isEmpty()) {
                return Reply.refusal(":grey_question: "
                        + (sha.get().length() == 40
                                ? "There is no commit `" + sha.get() + "` in `" + config.project() + "`."
                                : "`" + sha.get() + "` names no single commit in `" + config.project()
                                        + "`: none has it, or several start with it (GitLab answers both"
                                        + " alike). Give more digits, or the full sha."));
            }
        }
        List<Environment> environments = read(client, commit.map(GitLabCommit::id), call);
        return commit.isPresent() ? commitReply(commit.get(), environments) : statusReply(environments);
    }

    /** Every environment, in parallel, under one deadline within the command's own. */
    private List<Environment> read(GitLabClient client, Optional<String> commit, CommandCall call) {
        Duration budget = call.remaining().minusSeconds(3);
        if (budget.compareTo(config.deadline()) > 0) {
            budget = config.deadline();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, config.environments().size()), r -> {
            Thread thread = new Thread(r, "auto-deploy");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Callable<Environment>> tasks = new ArrayList<>();
            for (String name : config.environments()) {
                tasks.add(() -> environment(client, name, commit));
            }
            List<Future<Environment>> futures;
            try {
                futures = pool.invokeAll(tasks, Math.max(1, budget.toMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures = List.of();
            }
            List<Environment> environments = new ArrayList<>();
            for (int i = 0; i < config.environments().size(); i++) {
                String name = config.environments().get(i);
                try {
                    environments.add(futures.get(i).get());
                } catch (CancellationException | IndexOutOfBoundsException e) {
                    environments.add(Environment.failed(name, "GitLab did not answer in time"));
                } catch (ExecutionException e) {
                    Log.warn(
                            "auto_deploy.environment_failed",
                            "environment",
                            name,
                            "error",
                            String.valueOf(e.getCause()));
                    environments.add(Environment.failed(name, e.getCause() instanceof GitLabException g
                            ? "could not be read (" + g.brief() + ")" : "could not be read"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    environments.add(Environment.failed(name, "not read: interrupted"));
                }
            }
            return environments;
        } finally {
            pool.shutdownNow();
        }
    }

    private Environment environment(GitLabClient client, String name, Optional<String> commit) {
        Optional<GitLabDeployment> current = client.latestDeployment(config.project(), name, "success");
        Optional<GitLabDeployment> newest = client.latestDeployment(config.project(), name, null);
        Optional<Boolean> holds = Optional.empty();
        Optional<Boolean> newestHolds = Optional.empty();
        if (commit.isPresent()) {
            holds = current.map(d -> contains(client, d.sha(), commit.get()));
            newestHolds = newest.filter(d -> d.status().equals("running") || d.status().equals("created"))
                    .map(d -> contains(client, d.sha(), commit.get()));
        }
        return new Environment(name, current, newest, holds, newestHolds, "");
    }

    /** Whether {@code deployed} is {@code commit} or descends from it. */
    private boolean contains(GitLabClient client, String deployed, String commit) {
        return deployed.equals(commit)
                || client.mergeBase(config.project(), commit, deployed)
                        .filter(commit::equals)
                        .isPresent();
    }

    private Reply statusReply(List<Environment> environments) {
        String title = "*Deployments of `" + config.project() + "`* (`" + host() + "`), in deploy order";
        Reply.Builder reply = Reply.ephemeral("Deployments of " + config.project()).text(title);
        for (int i = 0; i < environments.size(); i++) {
            Environment environment = environments.get(i);
            Optional<Environment> next =
                    i + 1 < environments.size() ? Optional.of(environments.get(i + 1)) : Optional.empty();
            reply.text(statusLine(environment, next));
        }
        return reply.build();
    }

    private String statusLine(Environment environment, Optional<Environment> next) {
        String name = "*" + Text.shown(environment.name(), 100) + "*";
        if (!environment.problem().isEmpty()) {
            return ":stopwatch: " + name + " — " + environment.problem() + ".";
        }
        if (environment.current().isEmpty()) {
            return ":white_circle: " + name + " — no successful deployment yet"
                    + environment
                            .newest()
                            .map(d -> " (the last one, " + link(d.pipelineUrl(), "#" + d.id()) + ", is " + d.status()
                                    + ")")
                            .orElse("")
                    + ".";
        }
        GitLabDeployment current = environment.current().get();
        StringBuilder line =
                new StringBuilder(environment.deploying() ? ":hourglass_flowing_sand: " : ":white_check_mark: ");
        line.append(name).append(" — ").append(link(commitUrl(current.sha()), shortSha(current.sha())));
        line.append(
                current.tag() ? " · package `" + current.ref() + "`" : " · branch `" + current.ref() + "` · package —");
        line.append("\n").append(current.status()).append(" ").append(ago(current.finishedAt())).append(" by ")
                .append(current.username().isEmpty() ? "—" : "@" + current.username())
                .append(" · ").append(link(current.pipelineUrl(), "pipeline"));
        next.flatMap(Environment::current).filter(n -> !n.sha().equals(current.sha())).ifPresent(n -> line.append(" · ")
                .append(link(compareUrl(current.sha(), n.sha()), "diff to " + Text.shown(next.get().name(), 100))));
        environment
                .newest()
                .filter(d -> d.id() != current.id())
                .ifPresent(d -> line.append("\n")
                        .append(
                                environment.deploying()
                                        ? ":hourglass_flowing_sand: deploying "
                                        : ":warning: the last deployment ")
                        .append(link(commitUrl(d.sha()), shortSha(d.sha())))
                        .append(
                                environment.deploying()
                                        ? " now (started " + ago(d.createdAt()) + ")"
                                        : " " + d.status() + " " + ago(d.finishedAt()))
                        .append(" · ")
                        .append(link(d.pipelineUrl(), "pipeline")));
        return line.toString();
    }

    private Reply commitReply(GitLabCommit commit, List<Environment> environments) {
        long deployed = environments.stream().filter(e -> e.holdsCommit().orElse(false)).count();
        String title = "*Commit " + link(commit.webUrl(), shortSha(commit.id())) + "* "
                + Text.shown(commit.title(), 100) + " — deployed to " + deployed + " of " + environments.size()
                + " environments of `" + config.project() + "`";
        Reply.Builder reply = Reply.ephemeral("Commit " + shortSha(commit.id()) + " is deployed to " + deployed + " of "
                + environments.size() + " environments").text(title);
        List<String> lines = new ArrayList<>();
        for (Environment environment : environments) {
            lines.add(commitLine(commit, environment));
        }
        reply.text(String.join("\n", lines));
        return reply.build();
    }

    private String commitLine(GitLabCommit commit, Environment environment) {
        String name = "*" + Text.shown(environment.name(), 100) + "*";
        if (!environment.problem().isEmpty()) {
            return ":stopwatch: " + name + " — " + environment.problem() + ".";
        }
        if (environment.current().isEmpty()) {
            return ":white_circle: " + name + " — no successful deployment yet.";
        }
        GitLabDeployment current = environment.current().get();
        if (environment.holdsCommit().orElse(false)) {
            return ":white_check_mark: " + name + " — deployed"
                    + (current.sha().equals(commit.id())
                            ? " as the current revision (" + ago(current.finishedAt()) + ")"
                            : ", within " + link(commitUrl(current.sha()), shortSha(current.sha())) + " (deployed "
                                    + ago(current.finishedAt()) + ")")
                    + ".";
        }
        if (environment.newestHoldsCommit().orElse(false)) {
            return ":hourglass_flowing_sand: " + name + " — being deployed now, in "
                    + link(
                            commitUrl(environment.newest().get().sha()),
                            shortSha(environment.newest().get().sha())) + ".";
        }
        return ":hourglass_flowing_sand: " + name + " — not yet: it runs "
                + link(commitUrl(current.sha()), shortSha(current.sha()))
                + (environment.deploying() ? "; a deployment is in progress without it" : "") + ".";
    }

    private String ago(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "(not finished)";
        }
        try {
            Duration age = Duration.between(Instant.parse(timestamp), clock.instant());
            if (age.isNegative() || age.toMinutes() < 1) {
                return "just now";
            }
            if (age.toHours() < 1) {
                return age.toMinutes() + " min ago";
            }
            if (age.toDays() < 2) {
                return age.toHours() + " h ago";
            }
            return age.toDays() + " days ago";
        } catch (DateTimeParseException e) {
            return timestamp;
        }
    }

    private String commitUrl(String sha) {
        return gitlab.config().url(config.instance()) + "/" + config.project() + "/-/commit/" + sha;
    }

    private String compareUrl(String from, String to) {
        return gitlab.config().url(config.instance()) + "/" + config.project() + "/-/compare/" + from + "..." + to;
    }

    private String host() {
        String host = gitlab.config().host(config.instance());
        return host == null ? config.instance() : host;
    }

    /**
     * A link Slack shows as {@code label}. The URL comes from GitLab: one that could end the link
     * early or start another ({@code <}, {@code >}, {@code |}, spaces) is not linked.
     */
    private static String link(String url, String label) {
        return Text.link(url, label);
    }

    private static String shortSha(String sha) {
        return sha.length() > 11 ? sha.substring(0, 11) : sha;
    }
}
