package dev.chatops.shared.edge;

/**
 * Slack's escapes ({@code &amp;}, {@code &lt;}, {@code &gt;}) and forms ({@code <@U…|name>},
 * {@code <#C…>}, links, {@code <!here>}) in a slash command's text, resolved to what the person
 * typed ({@link CommandText} says how each reads).
 */
final class SlackEscapes {
    /** Slack's forms are links, mentions and addresses: longer "forms" are taken literally. */
    private static final int MAX_FORM_LENGTH = 4096;

    private SlackEscapes() {
    }

    /** Resolves Slack's escapes and forms in {@code text} without splitting it. */
    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            i = appendResolved(text, i, out);
        }
        return out.toString();
    }

    /**
     * Appends what the text at {@code i} stands for: one of Slack's {@code <…>} forms, one of its
     * escapes, or the character itself. Returns the index after what it read.
     */
    static int appendResolved(String text, int i, StringBuilder out) {
        char c = text.charAt(i);
        if (c == '<') {
            int close = -1;
            for (int j = i + 1, end = Math.min(text.length(), i + MAX_FORM_LENGTH); j < end && close < 0; j++) {
                if (text.charAt(j) == '>') {
                    close = j;
                }
            }
            if (close > 0) {
                out.append(slackForm(text.substring(i + 1, close)));
                return close + 1;
            }
        } else if (c == '&') {
            int consumed = appendEntity(text, i, out);
            if (consumed > 0) {
                return i + consumed;
            }
        }
        out.append(c);
        return i + 1;
    }

    private static int appendEntity(String text, int i, StringBuilder out) {
        if (text.startsWith("&amp;", i)) {
            out.append('&');
            return 5;
        }
        if (text.startsWith("&lt;", i)) {
            out.append('<');
            return 4;
        }
        if (text.startsWith("&gt;", i)) {
            out.append('>');
            return 4;
        }
        return 0;
    }

    /** What one of Slack's {@code <…>} forms stands for, as the command should see it. */
    static String slackForm(String content) {
        int bar = content.indexOf('|');
        String target = unescapeEntities(bar < 0 ? content : content.substring(0, bar));
        String label = bar < 0 ? null : unescapeEntities(content.substring(bar + 1));
        if (target.startsWith("@")) {
            return "<@" + target.substring(1) + ">";
        }
        if (target.startsWith("#")) {
            return "<#" + target.substring(1) + ">";
        }
        if (target.startsWith("!")) {
            String special = target.substring(1);
            if (special.equals("here") || special.equals("channel") || special.equals("everyone")) {
                return "@" + special;
            }
            if (special.startsWith("date^") && label != null) {
                return label;
            }
            return "<!" + special + ">";
        }
        if (target.regionMatches(true, 0, "mailto:", 0, 7)) {
            return target.substring(7);
        }
        if (label != null) {
            String withoutScheme = target.replaceFirst("(?i)^https?://", "");
            if (withoutScheme.equals(label) || withoutScheme.equals(label + "/")) {
                return label;
            }
        }
        return target;
    }

    private static String unescapeEntities(String text) {
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
