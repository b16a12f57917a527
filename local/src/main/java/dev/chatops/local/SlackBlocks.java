package dev.chatops.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A message's blocks for a terminal, in order: section text and fields, context, header, actions
 * with their buttons, dividers, images; their text objects rendered by {@link SlackMarkup}.
 */
final class SlackBlocks {
    private final SlackMarkup markup;

    SlackBlocks(SlackMarkup markup) {
        this.markup = markup;
    }

    /** A message's lines: its blocks in order, or its mrkdwn {@code text} when it has no blocks. */
    List<String> message(Map<String, Object> json) {
        List<String> lines = new ArrayList<>();
        if (json.get("blocks") instanceof List<?> blocks && !blocks.isEmpty()) {
            for (Object block : blocks) {
                if (block instanceof Map<?, ?> map) {
                    block(map, lines);
                }
            }
        } else if (json.get("text") instanceof String text) {
            lines.addAll(markup.mrkdwn(text));
        }
        return lines;
    }

    private void block(Map<?, ?> block, List<String> lines) {
        String type = String.valueOf(block.get("type"));
        switch (type) {
            case "section" -> {
                if (block.get("text") instanceof Map<?, ?> text) {
                    lines.addAll(text(text));
                }
                if (block.get("fields") instanceof List<?> fields) {
                    for (Object field : fields) {
                        if (field instanceof Map<?, ?> map) {
                            // Slack shows fields in two columns, a bold label over its value: here one
                            // under the other, the value's lines indented under the label.
                            List<String> text = text(map);
                            for (int i = 0; i < text.size(); i++) {
                                lines.add(i == 0 ? text.get(i) : "  " + text.get(i));
                            }
                        }
                    }
                }
                if (block.get("accessory") instanceof Map<?, ?> accessory) {
                    element(accessory, lines);
                }
            }
            case "header" -> {
                if (block.get("text") instanceof Map<?, ?> text) {
                    for (String line : text(text)) {
                        lines.add(markup.style(line, "1", "22"));
                    }
                }
            }
            case "context" -> {
                List<String> parts = new ArrayList<>();
                if (block.get("elements") instanceof List<?> elements) {
                    for (Object element : elements) {
                        if (element instanceof Map<?, ?> map && "image".equals(map.get("type"))) {
                            parts.add("[" + map.get("alt_text") + "]");
                        } else if (element instanceof Map<?, ?> map) {
                            parts.add(String.join(" ", text(map)));
                        }
                    }
                }
                lines.add(String.join("  ", parts));
            }
            case "actions" -> {
                if (block.get("elements") instanceof List<?> elements) {
                    for (Object element : elements) {
                        if (element instanceof Map<?, ?> map) {
                            element(map, lines);
                        }
                    }
                }
            }
            case "divider" -> lines.add("\u2500".repeat(24));
            case "image" -> lines.add("[image: " + block.get("alt_text") + "] " + block.get("image_url"));
            default -> lines.add("[" + type + " block]");
        }
    }

    /**
     * An interactive element: a button as {@code button: <text> → <url>  (action_id …, value …)}
     * (each part when the button has it: what a click opens, and what a click sends the app, which
     * {@code click} needs), anything else by its type.
     */
    private void element(Map<?, ?> element, List<String> lines) {
        String type = String.valueOf(element.get("type"));
        if (type.equals("button")) {
            String text = element.get("text") instanceof Map<?, ?> t ? String.join(" ", text(t)) : "";
            List<String> sent = new ArrayList<>();
            if (element.get("action_id") instanceof String actionId) {
                sent.add("action_id " + actionId);
            }
            if (element.get("value") instanceof String value) {
                sent.add("value " + value);
            }
            lines.add("button: " + text + (element.get("url") instanceof String url ? " \u2192 " + url : "")
                    + (sent.isEmpty() ? "" : "  (" + String.join(", ", sent) + ")"));
        } else if (type.equals("image")) {
            lines.add("[image: " + element.get("alt_text") + "]");
        } else {
            lines.add("[" + type + "]");
        }
    }

    /** A text object: mrkdwn rendered; plain_text as written, with emoji unless {@code "emoji": false}. */
    private List<String> text(Map<?, ?> object) {
        String text = object.get("text") instanceof String s ? s : "";
        if ("plain_text".equals(object.get("type"))) {
            String shown = Boolean.FALSE.equals(object.get("emoji")) ? text : SlackMarkup.emoji(text);
            return List.of(shown.split("\n", -1));
        }
        return markup.mrkdwn(text);
    }
}
