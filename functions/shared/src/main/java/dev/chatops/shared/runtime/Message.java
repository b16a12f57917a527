package dev.chatops.shared.runtime;

import com.slack.api.model.block.LayoutBlock;
import java.util.List;

/**
 * One post to a response_url, serialised by the Slack client's snake-case Gson as
 * {@code {"response_type":…,"replace_original":…,"text":…,"blocks":[…]}}.
 */
public final class Message {
    private String responseType;
    private Boolean replaceOriginal;
    private String text;
    private List<LayoutBlock> blocks;

    Message() {
        // for Gson
    }

    public Message(String responseType, Boolean replaceOriginal, String text, List<LayoutBlock> blocks) {
        this.responseType = responseType;
        this.replaceOriginal = replaceOriginal;
        this.text = text;
        this.blocks = List.copyOf(blocks);
    }

    public String responseType() {
        return responseType;
    }

    public Boolean replaceOriginal() {
        return replaceOriginal;
    }

    public String text() {
        return text;
    }

    public List<LayoutBlock> blocks() {
        return blocks;
    }
}
