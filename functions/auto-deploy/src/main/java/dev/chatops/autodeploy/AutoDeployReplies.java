package dev.chatops.autodeploy;

import dev.chatops.shared.Text;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabCommit;
import dev.chatops.shared.gitlab.GitLabDeployment;
import dev.chatops.shared.runtime.Reply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The replies of {@link AutoDeployCommand}: the environments' status, or where one commit is deployed. */
final class AutoDeployReplies {
    private final GitLab gitlab;
    private final AutoDeployConfig config;
    private final Clock clock;

    AutoDeployReplies(GitLab gitlab, AutoDeployConfig config, Clock clock) {
        this.gitlab = gitlab;
        this.config = config;
        this.clock = clock;
    }

    Reply statusReply(List<Environment> environments) {
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

    Reply commitReply(GitLabCommit commit, List<Environment> environments) {
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
