package dev.chatops.shared.runtime;

import dev.chatops.shared.Log;
import dev.chatops.shared.PrimingServer;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Posts replies to a request's response_url ({@link SlackHttp}). Only URLs the
 * {@link ResponseUrlPolicy} allows are ever called, redirects are not followed, and a reply never
 * takes more than {@link Reply#MAX_MESSAGES} posts. 5xx answers, 429 (honouring Retry-After) and
 * network errors are retried with backoff until a deadline; other 4xx answers are final.
 */
public final class ResponseUrlClient {
    static final int MAX_ATTEMPTS = 4;

    /** Sleeps between attempts; tests pass one that records instead of waiting. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final SlackHttp http;
    private final ResponseUrlPolicy policy;
    private final Clock clock;
    private final Sleeper sleeper;

    public ResponseUrlClient(ResponseUrlPolicy policy, Clock clock, Sleeper sleeper, Duration callTimeout) {
        this.http = new SlackHttp(callTimeout);
        this.policy = policy;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public static ResponseUrlClient standard(ResponseUrlPolicy policy) {
        return new ResponseUrlClient(policy, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), Duration.ofSeconds(8));
    }

    public boolean allows(String url) {
        return policy.allows(url);
    }

    /**
     * Posts {@code reply} to {@code loopback} (not to a response_url: it is no request's) through the
     * client that posts replies: SnapStart's priming. A failure is thrown.
     */
    void prime(PrimingServer loopback, Reply reply) {
        for (Message message : reply.messages()) {
            try {
                int status = http.post(loopback.url() + "/snapstart-priming/reply", message).status();
                if (status != 200) {
                    throw new IllegalStateException("the priming server answered " + status);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("the priming reply was not posted", e);
            }
        }
    }

    /** Renders {@code reply}'s messages as {@link #post} would send them, sending nothing (priming). */
    void render(Reply reply) {
        for (Message message : reply.messages()) {
            SlackJson.GSON.toJson(message);
        }
    }

    /** Told how many messages have reached Slack so far, after each one does. */
    public interface Progress {
        void posted(int count);
    }

    /** Posts every message of {@code reply}, in order, giving up at {@code deadline}. */
    public void post(String url, Reply reply, Instant deadline) {
        post(url, reply.messages(), deadline, count -> { });
    }

    /**
     * Posts {@code messages} in order, telling {@code progress} after each one reached Slack, and
     * giving up at {@code deadline}; a {@link ReplyException} says whether trying later could help.
     */
    public void post(String url, List<Message> messages, Instant deadline, Progress progress) {
        if (!policy.allows(url)) {
            Log.warn("response_url.refused", "host", hostOf(url));
            throw new ReplyException("response_url is not on the allow-list", false);
        }
        if (messages.size() > Reply.MAX_MESSAGES) {
            throw new IllegalArgumentException("a reply takes at most " + Reply.MAX_MESSAGES + " posts");
        }
        for (int i = 0; i < messages.size(); i++) {
            postOne(url, messages.get(i), deadline);
            progress.posted(i + 1);
        }
    }

    private void postOne(String url, Message message, Instant deadline) {
        Duration backoff = Duration.ofMillis(200);
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            String problem;
            IOException failure = null;
            try {
                SlackHttp.Answer answer = http.post(url, message);
                int status = answer.status();
                if (status >= 200 && status < 300) {
                    return;
                }
                if (status == 429) {
                    wait = retryAfter(answer.retryAfter().orElse(null));
                } else if (status >= 500) {
                    wait = backoff;
                } else {
                    throw new ReplyException("response_url answered " + status + " " + answer.body(), false);
                }
                problem = "status " + status;
            } catch (IOException e) {
                wait = backoff;
                problem = e.getClass().getSimpleName();
                failure = e;
            }
            // Never wait past the deadline: Lambda's retry comes back later with the stored reply.
            if (attempt >= MAX_ATTEMPTS || clock.instant().plus(wait).isAfter(deadline)) {
                throw new ReplyException("response_url kept failing: " + problem, true, failure);
            }
            Log.warn("response_url.retry", "attempt", attempt, "problem", problem, "waitMs", wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplyException("interrupted while waiting to retry the reply", true, e);
            }
            backoff = backoff.multipliedBy(2);
        }
    }

    private static Duration retryAfter(String header) {
        if (header != null) {
            try {
                long seconds = Long.parseLong(header.strip());
                if (seconds >= 0) {
                    return Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException ignored) {
                // an HTTP date or garbage: fall back to a second
            }
        }
        return Duration.ofSeconds(1);
    }

    private static String hostOf(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException | NullPointerException e) {
            return "(unparseable)";
        }
    }
}
