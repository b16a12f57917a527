package dev.chatops.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the {@link GitLabStandIn} has been told to do to coming requests: planned failures and stalls
 * ({@link GitLabStandIn#failNext}, {@link GitLabStandIn#failAfterNext}, {@link GitLabStandIn#stallNext})
 * and actions run as one arrives ({@link GitLabStandIn#onNext}). A request is matched as
 * {@code "METHOD /raw/path?raw-query"}. Not thread-safe: callers hold the stand-in's lock.
 */
final class StandInFaults {
    /** A planned failure: the next {@code times} requests whose "METHOD /path" starts with {@code prefix}. */
    static final class Fault {
        final String prefix;
        final int status;
        final Duration stall;
        /** Whether the request is handled (changing what it changes) before {@code status} is answered. */
        final boolean applied;
        int times;

        Fault(String prefix, int status, Duration stall, boolean applied, int times) {
            this.prefix = prefix;
            this.status = status;
            this.stall = stall;
            this.applied = applied;
            this.times = times;
        }
    }

    private final List<Fault> faults = new ArrayList<>();
    /** What happens elsewhere just as a request arrives. */
    private final List<Map.Entry<String, Runnable>> arrivals = new ArrayList<>();

    void clear() {
        faults.clear();
        arrivals.clear();
    }

    void failNext(String prefix, int status, int times) {
        faults.add(new Fault(prefix, status, null, false, times));
    }

    void failAfterNext(String prefix, int status, int times) {
        faults.add(new Fault(prefix, status, null, true, times));
    }

    void stallNext(String prefix, Duration stall, int times) {
        faults.add(new Fault(prefix, 0, stall, true, times));
    }

    void onNext(String prefix, Runnable action) {
        arrivals.add(Map.entry(prefix, action));
    }

    /** The action planned for this request, taken off the plan; null when none. */
    Runnable takeArrival(String request) {
        for (int i = 0; i < arrivals.size(); i++) {
            if (request.startsWith(arrivals.get(i).getKey())) {
                return arrivals.remove(i).getValue();
            }
        }
        return null;
    }

    /** The first planned failure this request uses up; null when none. */
    Fault takeFault(String request) {
        for (Fault fault : faults) {
            if (fault.times > 0 && request.startsWith(fault.prefix)) {
                fault.times--;
                return fault;
            }
        }
        return null;
    }

    /** The reason phrase GitLab's error body puts after the status. */
    static String reason(int status) {
        return switch (status) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }
}
