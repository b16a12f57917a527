package dev.chatops.gateway;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;

/** Hands a command request or a button click to the function that runs it, without waiting for it to run. */
public interface Dispatcher {
    /**
     * Hands over {@code json}, a {@link CommandRequest}'s or a {@link ClickRequest}'s wire form.
     *
     * @throws DispatchException when it could not be handed over
     */
    void dispatch(String functionName, String json);

    /** @throws DispatchException when the request could not be handed over */
    default void dispatch(String functionName, CommandRequest request) {
        dispatch(functionName, request.toJson());
    }

    /** @throws DispatchException when the click could not be handed over */
    default void dispatch(String functionName, ClickRequest click) {
        dispatch(functionName, click.toJson());
    }
}
