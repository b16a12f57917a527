package dev.chatops.shared.runtime;

import dev.chatops.shared.command.Invocation;
import java.util.Optional;
import java.util.Set;

/**
 * Commands that change production run only from the configured production channels, where the
 * people who watch production see them. A form that changes its instance is on production when its
 * instance flag, or the default instance, is the production one.
 */
public record ChannelRule(Set<String> productionChannels, String productionInstance, String defaultInstance) {
    /** Empty when the call may go ahead here; otherwise the refusal. */
    public Optional<String> refusal(Invocation invocation, String channelId) {
        if (productionChannels.isEmpty() || !invocation.form().changes()) {
            return Optional.empty();
        }
        String instance = invocation.instance().orElse(defaultInstance);
        if (!instance.equals(productionInstance) || productionChannels.contains(channelId)) {
            return Optional.empty();
        }
        return Optional.of("Changes to " + productionInstance + " are made from "
                + String.join(" or ", productionChannels.stream().sorted().map(c -> "<#" + c + ">").toList())
                + ", where they are seen. Nothing was changed.");
    }
}
