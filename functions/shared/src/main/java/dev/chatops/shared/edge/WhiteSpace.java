package dev.chatops.shared.edge;

/**
 * The one definition of white space in a command's text, used wherever the text is split into
 * words: the gateway's reading of {@code run <command>}, {@link CommandText} and {@link RawText}.
 * Two readers with different definitions would see different commands in the same text.
 *
 * <p>A space is what Java calls white space (ASCII spaces, tabs, line breaks, and Unicode's spaces
 * but the no-break ones) or what Unicode calls a space separator, line or paragraph separator: that
 * adds the no-break spaces (U+00A0, which a Mac types for Option+Space, U+2007, U+202F) which Slack
 * passes on as typed. Zero-width characters (U+200B, U+FEFF) are not spaces, to either reader.
 */
public final class WhiteSpace {
    private WhiteSpace() {
    }

    public static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** {@code text} without the white space at its start and end. */
    public static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    /** The index of the first white space at or after {@code from}, or the text's length. */
    public static int nextSpace(String text, int from) {
        int i = from;
        while (i < text.length() && !isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index of the first character that is not white space at or after {@code from}, or the text's length. */
    public static int skipSpaces(String text, int from) {
        int i = from;
        while (i < text.length() && isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
