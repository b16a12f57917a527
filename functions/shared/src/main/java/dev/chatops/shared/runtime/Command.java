package dev.chatops.shared.runtime;

import dev.chatops.shared.command.CommandSpec;

/**
 * One command: its declaration in the {@link dev.chatops.shared.command.Catalog} and the work it
 * does. Collaborators come in through the constructor. People's mistakes are answered with a
 * {@link Reply}, not thrown; an exception means something broke, and the runtime answers it with
 * a generic failure and the request id.
 */
public interface Command {
    CommandSpec spec();

    Reply run(CommandCall call);
}
