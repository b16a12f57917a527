package dev.chatops.shared.command;

import java.util.Locale;

/**
 * Which changes wait for a second person's approval in this deployment ({@code APPROVALS}): none;
 * the changes of an {@linkplain Form#approvable() approvable} form on the production instance (the
 * template's default); or every change of an approvable form.
 */
public enum ApprovalPolicy {
    NONE, PRODUCTION, CHANGES;

    /** The setting's name. */
    public static final String VARIABLE = "APPROVALS";

    /** {@code none}, {@code production} or {@code changes}; anything else stops the function with its name. */
    public static ApprovalPolicy parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "production" -> PRODUCTION;
            case "changes" -> CHANGES;
            default -> throw new IllegalArgumentException(
                    VARIABLE + " must be none, production or changes, not `" + value + "`");
        };
    }

    /** Whether a call of {@code form}, which changes production or not, waits for a second person. */
    public boolean needs(Form form, boolean changesProduction) {
        if (form.waits() == Form.Waits.ALWAYS) {
            return true;
        }
        return form.waits() == Form.Waits.BY_POLICY && form.changes() && switch (this) {
            case NONE -> false;
            case PRODUCTION -> changesProduction;
            case CHANGES -> true;
        };
    }

    /** For help: when a call of {@code form} waits for a second person, or empty when it never does. */
    public String when(Form form) {
        if (form.waits() == Form.Waits.ALWAYS) {
            return "needs a second person's approval";
        }
        if (form.waits() == Form.Waits.NEVER || this == NONE) {
            return "";
        }
        if (this == CHANGES) {
            return "needs a second person's approval";
        }
        return form.takesInstance() ? "needs a second person's approval on production" : "";
    }

    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }
}
