package dev.chatops.shared;

/** How people's own text is shown back to them in Slack. */
public final class Text {
    private Text() {
    }

    /**
     * {@code text} fit to sit inside a {@code `code span`}: on one line, no backtick that would close
     * the span early, at most {@code max} characters.
     */
    public static String inCode(String text, int max) {
        return shorten(text.replace('`', '\'').replace('\n', ' ').replace('\r', ' '), max);
    }

    /** At most {@code max} characters, with an ellipsis when cut (never inside a surrogate pair). */
    public static String shorten(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int cut = max;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut) + "…";
    }
}
