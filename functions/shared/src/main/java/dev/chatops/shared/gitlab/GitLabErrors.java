package dev.chatops.shared.gitlab;

import dev.chatops.shared.Text;

/**
 * GitLab's failures as sentences a person can act on, the one wording every command uses: the
 * instance by name (never its address), what it means for the change (made, not made, or unknown
 * and how to check), and GitLab's own message only where it explains a refusal (400, 409, 422).
 */
public final class GitLabErrors {
    private GitLabErrors() {
    }

    /**
     * What went wrong talking to {@code instance}. {@code write} says whether a change was being made,
     * for which a timeout leaves it unknown whether GitLab made it; {@code checkWith} is the command
     * that tells.
     */
    public static String sentence(String instance, GitLabException e, boolean write, String checkWith) {
        return sentence(instance, e, write, checkWith, false);
    }

    /**
     * As {@link #sentence(String, GitLabException, boolean, String)}; {@code asCaller} when the request
     * was made as the caller (GitLab's {@code Sudo}), so that a 403 is the caller's own rights speaking.
     */
    public static String sentence(
            String instance, GitLabException e, boolean write, String checkWith, boolean asCaller) {
        String gitlab = "GitLab on " + instance;
        if (e.status() == 0) {
            if (e.timedOut()) {
                return gitlab + " did not answer in time"
                        + (write
                                ? ": the change may or may not have been made. Check with `" + checkWith + "`."
                                : ". Try again in a minute.");
            }
            return gitlab + " could not be reached"
                    + (write
                            ? "; the change was most likely not made. Check with `" + checkWith + "`."
                            : ". Try again in a minute.");
        }
        return switch (e.status()) {
            case 401 ->
                gitlab + " refused ChatOps's API token (401): it is missing, expired or revoked. The operators need "
                        + "to renew it; nothing was changed.";
            case 403 ->
                asCaller
                        ? gitlab
                                + " refused it as you (403): your own rights there do not allow it. Nothing was"
                                + " changed."
                        : gitlab
                                + " does not let ChatOps's token do this (403): it needs an administrator's token"
                                + " (with `sudo` on the chatops instance). Nothing was changed.";
            case 404 ->
                gitlab + " has no such resource (404: " + Text.inCode(e.getMessage(), 120) + "). Nothing was changed.";
            case 429 -> gitlab + " is limiting ChatOps's requests (429). Try again in a minute; nothing was changed.";
            case 400, 409, 422 ->
                gitlab + " refused it: " + Text.inCode(e.getMessage(), 300) + ". Nothing was changed.";
            default ->
                e.status() >= 500
                        ? gitlab + " failed (" + e.status() + ")"
                                + (write
                                        ? ": the change may or may not have been made. Check with `" + checkWith + "`."
                                        : ". Try again in a minute; if it keeps failing, check GitLab's status.")
                        : gitlab + " answered " + e.status() + ": " + Text.inCode(e.getMessage(), 300) + ".";
        };
    }
}
