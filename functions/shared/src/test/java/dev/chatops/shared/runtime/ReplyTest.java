package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.DividerBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.TextObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class ReplyTest {

    private static String sectionText(LayoutBlock block) {
        assertThat(block).isInstanceOf(SectionBlock.class);
        TextObject text = ((SectionBlock) block).getText();
        assertThat(text).isInstanceOf(MarkdownTextObject.class);
        return ((MarkdownTextObject) text).getText();
    }

    private static String contextText(LayoutBlock block) {
        assertThat(block).isInstanceOf(ContextBlock.class);
        return ((MarkdownTextObject) ((ContextBlock) block).getElements().get(0)).getText();
    }

    private static List<String> sectionTexts(Reply reply) {
        return reply.blocks().stream().map(ReplyTest::sectionText).toList();
    }

    private static Reply withContextBlocks(int count) {
        Reply.Builder builder = Reply.ephemeral("many blocks");
        for (int i = 1; i <= count; i++) {
            builder.context("block " + i);
        }
        return builder.build();
    }

    private static String lines(int count, int width) {
        return IntStream.range(0, count)
                .mapToObj(i -> String.format("%05d", i) + "x".repeat(width - 5))
                .collect(Collectors.joining("\n"));
    }

    // sections

    @Test
    void text_longer_than_3000_characters_is_split_into_sections_of_at_most_3000() {
        String text = lines(100, 99); // 100 lines of 99 characters: 9,999 characters

        List<String> sections = sectionTexts(Reply.ephemeral("f").text(text).build());

        assertThat(sections).hasSizeGreaterThan(3);
        assertThat(sections).allSatisfy(s -> assertThat(s).hasSizeLessThanOrEqualTo(Reply.SECTION_LIMIT));
    }

    @Test
    void text_is_split_at_line_ends_and_loses_nothing() {
        String text = lines(100, 99);

        List<String> sections = sectionTexts(Reply.ephemeral("f").text(text).build());

        assertThat(String.join("\n", sections)).isEqualTo(text);
        for (String section : sections) {
            assertThat(section.split("\n", -1)).allSatisfy(line -> assertThat(line).hasSize(99));
        }
    }

    @Test
    void text_of_exactly_3000_characters_stays_one_section() {
        String text = "y".repeat(3000);

        assertThat(sectionTexts(Reply.ephemeral("f").text(text).build())).containsExactly(text);
    }

    @Test
    void text_of_3001_characters_with_a_line_end_splits_there() {
        String text = "a".repeat(1000) + "\n" + "b".repeat(2000);

        assertThat(sectionTexts(Reply.ephemeral("f").text(text).build()))
                .containsExactly("a".repeat(1000), "b".repeat(2000));
    }

    @Test
    void a_line_longer_than_a_section_is_cut_at_the_limit() {
        String text = "z".repeat(7000);

        List<String> sections = sectionTexts(Reply.ephemeral("f").text(text).build());

        assertThat(sections).extracting(String::length).containsExactly(3000, 3000, 1000);
        assertThat(String.join("", sections)).isEqualTo(text);
    }

    @Test
    void a_cut_never_separates_a_surrogate_pair() {
        String text = "a" + "\uD83D\uDE00".repeat(2000);

        List<String> sections = sectionTexts(Reply.ephemeral("f").text(text).build());

        assertThat(sections).allSatisfy(s -> {
            assertThat(s).hasSizeLessThanOrEqualTo(Reply.SECTION_LIMIT);
            assertThat(Character.isHighSurrogate(s.charAt(s.length() - 1))).isFalse();
            assertThat(Character.isLowSurrogate(s.charAt(0))).isFalse();
        });
        assertThat(String.join("", sections)).isEqualTo(text);
    }

    @Test
    void empty_text_becomes_one_non_empty_section() {
        assertThat(sectionTexts(Reply.ephemeral("f").text("").build())).containsExactly(" ");
    }

    @Test
    void code_is_fenced_and_each_section_stays_within_the_limit() {
        String text = lines(200, 79);

        List<String> sections = sectionTexts(Reply.ephemeral("f").code(text).build());

        assertThat(sections).hasSizeGreaterThan(1).allSatisfy(s -> assertThat(s)
                .hasSizeLessThanOrEqualTo(Reply.SECTION_LIMIT).startsWith("```\n").endsWith("\n```"));
        String unfenced = sections.stream().map(s -> s.substring(4, s.length() - 4)).collect(Collectors.joining("\n"));
        assertThat(unfenced).isEqualTo(text);
    }

    @Test
    void fields_go_ten_to_a_section_and_are_truncated_to_2000_characters() {
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            fields.add("*label " + i + "*\nvalue");
        }
        fields.set(3, "w".repeat(5000));

        Reply reply = Reply.ephemeral("f").fields(fields).build();

        assertThat(reply.blocks()).hasSize(3);
        List<List<TextObject>> sections = reply.blocks().stream().map(b -> ((SectionBlock) b).getFields()).toList();
        assertThat(sections).extracting(List::size).containsExactly(10, 10, 5);
        String truncated = ((MarkdownTextObject) sections.get(0).get(3)).getText();
        assertThat(truncated).hasSize(Reply.FIELD_LIMIT).endsWith("…");
    }

    @Test
    void context_text_is_truncated_to_2000_characters() {
        Reply reply = Reply.ephemeral("f").context("c".repeat(2500)).build();

        assertThat(contextText(reply.blocks().get(0))).hasSize(2000).endsWith("…");
    }

    @Test
    void build_without_blocks_shows_the_fallback() {
        Reply reply = Reply.inChannel("Flag *x* is on.").build();

        assertThat(sectionTexts(reply)).containsExactly("Flag *x* is on.");
    }

    @Test
    void blocks_come_out_in_the_order_they_were_added() {
        Reply reply = Reply.ephemeral("f").text("one").divider().context("two").build();

        assertThat(reply.blocks()).hasSize(3);
        assertThat(sectionText(reply.blocks().get(0))).isEqualTo("one");
        assertThat(reply.blocks().get(1)).isInstanceOf(DividerBlock.class);
        assertThat(contextText(reply.blocks().get(2))).isEqualTo("two");
    }

    // messages

    @Test
    void a_small_reply_is_one_message() {
        List<Message> messages = Reply.ephemeral("hello").text("hello").build().messages();

        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).blocks()).hasSize(1);
        assertThat(messages.get(0).text()).isEqualTo("hello");
    }

    @Test
    void blocks_120_become_3_messages_of_at_most_50_blocks() {
        List<Message> messages = withContextBlocks(120).messages();

        assertThat(messages).extracting(m -> m.blocks().size()).containsExactly(50, 50, 20);
        List<String> shown = messages.stream().flatMap(m -> m.blocks().stream()).map(ReplyTest::contextText).toList();
        assertThat(shown).isEqualTo(IntStream.rangeClosed(1, 120).mapToObj(i -> "block " + i).toList());
    }

    @Test
    void blocks_250_fill_5_messages_without_a_notice() {
        List<Message> messages = withContextBlocks(250).messages();

        assertThat(messages).hasSize(5).allSatisfy(m -> assertThat(m.blocks()).hasSize(50));
        assertThat(contextText(messages.get(4).blocks().get(49))).isEqualTo("block 250");
    }

    @Test
    void blocks_300_become_exactly_5_messages_and_the_last_block_says_how_many_were_left_out() {
        List<Message> messages = withContextBlocks(300).messages();

        assertThat(messages).hasSize(Reply.MAX_MESSAGES)
                .allSatisfy(m -> assertThat(m.blocks()).hasSizeLessThanOrEqualTo(Reply.BLOCKS_PER_MESSAGE));
        List<LayoutBlock> all = messages.stream().flatMap(m -> m.blocks().stream()).toList();
        String notice = contextText(all.get(all.size() - 1));
        Matcher missing = Pattern.compile("(\\d+) more blocks? not shown").matcher(notice);
        assertThat(missing.find()).as("notice: %s", notice).isTrue();
        int shown = all.size() - 1;
        assertThat(shown + Integer.parseInt(missing.group(1))).isEqualTo(300);
        assertThat(contextText(all.get(shown - 1))).isEqualTo("block " + shown);
    }

    @Test
    void blocks_251_leave_out_two_and_say_so() {
        List<Message> messages = withContextBlocks(251).messages();

        List<LayoutBlock> all = messages.stream().flatMap(m -> m.blocks().stream()).toList();
        assertThat(messages).hasSize(5);
        assertThat(all).hasSize(250);
        assertThat(contextText(all.get(249))).contains("2 more blocks not shown");
    }

    @Test
    void first_message_replaces_the_original_only_when_asked() {
        Reply.Builder builder = Reply.ephemeral("f").replacingOriginal();
        for (int i = 0; i < 120; i++) {
            builder.divider();
        }

        List<Message> messages = builder.build().messages();

        assertThat(messages).extracting(Message::replaceOriginal).containsExactly(Boolean.TRUE, null, null);
    }

    @Test
    void no_message_replaces_the_original_by_default() {
        List<Message> messages = withContextBlocks(120).messages();

        assertThat(messages).extracting(Message::replaceOriginal).containsOnlyNulls();
    }

    @Test
    void later_messages_say_they_continue_the_first() {
        List<Message> messages = withContextBlocks(60).messages();

        assertThat(messages).extracting(Message::text).containsExactly("many blocks", "many blocks (continued)");
    }

    @Test
    void the_fallback_text_is_truncated_to_300_characters() {
        Message message = Reply.ephemeral("f".repeat(1000)).text("x").build().messages().get(0);

        assertThat(message.text()).hasSize(300).endsWith("…");
    }

    @Test
    void ephemeral_and_in_channel_replies_have_their_response_type() {
        assertThat(Reply.ephemeral("f").build().messages()).extracting(Message::responseType).containsOnly("ephemeral");
        assertThat(Reply.inChannel("f").build().messages())
                .extracting(Message::responseType)
                .containsOnly("in_channel");
    }

    @Test
    void in_channel_reply_is_in_channel_on_every_page() {
        Reply.Builder builder = Reply.inChannel("f");
        IntStream.range(0, 75).forEach(i -> builder.divider());

        assertThat(builder.build().messages()).hasSize(2).extracting(Message::responseType).containsOnly("in_channel");
    }

    @Test
    void error_is_one_ephemeral_section() {
        Reply error = Reply.line(":x: Something went wrong.");

        assertThat(sectionTexts(error)).containsExactly(":x: Something went wrong.");
        List<Message> messages = error.messages();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).responseType()).isEqualTo("ephemeral");
        assertThat(messages.get(0).replaceOriginal()).isNull();
        assertThat(messages.get(0).text()).isEqualTo(":x: Something went wrong.");
    }

    @Test
    void blocks_cannot_be_modified_after_build() {
        Reply reply = Reply.ephemeral("f").text("x").build();

        Assertions.assertThatThrownBy(() -> reply.blocks().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
