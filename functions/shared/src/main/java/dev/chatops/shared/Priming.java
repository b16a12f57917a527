package dev.chatops.shared;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart priming: a runtime hook that, before Lambda takes a function's snapshot, runs a sample
 * of the function's own request path, so that what it loads, links and compiles is in the snapshot
 * rather than paid by the first request after a restore. Lambda's Java runtime client runs the
 * {@code beforeCheckpoint} of every {@code org.crac} resource registered when it publishes a
 * version, and {@code afterRestore} in each environment restored from it
 * (docs/performance.md#priming).
 *
 * <p>A warm-up must have no side effect and reach nothing outside the process: its requests go to a
 * {@link PrimingServer} on loopback, signed with throwaway credentials (the gateway's handed out by
 * that server, as the container endpoint would); it
 * keeps nothing unique (ids, keys, seeds) and leaves no connection open, so there is nothing for
 * {@code afterRestore} to re-establish: real credentials, secrets and connections are all first
 * made by a real request, after the restore. Its log and metric lines are dropped. A warm-up that
 * fails, or finds a class missing from the runtime, is logged and the function goes on unprimed, as
 * correct as before, only slower on its first request: a failed warm-up never fails the publication
 * of a version. Any other {@link Error} is not caught.
 *
 * <p>Lambda's runtime client keeps registered resources by weak reference: the function holds its
 * {@code Priming}, or it is collected before the checkpoint.
 */
public final class Priming implements Resource {
    private final String function;
    private final Runnable warmUp;
    private volatile boolean primed;

    private Priming(String function, Runnable warmUp) {
        this.function = function;
        this.warmUp = warmUp;
    }

    /**
     * Registers {@code warmUp} to run before a snapshot. Outside SnapStart (the JVM has no CRaC,
     * or no hook runs) registering changes nothing. The caller keeps the returned object.
     */
    public static Priming register(String function, Runnable warmUp) {
        Priming priming = new Priming(function, warmUp);
        Core.getGlobalContext().register(priming);
        return priming;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to re-establish (see above); the line tells operators whether the snapshot was primed.
        Log.info("snapstart.restored", "function", function, "primed", primed);
    }

    /** Runs the warm-up now: true when it completed. Its failure is logged and leaves the function unprimed. */
    public boolean prime() {
        try {
            Log.quietly(warmUp);
            primed = true;
        } catch (RuntimeException | LinkageError e) {
            // A LinkageError: a class the warm-up uses is missing from the runtime (its loopback
            // server is the JDK's jdk.httpserver); the function itself does not need it.
            primed = false;
            Log.error("snapstart.priming_failed", e, "function", function);
        }
        return primed;
    }

    /** Whether the last warm-up completed. */
    public boolean primed() {
        return primed;
    }
}
