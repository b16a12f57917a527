package dev.chatops.shared;

/**
 * How text we did not write is shown back in Slack: what a person typed, and what GitLab or
 * PostgreSQL said (names, titles, messages an attacker can choose).
 *
 * <p>The rule: Slack reads {@code &}, {@code <} and {@code >} as control characters in mrkdwn
 * ({@code <!channel>}, {@code <@U…>}, {@code <https://…|label>}), inside {@code `code spans`} and
 * {@code ```code blocks```} too, and its "Formatting text for app surfaces" reference says to
 * replace exactly those three with {@code &amp;}, {@code &lt;}, {@code &gt;} in text not meant as
 * markup, and nothing else. So such text reaches a reply only through {@link #inCode},
 * {@link #shown} or {@link #column}, each of which escapes it exactly once, after cutting it to
 * length: the limit counts the characters as typed, and a cut never splits an entity. Markup we mean
 * (links we build, a mention of the caller) is put together around the escaped parts, never passed
 * through them. {@link #shorten} does not escape: it is for our own strings. No text we did not
 * write goes into a {@code plain_text} object (only our own button labels do).
 */
public final class Text {
    private Text() {
    }

    /**
     * {@code text} with {@code &}, {@code <}, {@code >} replaced by Slack's three entities, and
     * nothing else changed.
     */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@code text} fit to sit inside a {@code `code span`}: on one line, no backtick that would close
     * the span early, at most {@code max} characters as typed, then escaped.
     */
    public static String inCode(String text, int max) {
        return escape(shorten(oneLine(text), max));
    }

    /** {@code text} shown outside code: at most {@code max} characters as typed, then escaped. */
    public static String shown(String text, int max) {
        return escape(shorten(text, max));
    }

    /**
     * {@code text} as one cell of a table in a {@code ```code block```}: on one line, no backtick,
     * at most {@code width} characters as typed, padded with spaces to {@code width} (counted as
     * typed, so columns line up as Slack shows them), then escaped.
     */
    public static String column(String text, int width) {
        String cell = shorten(oneLine(text), width);
        return escape(cell) + " ".repeat(Math.max(0, width - cell.length()));
    }

    /**
     * At most {@code max} characters, the ellipsis that marks a cut included (never cut inside a
     * surrogate pair). Not escaped: for our own strings; text we did not write goes through
     * {@link #shown} or {@link #inCode}.
     */
    public static String shorten(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int cut = Math.max(0, max - 1);
        if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut) + "…";
    }

    private static String oneLine(String text) {
        return text.replace('`', '\'').replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * A Slack link to {@code url} labelled {@code label} (already fit to show: escaped), or the label
     * alone when the URL is not a plain http(s) address: a URL from GitLab holding {@code <}, {@code >},
     * {@code |} or white space could otherwise end the link and start markup of its own.
     */
    public static String link(String url, String label) {
        return url == null || url.isEmpty() || !url.matches("https?://[^<>|\\s]+")
                ? label
                : "<" + url + "|" + label + ">";
    }
}
