package dev.chatops.autodeploy;

import dev.chatops.shared.gitlab.GitLabDeployment;
import java.util.Optional;

/**
 * What one environment looks like: its current (last successful) and newest deployment, or why
 * it could not be read.
 */
record Environment(String name, Optional<GitLabDeployment> current, Optional<GitLabDeployment> newest,
                   Optional<Boolean> holdsCommit, Optional<Boolean> newestHoldsCommit, String problem) {
    static Environment failed(String name, String problem) {
        return new Environment(
                name, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), problem);
    }

    boolean deploying() {
        return newest.filter(d -> d.status().equals("running") || d.status().equals("created")).isPresent();
    }
}
