package dev.chatops.shared;

import java.util.Optional;

/**
 * The X-Ray trace of the invocation being handled, as Lambda hands it to a Java function: the
 * runtime sets the system property {@code com.amazonaws.xray.traceHeader} for each invocation (an
 * environment variable cannot change inside a running JVM); {@code _X_AMZN_TRACE_ID} is read when
 * it is not set. With {@code Tracing: Active}, passing the header on to a call made (the gateway's
 * hand-signed Invoke) keeps the callee in the same trace; the AWS SDK does the same for its calls.
 */
public final class Trace {
    static final String PROPERTY = "com.amazonaws.xray.traceHeader";
    static final String VARIABLE = "_X_AMZN_TRACE_ID";

    private Trace() {
    }

    /** The current trace header ({@code Root=1-…;Parent=…;Sampled=…}), if the invocation has one. */
    public static Optional<String> header() {
        String header = System.getProperty(PROPERTY);
        if (header == null || header.isBlank()) {
            header = System.getenv(VARIABLE);
        }
        return header == null || header.isBlank() ? Optional.empty() : Optional.of(header.strip());
    }

    /** The trace's root id ({@code 1-5759e988-bd862e3fe1be46a994272793}), which every hop of it shares. */
    public static Optional<String> root() {
        return header().flatMap(Trace::rootOf);
    }

    /** The {@code Root} of a trace header, if it names one. */
    public static Optional<String> rootOf(String header) {
        for (String part : header.split(";")) {
            String field = part.strip();
            if (field.startsWith("Root=") && field.length() > "Root=".length()) {
                return Optional.of(field.substring("Root=".length()));
            }
        }
        return Optional.empty();
    }
}
