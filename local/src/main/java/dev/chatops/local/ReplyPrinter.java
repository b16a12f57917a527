package dev.chatops.local;

import dev.chatops.testing.CaptureServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code send} and {@code click} share: waiting for the posts their response_url receives
 * and printing each one as Slack shows it ({@link SlackMarkup}), or with {@code raw} as received.
 */
final class ReplyPrinter {
    /** How long after a post the next one may still come (progress, then the answer). */
    private static final Duration QUIET = Duration.ofMillis(1500);

    private ReplyPrinter() {
    }

    /**
     * Waits up to {@code wait} for the first post to {@code path}, then prints every post until none
     * came for 1.5 s; {@code label} says what a post does ("replaces the previous one"), or "".
     * Returns the posts printed.
     */
    static List<CaptureServer.Post> print(CaptureServer replies, String path, Duration wait, boolean raw,
                                          SlackMarkup markup, PrintStream out,
                                          Function<Map<String, Object>, String> label) {
        List<CaptureServer.Post> printed = new ArrayList<>();
        List<CaptureServer.Post> posts = replies.awaitPosts(path, 1, wait);
        while (posts.size() > printed.size()) {
            for (CaptureServer.Post post : posts.subList(printed.size(), posts.size())) {
                printed.add(post);
                int number = printed.size();
                if (raw) {
                    out.println("reply " + number + ": " + post.body());
                    continue;
                }
                String what = label.apply(post.json());
                out.println("reply " + number + (what.isEmpty() ? ":" : " (" + what + "):"));
                for (String part : markup.message(post.json())) {
                    out.println("  " + part);
                }
            }
            posts = replies.awaitPosts(path, printed.size() + 1, QUIET);
        }
        return printed;
    }
}
