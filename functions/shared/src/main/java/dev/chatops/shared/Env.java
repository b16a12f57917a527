package dev.chatops.shared;

import java.util.Map;
import java.util.Optional;

/**
 * Where a function reads its configuration: the process environment in Lambda, a map in the
 * local runner and in tests. Each variable is named once, as a constant of the configuration
 * class that reads it; a missing required one fails at start-up with a message that names it.
 */
public final class Env {
    private final Map<String, String> values;

    private Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Env of(Map<String, String> values) {
        return new Env(values);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    /** The value of {@code name}, or a {@link ConfigurationException} naming it. */
    public String require(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new ConfigurationException("missing environment variable " + name);
        }
        return value.strip();
    }

    public Optional<String> optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    public String optional(String name, String fallback) {
        return optional(name).orElse(fallback);
    }

    public long optionalLong(String name, long fallback) {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.get());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("environment variable " + name + " must be a whole number", e);
        }
    }
}
