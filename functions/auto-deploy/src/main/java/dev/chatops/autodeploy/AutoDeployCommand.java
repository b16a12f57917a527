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
    private final AutoDeployReplies replies;

    AutoDeployCommand(GitLab gitlab, AutoDeployConfig config, Clock clock) {
        this.gitlab = gitlab;
        this.config = config;
        this.replies = new AutoDeployReplies(gitlab, config, clock);
    }

    @Override
    public CommandSpec spec() {
        return Catalog.AUTO_DEPLOY;
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
        return commit.isPresent() ? replies.commitReply(commit.get(), environments) : replies.statusReply(environments);
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
}
