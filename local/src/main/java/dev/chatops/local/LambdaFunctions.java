package dev.chatops.local;

import dev.chatops.local.LambdaContainer.FunctionError;
import dev.chatops.local.LambdaContainer.Invocation;
import dev.chatops.local.LambdaContainer.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The functions of the template, each run as Lambda runs it: an invocation goes to an idle
 * execution environment of its function, or a new one is started for it (a cold start), up to
 * {@code maxContainers} per function; beyond that, invocations wait their turn (Lambda would scale
 * further, this machine cannot). An environment that timed out, crashed or failed to initialise is
 * gone; the next invocation starts a new one. Functions behind an HTTP route, which someone waits
 * on, may have up to {@value #INTERACTIVE_CONTAINERS} environments.
 */
final class LambdaFunctions implements AutoCloseable {
    static final int INTERACTIVE_CONTAINERS = 8;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final Path runtimeJars;
    private final BiConsumer<String, String> log;
    private final int maxContainers;
    private volatile boolean running = true;

    LambdaFunctions(
            List<LambdaFunction> functions, Path runtimeJars, BiConsumer<String, String> log, int maxContainers) {
        this.runtimeJars = runtimeJars;
        this.log = log;
        this.maxContainers = maxContainers;
        functions.forEach(f -> pools.put(f.id(), new Pool(f)));
    }

    boolean has(String functionId) {
        return pools.containsKey(functionId);
    }

    LambdaFunction function(String functionId) {
        return pool(functionId).function;
    }

    List<LambdaFunction> functions() {
        return pools.values().stream().map(p -> p.function).toList();
    }

    /** Runs one invocation of {@code functionId} and waits for what it answered. */
    Result invoke(String functionId, byte[] payload, String invokedArn) {
        return invoke(functionId, payload, invokedArn, null);
    }

    /** As {@link #invoke(String, byte[], String)}, in the caller's X-Ray trace ({@code X-Amzn-Trace-Id}, or null). */
    Result invoke(String functionId, byte[] payload, String invokedArn, String callerTrace) {
        CompletableFuture<Result> result = submit(functionId, payload, invokedArn, callerTrace);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.error("Runtime.Unknown", "interrupted");
        } catch (ExecutionException e) {
            return Result.error("Runtime.Unknown", String.valueOf(e.getCause()));
        }
    }

    CompletableFuture<Result> submit(String functionId, byte[] payload, String invokedArn) {
        return submit(functionId, payload, invokedArn, null);
    }

    CompletableFuture<Result> submit(String functionId, byte[] payload, String invokedArn, String callerTrace) {
        Invocation invocation = new Invocation(UUID.randomUUID().toString(), payload, invokedArn, callerTrace,
                new CompletableFuture<>());
        pool(functionId).submit(invocation);
        return invocation.result();
    }

    /** The process ids of the function's live execution environments. */
    List<Long> pids(String functionId) {
        return pool(functionId).containers.stream().filter(LambdaContainer::alive).map(LambdaContainer::pid).toList();
    }

    /** How many execution environments of the function have been started (cold starts). */
    int coldStarts(String functionId) {
        return pool(functionId).started.get();
    }

    private Pool pool(String functionId) {
        Pool pool = pools.get(functionId);
        if (pool == null) {
            throw new IllegalArgumentException("no function " + functionId);
        }
        return pool;
    }

    @Override
    public void close() {
        running = false;
        pools.values().forEach(Pool::close);
    }

    /** The execution environments of one function and the invocations waiting for one. */
    private final class Pool {
        private final LambdaFunction function;
        private final LinkedBlockingQueue<Invocation> waiting = new LinkedBlockingQueue<>();
        private final List<LambdaContainer> containers = new CopyOnWriteArrayList<>();
        private final AtomicInteger workers = new AtomicInteger();
        private final AtomicInteger idle = new AtomicInteger();
        private final AtomicInteger started = new AtomicInteger();

        Pool(LambdaFunction function) {
            this.function = function;
        }

        void submit(Invocation invocation) {
            if (!running) {
                invocation.result().complete(Result.error("ServiceException", "the local stack is stopping"));
                return;
            }
            waiting.add(invocation);
            startIfNeeded();
        }

        /** A new execution environment when more invocations wait than environments are idle, up to the limit. */
        private synchronized void startIfNeeded() {
            int limit = function.interactive() ? Math.max(maxContainers, INTERACTIVE_CONTAINERS) : maxContainers;
            if (running && idle.get() < waiting.size() && workers.get() < limit) {
                workers.incrementAndGet();
                Thread worker = new Thread(this::work, "lambda-" + function.id());
                worker.setDaemon(true);
                worker.start();
            }
        }

        /** One execution environment's life: start, initialise, then take invocations until it is gone. */
        private void work() {
            LambdaContainer container = null;
            try {
                started.incrementAndGet();
                container = LambdaContainer.start(function, runtimeJars, line -> log.accept(function.id(), line));
                containers.add(container);
                try {
                    container.awaitReady();
                } catch (FunctionError e) {
                    log.accept(
                            function.id(),
                            "INIT_REPORT Status: error Error Type: "
                                    + LambdaErrors.type(e.result().payload()));
                    // The invocation that caused this cold start gets the init error, as in Lambda.
                    Invocation first = waiting.poll();
                    if (first != null) {
                        first.result().complete(e.result());
                    }
                    return;
                }
                while (running && container.alive()) {
                    idle.incrementAndGet();
                    Invocation invocation;
                    try {
                        invocation = waiting.poll(1, TimeUnit.SECONDS);
                    } finally {
                        idle.decrementAndGet();
                    }
                    if (invocation != null) {
                        invocation.result().complete(container.invoke(invocation));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                Invocation first = waiting.poll();
                if (first != null) {
                    first.result()
                            .complete(Result.error(
                                    "Runtime.Unknown", "could not start " + function.id() + ": " + e.getMessage()));
                }
            } finally {
                if (container != null) {
                    container.close();
                    containers.remove(container);
                }
                workers.decrementAndGet();
                // Invocations still waiting get an environment of their own.
                startIfNeeded();
            }
        }

        void close() {
            for (LambdaContainer container : new ArrayList<>(containers)) {
                container.close();
            }
            for (Invocation invocation; (invocation = waiting.poll()) != null; ) {
                invocation.result().complete(Result.error("ServiceException", "the local stack stopped"));
            }
        }
    }
}
