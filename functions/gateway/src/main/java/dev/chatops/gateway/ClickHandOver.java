package dev.chatops.gateway;

import dev.chatops.shared.Log;
import dev.chatops.gateway.Gateway.Response;

/** A verified interaction, handed to the function of the command that owns the button, or acknowledged and dropped. */
final class ClickHandOver {
    private ClickHandOver() {
    }

    static Response handOver(BlockActions.Outcome outcome, GatewayConfig config, Dispatcher dispatcher) {
        if (outcome.click().isEmpty()) {
            Log.warn("interaction.ignored", "reason", outcome.ignoredBecause());
            return Response.empty(200);
        }
        BlockActions.Click click = outcome.click().get();
        try {
            dispatcher.dispatch(config.functionFor(click.spec().target()), click.request());
        } catch (DispatchException e) {
            // 500 rather than the ack: Slack then shows the person an error on the button, so a
            // click that went nowhere is not taken for one that is being decided. (A slash command
            // can say so in its answer; a click's answer has no text.) Clicking again makes a new
            // request id, which is safe because a function decides each approval once, by its id,
            // however many clicks reach it: people double-click anyway.
            Log.error("dispatch.failed", e, "command", click.spec().name(), "action", click.request().action(),
                    "mayHaveStarted", e.mayHaveStarted());
            return new Response(500, "", Gateway.Ack.NOT_DISPATCHED);
        }
        Log.info("click.dispatched", "command", click.spec().name(), "action", click.request().action(),
                "user", click.request().userId(), "team", click.request().teamId());
        return new Response(200, "", Gateway.Ack.DISPATCHED);
    }
}
