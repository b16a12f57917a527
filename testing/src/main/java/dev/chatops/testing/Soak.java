package dev.chatops.testing;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The soak run ({@code mvn -B verify -P soak}, which sets {@code chatops.soak}): the same suites
 * with larger counts, too slow for every build. The everyday counts stay in the README's test
 * command; this is for before a release or after a change to the parts they try to break.
 */
public final class Soak {
    private Soak() {
    }

    /** Whether this is the soak run. */
    public static boolean on() {
        return Boolean.getBoolean("chatops.soak");
    }

    /** {@code everyday}, or {@code soak} in the soak run; {@code -D<property>=N} overrides both. */
    public static int count(String property, int everyday, int soak) {
        return Integer.getInteger(property, on() ? soak : everyday);
    }

    /** A jqwik property that runs in the soak run only ({@code @AddLifecycleHook(Soak.Only.class)}). */
    public static final class Only implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return on() ? SkipResult.doNotSkip() : SkipResult.skip("runs with -P soak only");
        }
    }
}
