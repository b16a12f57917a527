package dev.chatops.shared.runtime;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.slack.api.model.block.ContextActionsBlockElement;
import com.slack.api.model.block.ContextBlockElement;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import com.slack.api.model.block.element.RichTextElement;
import com.slack.api.util.json.GsonBlockElementFactory;
import com.slack.api.util.json.GsonContextActionsBlockElementFactory;
import com.slack.api.util.json.GsonContextBlockElementFactory;
import com.slack.api.util.json.GsonLayoutBlockFactory;
import com.slack.api.util.json.GsonRichTextElementFactory;
import com.slack.api.util.json.GsonTextObjectFactory;

/**
 * Slack's JSON for Block Kit messages: snake-case names and the Slack model's own adapters for its
 * polymorphic block types, as the Slack API client's {@code GsonFactory} configures Gson. Written
 * here because that factory lives in the API client, which would bring OkHttp and Kotlin into
 * every command function for this alone; the adapters it registers are the model's.
 */
public final class SlackJson {
    /** Reads and writes messages (what is posted, and what is stored for a retry to post). */
    public static final Gson GSON = create();

    private SlackJson() {
    }

    private static Gson create() {
        GsonBuilder builder = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES);
        builder.registerTypeAdapter(LayoutBlock.class, new GsonLayoutBlockFactory(false));
        builder.registerTypeAdapter(TextObject.class, new GsonTextObjectFactory(false));
        builder.registerTypeAdapter(ContextBlockElement.class, new GsonContextBlockElementFactory(false));
        builder.registerTypeAdapter(ContextActionsBlockElement.class, new GsonContextActionsBlockElementFactory(false));
        builder.registerTypeAdapter(BlockElement.class, new GsonBlockElementFactory(false));
        builder.registerTypeAdapter(RichTextElement.class, new GsonRichTextElementFactory(false));
        return builder.create();
    }
}
