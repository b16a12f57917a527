package dev.chatops.shared.command;

import java.util.Locale;

/**
 * What a person must be on the chatops project to run a command: GitLab's access levels
 * (guest 10 … owner 50), plus {@link #ANYONE} for commands that only tell people about themselves.
 */
public enum Role {
    ANYONE(0),
    GUEST(10),
    REPORTER(20),
    DEVELOPER(30),
    MAINTAINER(40),
    OWNER(50);

    private final int accessLevel;

    Role(int accessLevel) {
        this.accessLevel = accessLevel;
    }

    /** GitLab's numeric access level. */
    public int accessLevel() {
        return accessLevel;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The highest role whose level is at most {@code accessLevel} (GitLab also has 5, minimal access). */
    public static Role ofAccessLevel(int accessLevel) {
        Role result = ANYONE;
        for (Role role : values()) {
            if (role.accessLevel <= accessLevel) {
                result = role;
            }
        }
        return result;
    }
}
