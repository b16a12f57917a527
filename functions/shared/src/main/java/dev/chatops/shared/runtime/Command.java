package dev.chatops.shared.runtime;

import dev.chatops.shared.access.Caller;
import dev.chatops.shared.approval.Approval;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.command.Role;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One command: its declaration in the {@link dev.chatops.shared.command.Catalog} and one
 * {@link Handler} per form it declares. Collaborators come in through the constructor. People's
 * mistakes are answered with a {@link Reply}, not thrown; an exception means something broke, and
 * the runtime answers it with a generic failure and the request id.
 *
 * <p>The runtime calls the handler of the form a call matched, and nothing else: a form without its
 * own handler, or a handler for no form, stops the function at start-up ({@link #handlersOf}), so a
 * form added to the catalogue never falls through to another form's work.
 */
public interface Command {
    /** The work of one form. */
    @FunctionalInterface
    interface Handler {
        Reply handle(CommandCall call);
    }

    /**
     * The work of a form that may wait for a second person ({@link Form#approvable()}): besides doing
     * it, it can say what a call would change, as of now, after every check the call would pass
     * through, changing nothing. The runtime asks for that preview instead of the work when the call
     * must wait, and runs the work, checks again included, once a second person approved it.
     */
    interface Approvable extends Handler {
        Preview preview(CommandCall call);

        /** Called once the approval was asked for, with the message posted in the channel (to copy it elsewhere). */
        default void asked(Approval approval, Reply message) {
        }

        /**
         * Whether this call waits for a second person under any policy but none: it changes who may
         * approve (the chatops project's members), so that nobody makes their own second person.
         */
        default boolean waitsWhatever(Invocation invocation) {
            return false;
        }
    }

    /** What a call of an approvable form would do: refused now (by its checks), or this change. */
    sealed interface Preview {
        /** The call would be refused, as this reply says; nothing is asked. */
        record Refused(Reply reply) implements Preview {
        }

        /**
         * The call would make this change (markdown, one line per part: before → after), asked for by
         * {@code requester} (empty: the caller the authoriser proved), to be approved by someone with
         * {@code approverRole} or more (empty: the role the change itself needs), within
         * {@code expiresAfter} (empty: the deployment's {@code APPROVAL_TTL_MINUTES}).
         */
        record Change(String summary, Optional<Caller> requester, Optional<Role> approverRole,
                      Optional<Duration> expiresAfter) implements Preview {
            public Change(String summary) {
                this(summary, Optional.empty(), Optional.empty(), Optional.empty());
            }
        }
    }

    /** The handler of an approvable form: {@code work} does it, {@code preview} tells it without doing it. */
    static Approvable approvable(Handler work, Function<CommandCall, Preview> preview) {
        return approvable(work, preview, invocation -> false);
    }

    /** As {@link #approvable(Handler, Function)}, waiting under any policy but none when {@code whatever} says so. */
    static Approvable approvable(Handler work, Function<CommandCall, Preview> preview,
                                 Predicate<Invocation> whatever) {
        return new Approvable() {
            @Override
            public boolean waitsWhatever(Invocation invocation) {
                return whatever.test(invocation);
            }

            @Override
            public Reply handle(CommandCall call) {
                return work.handle(call);
            }

            @Override
            public Preview preview(CommandCall call) {
                return preview.apply(call);
            }
        };
    }

    CommandSpec spec();

    /** One handler per form of {@link #spec()}, keyed by {@link #keyOf(Form)}. */
    Map<String, Handler> handlers();

    /** A form's key among the handlers: its subcommand, or {@code ""} for a command without subcommands. */
    static String keyOf(Form form) {
        return form.subcommand() == null ? "" : form.subcommand();
    }

    /**
     * {@code command}'s handlers, checked against its declaration: exactly one per declared form.
     *
     * @throws IllegalStateException naming the command and the form when a form has no handler or a
     *                               handler names no form
     */
    static Map<String, Handler> handlersOf(Command command) {
        CommandSpec spec = command.spec();
        Map<String, Handler> handlers = new LinkedHashMap<>(command.handlers());
        List<String> declared = spec.forms().stream().map(Command::keyOf).toList();
        for (String form : declared) {
            if (handlers.get(form) == null) {
                throw new IllegalStateException("command `" + spec.name() + "`: the form `" + named(spec, form)
                        + "` has no handler");
            }
        }
        for (String key : handlers.keySet()) {
            if (!declared.contains(key)) {
                throw new IllegalStateException("command `" + spec.name() + "`: the handler for `" + named(spec, key)
                        + "` matches no form it declares (" + String.join(", ", declared.stream()
                        .map(f -> "`" + named(spec, f) + "`").toList()) + ")");
            }
        }
        for (Form form : spec.forms()) {
            if (form.approvable() && !(handlers.get(keyOf(form)) instanceof Approvable)) {
                throw new IllegalStateException("command `" + spec.name() + "`: the form `"
                        + named(spec, keyOf(form)) + "` may wait for approval, but its handler cannot preview it");
            }
        }
        return Map.copyOf(handlers);
    }

    private static String named(CommandSpec spec, String key) {
        return key.isEmpty() ? spec.name() : spec.name() + " " + key;
    }
}
