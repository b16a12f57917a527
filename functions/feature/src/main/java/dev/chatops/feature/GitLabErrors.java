package dev.chatops.feature;

import dev.chatops.shared.Text;
import dev.chatops.shared.gitlab.GitLabException;

/** GitLab's failures as sentences a person can act on; GitLab's own message where it has one worth reading. */
final class GitLabErrors {
    private GitLabErrors() {
    }

    /**
     * What went wrong talking to {@code instance}. {@code write} says whether a change was being made,
     * for which a timeout leaves it unknown whether GitLab made it; {@code checkWith} is the command
     * that tells.
     */
    static String sentence(String instance, GitLabException e, boolean write, String checkWith) {
        String gitlab = "GitLab on " + instance;
        if (e.status() == 0) {
            if (e.timedOut()) {
                return gitlab + " did not answer in time" + (write
                        ? ": the change may or may not have been made. Check with `" + checkWith + "`." : ". Try again in a minute.");
            }
            return gitlab + " could not be reached" + (write ? "; the change was most likely not made. Check with `" + checkWith + "`."
                    : ". Try again in a minute.");
        }
        return switch (e.status()) {
            case 401 -> gitlab + " refused ChatOps's API token (401): it is missing, expired or revoked. The operators need "
                    + "to renew it; nothing was changed.";
            case 403 -> gitlab + " does not let ChatOps's token do this (403): the Features API needs an administrator's "
                    + "token. Nothing was changed.";
            case 404 -> gitlab + " has no such resource (404: " + Text.inCode(e.getMessage(), 120) + "). Nothing was changed.";
            case 429 -> gitlab + " is limiting ChatOps's requests (429). Try again in a minute; nothing was changed.";
            case 400, 409, 422 -> gitlab + " refused it: " + Text.inCode(e.getMessage(), 300) + ". Nothing was changed.";
            default -> e.status() >= 500
                    ? gitlab + " failed (" + e.status() + ")" + (write
                            ? ": the change may or may not have been made. Check with `" + checkWith + "`."
                            : ". Try again in a minute; if it keeps failing, check GitLab's status.")
                    : gitlab + " answered " + e.status() + ": " + Text.inCode(e.getMessage(), 300) + ".";
        };
    }
}
