package dev.chatops.shared.runtime;

import com.slack.api.model.block.Blocks;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.BlockCompositions;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Text;
import dev.chatops.shared.access.Authorizer;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.command.CommandSpec;
import java.util.ArrayList;
import java.util.List;

/** What {@link CommandRuntime} itself answers, each carrying the request id where the operators may need it. */
final class RuntimeReplies {
    private RuntimeReplies() {
    }

    static Reply unroutable(CommandRequest request) {
        return Reply.line("`" + Text.inCode(request.command(), 40) + "` is not run by this function. "
                + "Request id: `" + request.requestId() + "`.");
    }

    static Reply usage(CommandSpec spec, CommandRequest request, String problem) {
        return Reply.line(":warning: " + problem + "\nUsage:\n```" + spec.usage(request.slashCommand()) + "```");
    }

    /** The refusal; one for a person who is not linked yet carries their "Connect your GitLab account" button. */
    static Reply denial(CommandRequest request, Authorizer.Decision decision, LinkState links) {
        Reply.Builder reply = Reply.ephemeral(decision.reason()).text(":no_entry: " + decision.reason());
        if (decision.missing() == Authorizer.Missing.LINK) {
            links.startUrl(request).ifPresent(url -> reply.linkButton("Connect your GitLab account", url)
                    .context("Do not forward it: it works once, for 10 minutes, and the code it ends with links "
                            + "whoever types it. GitLab will ask you to let ChatOps read your account (read_user)."));
        }
        return reply.build();
    }

    static Reply wrongChannel(String refusal) {
        return Reply.line(":no_entry: " + refusal);
    }

    /** The command threw: something broke, and the details are in the logs. */
    static Reply failed(CommandRequest request) {
        return Reply.line(":x: `" + Text.inCode(request.display(), 200) + "` failed. Request id: `"
                + request.requestId() + "` — the operators can find what happened in the logs.");
    }

    /** An earlier delivery ran the command, but its reply was too large to keep for this retry. */
    static Reply replyLost(CommandRequest request) {
        return Reply.line(":warning: `" + Text.inCode(request.display(), 200) + "` ran, but its "
                + "answer could not be kept for a retry. Request id: `" + request.requestId() + "`.");
    }

    /** An earlier delivery began to change things and was cut short before recording its outcome. */
    static Reply interruptedWhileActing(CommandRequest request) {
        return Reply.failure(":warning: `" + Text.inCode(request.display(), 200) + "` was interrupted after it "
                + "began to change things, before its outcome was recorded. It may or may not have taken effect: check "
                + "before you run it again. If ChatOps already answered this request above, that answer stands. "
                + "Request id: `" + request.requestId() + "`.");
    }

    /** The answer with a last line saying it could not be recorded (no extra post: Slack counts them). */
    static List<Message> unrecorded(List<Message> messages, String requestId) {
        return withNote(messages, "_ChatOps could not record this answer (its store did not respond), "
                + "so `audit` may not show how it ended; the operators have it in the logs under request id `"
                + requestId + "`._");
    }

    /** {@code messages} with {@code markdown} as a last context line, unless the last message is full. */
    private static List<Message> withNote(List<Message> messages, String markdown) {
        List<Message> noted = new ArrayList<>(messages);
        Message last = noted.get(noted.size() - 1);
        if (last.blocks().size() >= Reply.BLOCKS_PER_MESSAGE) {
            return messages;
        }
        List<LayoutBlock> blocks = new ArrayList<>(last.blocks());
        blocks.add(Blocks.context(List.of(BlockCompositions.markdownText(markdown))));
        noted.set(noted.size() - 1, new Message(last.responseType(), last.replaceOriginal(), last.text(), blocks));
        return noted;
    }
}
