package dev.chatops.local;

import dev.chatops.shared.Log;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every (function, action, resource) the local stack's IAM decided in this JVM, and whether it was
 * allowed: what the least-privilege report compares with each role's grants.
 */
final class IamCalls {
    /** One decision; {@code template} tells the project's template from a test's altered copy. */
    record Call(String template, String function, String role, String action, String resource, boolean allowed) {
    }

    private static final Set<Call> CALLS = ConcurrentHashMap.newKeySet();
    /**
     * {@code template|role#index}: the grants (by their place in {@code IamPolicy.grants()}) some
     * allowed call used.
     */
    private static final Set<String> USED = ConcurrentHashMap.newKeySet();

    private IamCalls() {
    }

    static void record(String template, String function, String role, String action, String resource, boolean allowed) {
        if (CALLS.add(new Call(template, function, role, action, resource, allowed)) && !allowed) {
            Log.warn("local.iam.denied", "function", function, "action", action, "resource", resource);
        }
    }

    static void grantUsed(String template, String role, int index) {
        USED.add(template + "|" + role + "#" + index);
    }

    /** {@code role#index} of every grant of {@code template}'s roles that an allowed call used. */
    static Set<String> usedGrants(String template) {
        Set<String> used = new HashSet<>();
        USED.stream()
                .filter(u -> u.startsWith(template + "|"))
                .forEach(u -> used.add(u.substring(template.length() + 1)));
        return used;
    }

    static List<Call> all() {
        return List.copyOf(CALLS);
    }
}
