package dev.chatops.shared.access;

/** The caller's level and 2FA could not be read just now; {@link #brief()} says why, in a few words safe to show. */
public final class AccessCheckException extends RuntimeException {
    private final String brief;

    public AccessCheckException(String brief, Throwable cause) {
        super(brief, cause);
        this.brief = brief;
    }

    /** A few words for the person ("timed out", "not reachable", "HTTP 503"): no URL, no GitLab message. */
    public String brief() {
        return brief;
    }
}
