package dev.chatops.gateway;

import dev.chatops.shared.CommandRequest;

/** Hands a command request to the function that runs it, without waiting for it to run. */
public interface Dispatcher {
    /** @throws DispatchException when the request could not be handed over */
    void dispatch(String functionName, CommandRequest request);
}
