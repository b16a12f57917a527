package dev.chatops.shared.runtime;

import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;

import com.slack.api.model.block.Blocks;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.BlockCompositions;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElements;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's answer, built with Slack's Block Kit model and laid out within Slack's limits:
 * a section's text at most {@value #SECTION_LIMIT} characters (longer text is split at line ends),
 * at most {@value #BLOCKS_PER_MESSAGE} blocks a message, and at most {@value #MAX_MESSAGES}
 * messages, since a response_url takes five posts. When even that cannot hold it, the last block
 * says how many were left out: nothing is lost silently.
 */
public final class Reply {
    public static final int SECTION_LIMIT = 3000;
    public static final int BLOCKS_PER_MESSAGE = 50;
    public static final int MAX_MESSAGES = 5;
    static final int FIELD_LIMIT = 2000;
    static final int FIELDS_PER_SECTION = 10;
    private static final int FALLBACK_LIMIT = 300;

    /** How the command ended, for the audit: it did its work, refused (nothing changed), or failed. */
    public enum Outcome { OK, REFUSED, FAILED }

    private final boolean inChannel;
    private final boolean replaceOriginal;
    private final Outcome outcome;
    private final String fallback;
    private final List<LayoutBlock> blocks;
    private final String auditDetail;

    private Reply(
            boolean inChannel,
            boolean replaceOriginal,
            String fallback,
            List<LayoutBlock> blocks,
            Outcome outcome,
            String auditDetail) {
        this.inChannel = inChannel;
        this.auditDetail = auditDetail;
        this.replaceOriginal = replaceOriginal;
        this.outcome = outcome;
        this.fallback = fallback;
        this.blocks = List.copyOf(blocks);
    }

    /** A reply only the caller sees. */
    public static Builder ephemeral(String fallback) {
        return new Builder(false, fallback);
    }

    /** A reply the whole channel sees: for changes others should know about. */
    public static Builder inChannel(String fallback) {
        return new Builder(true, fallback);
    }

    /**
     * One short ephemeral line: an answer, a success or a note (a refusal or failure is {@link
     * #refusal}/{@link #failure}).
     */
    public static Reply line(String markdown) {
        return ephemeral(markdown).text(markdown).build();
    }

    /** One short ephemeral line saying why nothing was done; audited as refused. */
    public static Reply refusal(String markdown) {
        return ephemeral(markdown).text(markdown).outcome(Outcome.REFUSED).build();
    }

    /** One short ephemeral line saying what went wrong elsewhere (GitLab, say); audited as failed. */
    public static Reply failure(String markdown) {
        return ephemeral(markdown).text(markdown).outcome(Outcome.FAILED).build();
    }

    public Outcome outcome() {
        return outcome;
    }

    public List<LayoutBlock> blocks() {
        return blocks;
    }

    /** What the audit record should say besides the outcome (overrides used, a log that failed); empty if nothing. */
    public String auditDetail() {
        return auditDetail;
    }

    /** The posts that carry this reply, each within Slack's limits. */
    public List<Message> messages() {
        List<LayoutBlock> all = new ArrayList<>(blocks);
        int capacity = BLOCKS_PER_MESSAGE * MAX_MESSAGES;
        if (all.size() > capacity) {
            int left = all.size() - (capacity - 1);
            all = new ArrayList<>(all.subList(0, capacity - 1));
            all.add(context(List.of(markdownText("_… " + left + " more block" + (left == 1 ? "" : "s")
                    + " not shown: Slack takes at most " + MAX_MESSAGES + " replies of "
                    + BLOCKS_PER_MESSAGE + " blocks._"))));
        }
        List<Message> messages = new ArrayList<>();
        String responseType = inChannel ? "in_channel" : "ephemeral";
        for (int from = 0; from < all.size() || messages.isEmpty(); from += BLOCKS_PER_MESSAGE) {
            List<LayoutBlock> page = all.subList(from, Math.min(all.size(), from + BLOCKS_PER_MESSAGE));
            boolean first = messages.isEmpty();
            String text = first ? fallback : fallback + " (continued)";
            messages.add(new Message(responseType, first && replaceOriginal ? Boolean.TRUE : null,
                    truncate(text, FALLBACK_LIMIT), page));
        }
        return messages;
    }

    /** This reply, seen by whom it was for, with {@code note} below it. */
    public Reply withNote(String note) {
        List<LayoutBlock> all = new ArrayList<>(blocks);
        all.add(context(List.of(markdownText(note))));
        return new Reply(inChannel, replaceOriginal, fallback, all, outcome, auditDetail);
    }

    /** This reply in the channel, with {@code note} below it: a change everyone should see (an emergency). */
    public Reply announced(String note) {
        List<LayoutBlock> all = new ArrayList<>(blocks);
        all.add(context(List.of(markdownText(note))));
        return new Reply(true, replaceOriginal, fallback, all, outcome, auditDetail);
    }

    /**
     * This reply in the channel, in place of the message it answers (an approval request, through
     * the click's response_url), with {@code note} (who approved it) below it.
     */
    public Reply inPlaceOfOriginal(String note) {
        List<LayoutBlock> all = new ArrayList<>(blocks);
        all.add(context(List.of(markdownText(note))));
        return new Reply(true, true, fallback, all, outcome, auditDetail);
    }

    /** Builds a reply block by block. */
    public static final class Builder {
        private final boolean inChannel;
        private final String fallback;
        private final List<LayoutBlock> blocks = new ArrayList<>();
        private boolean replaceOriginal;
        private Outcome outcome = Outcome.OK;
        private String auditDetail = "";

        private Builder(boolean inChannel, String fallback) {
            this.inChannel = inChannel;
            this.fallback = fallback;
        }

        /** Replaces the message this request posted before (a progress line), instead of adding one. */
        public Builder replacingOriginal() {
            this.replaceOriginal = true;
            return this;
        }

        /** Markdown text, in as many sections as it needs. */
        public Builder text(String markdown) {
            for (String chunk : split(markdown, SECTION_LIMIT)) {
                blocks.add(section(s -> s.text(markdownText(chunk))));
            }
            return this;
        }

        /** Preformatted text in code blocks, split at line ends so each fits a section. */
        public Builder code(String text) {
            String fence = "```";
            for (String chunk : split(text, SECTION_LIMIT - 2 * fence.length() - 2)) {
                blocks.add(section(s -> s.text(markdownText(fence + "\n" + chunk + "\n" + fence))));
            }
            return this;
        }

        /** Label–value pairs shown in two columns ({@code *label*\nvalue}), ten to a section. */
        public Builder fields(List<String> markdownFields) {
            for (int from = 0; from < markdownFields.size(); from += FIELDS_PER_SECTION) {
                List<TextObject> fields = new ArrayList<>();
                for (String field :
                        markdownFields.subList(from, Math.min(markdownFields.size(), from + FIELDS_PER_SECTION))) {
                    fields.add(markdownText(truncate(field, FIELD_LIMIT)));
                }
                blocks.add(section(s -> s.fields(fields)));
            }
            return this;
        }

        /** Small grey text under the rest. */
        public Builder context(String markdown) {
            blocks.add(Blocks.context(
                    List.of(markdownText(truncate(markdown, FIELD_LIMIT)))));
            return this;
        }

        /** How the command ended, for the audit (OK unless said). */
        public Builder outcome(Outcome value) {
            this.outcome = value;
            return this;
        }

        /** What the audit record should say besides the outcome. */
        public Builder auditDetail(String detail) {
            this.auditDetail = detail;
            return this;
        }

        /** A button that opens {@code url} in the browser. */
        public Builder linkButton(String text, String url) {
            blocks.add(Blocks.actions(List.of(
                    BlockElements.button(b -> b.text(
                            BlockCompositions.plainText(text))
                            .url(url).style("primary").actionId("link-gitlab")))));
            return this;
        }

        public Builder divider() {
            blocks.add(Blocks.divider());
            return this;
        }

        public Builder block(LayoutBlock block) {
            blocks.add(block);
            return this;
        }

        public Reply build() {
            if (blocks.isEmpty()) {
                text(fallback);
            }
            return new Reply(inChannel, replaceOriginal, fallback, blocks, outcome, auditDetail);
        }
    }

    /** Splits {@code text} into chunks of at most {@code limit} characters, at line ends where it can. */
    static List<String> split(String text, int limit) {
        List<String> chunks = new ArrayList<>();
        String rest = text.isEmpty() ? " " : text;
        while (rest.length() > limit) {
            int cut = rest.lastIndexOf('\n', limit);
            if (cut <= 0) {
                cut = limit;
                if (Character.isHighSurrogate(rest.charAt(cut - 1))) {
                    cut--;
                }
                chunks.add(rest.substring(0, cut));
                rest = rest.substring(cut);
            } else {
                chunks.add(rest.substring(0, cut));
                rest = rest.substring(cut + 1);
            }
        }
        if (!rest.isEmpty()) {
            chunks.add(rest);
        }
        return chunks;
    }

    static String truncate(String text, int limit) {
        if (text.length() <= limit) {
            return text;
        }
        int cut = limit - 1;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut) + "…";
    }
}
