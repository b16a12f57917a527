package dev.chatops.shared.edge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of a command that takes its argument verbatim ({@code explain SELECT …}): SQL has its own
 * quotes and {@code --} comments, so the word-and-option reading of {@link CommandText} would mangle
 * it. Only options at the very end, and only known ones ({@code --production}, {@code --no-analyze}),
 * are options; everything before them is the body, as typed.
 *
 * <p>What Slack did to the text is undone: its escapes ({@code &amp;}, {@code &lt;}, {@code &gt;}),
 * its links ({@code <http://a.b|a.b>} back to what was typed), and an em dash before a trailing
 * option's name. Smart quotes are left alone: inside a string literal ({@code 'don’t'}) they are data.
 */
public record RawText(String body, Map<String, String> options) {
    private static final Pattern OPTION =
            Pattern.compile("(?:--|\u2014|\u2013\u2013?)([a-z0-9][a-z0-9_-]{0,63})(?:=(\\S*))?");
    private static final Pattern SLACK_FORM = Pattern.compile("<([^<>|]{1,4096})(?:\\|([^<>]{0,4096}))?>");

    public RawText {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Splits {@code text} into its body and the trailing options whose names are in {@code known}. */
    public static RawText split(String text, Set<String> known) {
        String rest = WhiteSpace.strip(unslack(text));
        List<Map.Entry<String, String>> trailing = new ArrayList<>();
        while (!rest.isEmpty()) {
            int space = lastSpace(rest);
            String last = rest.substring(space + 1);
            Matcher option = OPTION.matcher(last);
            if (!option.matches() || !known.contains(option.group(1))) {
                break;
            }
            trailing.add(0, Map.entry(option.group(1), option.group(2) == null ? "" : option.group(2)));
            rest = space < 0 ? "" : WhiteSpace.strip(rest.substring(0, space));
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : trailing) {
            if (options.containsKey(option.getKey())) {
                throw new TextParseException("`--" + option.getKey() + "` is given twice.");
            }
            options.put(option.getKey(), option.getValue().isEmpty() ? null : option.getValue());
        }
        return new RawText(rest, options);
    }

    /** The text as typed, before Slack's client and server changed it. */
    public static String unslack(String text) {
        StringBuilder out = new StringBuilder();
        Matcher form = SLACK_FORM.matcher(text);
        int from = 0;
        while (form.find()) {
            out.append(text, from, form.start());
            String target = form.group(1);
            String label = form.group(2);
            boolean link = target.matches("(?i)(https?|mailto):.*");
            out.append(link ? (label != null ? label : target.replaceFirst("(?i)^mailto:", "")) : form.group());
            from = form.end();
        }
        out.append(text.substring(from));
        return out.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                .replace('\u00A0', ' ');
    }

    private static int lastSpace(String text) {
        for (int i = text.length() - 1; i >= 0; i--) {
            if (WhiteSpace.isSpace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
