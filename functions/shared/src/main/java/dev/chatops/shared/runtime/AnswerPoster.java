package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Posts to a request's response_url for the runtime: an attempt's answer from where the last
 * delivery stopped, each message that reaches Slack counted in the attempt and in the request's
 * record (so no retry posts it again) — the last one together with the audit record's finish
 * ({@link Bookkeeping#finish}) — and the progress lines a command posts while it works.
 */
final class AnswerPoster {
    private final ResponseUrlClient replies;
    private final RequestClaims claims;
    private final Clock clock;

    AnswerPoster(ResponseUrlClient replies, RequestClaims claims, Clock clock) {
        this.replies = replies;
        this.claims = claims;
        this.clock = clock;
    }

    boolean allows(String responseUrl) {
        return replies.allows(responseUrl);
    }

    /** Posts what is left of the attempt's answer by its deadline; Slack's refusal is thrown, the count kept. */
    void post(Attempt attempt) {
        List<Message> messages = attempt.toPost();
        int from = attempt.from();
        int total = messages.size();
        replies.post(attempt.request.responseUrl(), messages.subList(from, total), attempt.deadline, count -> {
            attempt.reached(from + count);
            if (attempt.countsLastPostAtFinish()) {
                return; // in one write with the audit record's finish, which comes next (Bookkeeping)
            }
            try {
                claims.markPosted(attempt.requestId(), from + count, from + count == total);
            } catch (StoreException e) {
                // The message is in Slack; a retry may post it again, which beats failing the command.
                Log.error("reply.count_failed", e);
            }
        });
    }

    /**
     * A line posted ahead of the reply, while the command works. It is not stored: a retry after the
     * command ran posts the reply only. It takes one of the response_url's five posts.
     */
    void progress(CommandRequest request, String markdown) {
        try {
            replies.post(request.responseUrl(), Reply.line(markdown).messages(),
                    clock.instant().plus(Duration.ofSeconds(5)), count -> { });
        } catch (ReplyException e) {
            Log.warn("reply.progress_failed", "error", e.getMessage());
        }
    }
}
