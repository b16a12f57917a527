package dev.chatops.shared.gitlab;

import dev.chatops.shared.ConfigurationException;
import java.util.Map;

/**
 * A project or group on one of the configured instances, as configuration writes it:
 * {@code instance:path} ({@code production:gitlab-org/gitlab}). The one parser of that form.
 */
public record ProjectLocation(String instance, String path) {
    /**
     * {@code value} read as {@code instance:path}, the instance one of {@code instances}.
     *
     * @param variable the environment variable it came from, for the message when it does not parse
     * @throws ConfigurationException naming the variable and the value, when it does not
     */
    public static ProjectLocation parse(String value, Map<String, String> instances, String variable) {
        String trimmed = value.strip();
        int colon = trimmed.indexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1 || !instances.containsKey(trimmed.substring(0, colon))) {
            throw new ConfigurationException(
                    "environment variable " + variable + " must read instance:group/project with an " + "instance from "
                            + GitLabConfig.INSTANCES + "; not: " + trimmed);
        }
        return new ProjectLocation(trimmed.substring(0, colon), trimmed.substring(colon + 1));
    }

    /** Back to {@code instance:path}. */
    @Override
    public String toString() {
        return instance + ":" + path;
    }
}
