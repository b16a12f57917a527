package dev.chatops.shared.command;

import java.util.ArrayList;
import java.util.List;

/**
 * One way to call a command: an optional subcommand word, positional parameters, options and the
 * role it needs. {@code feature get NAME} and {@code feature set NAME VALUE} are two forms of one command.
 *
 * <p>A form may act on GitLab instances chosen by their flags ({@code --ops}, {@code --staging}):
 * one at a time ({@link #onInstance()}) or several at once ({@link #onInstances()}). A form that
 * {@linkplain #changing() changes} things is never run twice for one request (a run interrupted
 * after it began is reported, not repeated); one that changes its instances may need more on
 * production ({@link #onProductionNeeds(Role)}): this record is the one place that says what each
 * form needs.
 */
public record Form(String subcommand, List<Param> params, List<OptionSpec> options, Role role, String description,
                   boolean takesInstance, boolean manyInstances, boolean changes, Role productionRole,
                   Waits waits) {
    /** Whether a call of the form waits for a second person's approval before it acts. */
    public enum Waits {
        /** Never. */
        NEVER,
        /** When the deployment's {@link ApprovalPolicy} says so; an owner may skip it with {@code --emergency}. */
        BY_POLICY,
        /** Always, whatever the policy, with no emergency: a request for something (access) is its own approval. */
        ALWAYS
    }

    /** The option that lets an owner of the chatops project skip the second person (break glass). */
    public static final String EMERGENCY = "emergency";

    public Form {
        params = List.copyOf(params);
        options = List.copyOf(options);
        if (productionRole == null || productionRole.accessLevel() < role.accessLevel()) {
            productionRole = role;
        }
    }

    public static Form of(Role role, String description, Param... params) {
        return new Form(null, List.of(params), List.of(), role, description, false, false, false, role, Waits.NEVER);
    }

    public static Form sub(String subcommand, Role role, String description, Param... params) {
        return new Form(subcommand, List.of(params), List.of(), role, description, false, false, false, role,
                Waits.NEVER);
    }

    /** This form with {@code options} as its options. */
    public Form withOptions(OptionSpec... more) {
        return new Form(subcommand, params, List.of(more), role, description, takesInstance, manyInstances, changes,
                productionRole, waits);
    }

    /** This form, acting on one GitLab instance chosen by its flag ({@code --ops}, {@code --production}, …). */
    public Form onInstance() {
        return new Form(subcommand, params, options, role, description, true, false, changes, productionRole,
                waits);
    }

    /** This form, acting on each instance whose flag is given ({@code --staging --production}), one after another. */
    public Form onInstances() {
        return new Form(subcommand, params, options, role, description, true, true, changes, productionRole,
                waits);
    }

    /**
     * This form, which changes something (its instances, or ChatOps' own records): never run a second
     * time for one request; on production, only from the production channels.
     */
    public Form changing() {
        return new Form(subcommand, params, options, role, description, takesInstance, manyInstances, true,
                productionRole, waits);
    }

    /**
     * This changing form may need a second person's approval, as the deployment's {@link
     * ApprovalPolicy} says; it then takes {@code --emergency "REASON"}, with which an owner of the
     * chatops project skips the wait (announced and audited).
     */
    public Form withApproval() {
        List<OptionSpec> more = new ArrayList<>(options);
        more.add(OptionSpec.valued(EMERGENCY, "\"REASON\"",
                "owners only: skip the second person's approval (announced and audited)"));
        return new Form(subcommand, params, more, role, description, takesInstance, manyInstances, changes,
                productionRole, Waits.BY_POLICY);
    }

    /**
     * This form always waits for a second person's approval, whatever the deployment's policy: a
     * request that asks someone for something ({@code access request}).
     */
    public Form alwaysApproved() {
        return new Form(subcommand, params, options, role, description, takesInstance, manyInstances, true,
                productionRole, Waits.ALWAYS);
    }

    /** Whether a call of this form may wait for a second person. */
    public boolean approvable() {
        return waits != Waits.NEVER;
    }

    /** This changing form needs {@code needed} when one of its instances is production. */
    public Form onProductionNeeds(Role needed) {
        return new Form(subcommand, params, options, role, description, takesInstance, manyInstances, changes, needed,
                waits);
    }

    /**
     * Whether this form takes the rest of the text verbatim, as its last parameter (a {@link Param#rest}):
     * then only known options at the very end of the text are options ({@code explain SELECT … --production}).
     */
    public boolean takesRawText() {
        return !params.isEmpty() && params.get(params.size() - 1).rest();
    }

    /** What a call needs: {@link #productionRole()} when it changes production, else {@link #role()}. */
    public Role roleFor(boolean changesProduction) {
        return changes && changesProduction ? productionRole : role;
    }

    public String usage(String slashCommand, String command) {
        StringBuilder usage = new StringBuilder(slashCommand).append(" run ").append(command);
        if (subcommand != null) {
            usage.append(' ').append(subcommand);
        }
        for (Param param : params) {
            usage.append(' ').append(param.usage());
        }
        for (OptionSpec option : options) {
            usage.append(" [").append(option.usage()).append(']');
        }
        if (takesInstance) {
            usage.append(manyInstances ? " [--<instance>…]" : " [--<instance>]");
        }
        return usage.toString();
    }
}
