package dev.chatops.shared.runtime;

import dev.chatops.shared.command.Invocation;
import java.util.Optional;
import java.util.Set;

/**
 * Commands that change production run only from the configured production channels, where the
 * people who watch production see them. A form that changes its instances is on production when one
 * of its instance flags, or the default instance when none is given, is the production one.
 */
public record ChannelRule(Set<String> productionChannels, String productionInstance, String defaultInstance) {
    /** Whether {@code invocation} changes the production instance (and so needs the form's production role). */
    public boolean changesProduction(Invocation invocation) {
        return invocation.form().changes() && invocation.form().takesInstance()
                && invocation.instancesOr(defaultInstance).contains(productionInstance);
    }

    /** Empty when the call may go ahead here; otherwise the refusal. */
    public Optional<String> refusal(Invocation invocation, String channelId) {
        if (productionChannels.isEmpty() || !changesProduction(invocation) || productionChannels.contains(channelId)) {
            return Optional.empty();
        }
        return Optional.of("Changes to " + productionInstance + " are made from "
                + String.join(" or ", productionChannels.stream().sorted().map(c -> "<#" + c + ">").toList())
                + ", where they are seen. Nothing was changed.");
    }
}
