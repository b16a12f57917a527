package dev.chatops.local;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Slack message as a person sees it in Slack, for a terminal: its blocks in order (drawn by
 * {@link SlackBlocks}), or its {@code text} when it has none; mrkdwn as Slack's "Formatting text for
 * app surfaces" reference describes it —
 * {@code *bold*}, {@code _italic_}, {@code ~strike~}, {@code `code`}, {@code ```code blocks```},
 * {@code > quotes}, {@code <url|text>} links, {@code <@U…>} and {@code <#C…>} mentions,
 * {@code <!here>}-style special mentions, {@code <!date^…|fallback>}, emoji shortcodes, and the
 * three HTML entities Slack decodes ({@code &lt; &gt; &amp;}).
 *
 * <p>With {@code ansi}, bold, italic, strike, code and links are shown with ANSI styles; without,
 * the marks are dropped and the text stays. Written here: the Java Slack SDK builds messages but
 * does not render mrkdwn, and no library on hand renders it for a terminal.
 */
final class SlackMarkup {
    /**
     * The emoji shortcodes this project's replies use (grep {@code :name:} under functions/), as
     * the characters Slack shows; any other shortcode stays {@code :name:}.
     */
    static final Map<String, String> EMOJI = Map.ofEntries(
            Map.entry("construction", "\uD83D\uDEA7"),
            Map.entry("floppy_disk", "\uD83D\uDCBE"),
            Map.entry("grey_question", "\u2754"),
            Map.entry("hourglass", "\u231B"),
            Map.entry("hourglass_flowing_sand", "\u23F3"),
            Map.entry("inbox_tray", "\uD83D\uDCE5"),
            Map.entry("information_source", "\u2139\uFE0F"),
            Map.entry("key", "\uD83D\uDD11"),
            Map.entry("lock", "\uD83D\uDD12"),
            Map.entry("mag", "\uD83D\uDD0D"),
            Map.entry("no_entry", "\u26D4"),
            Map.entry("no_entry_sign", "\uD83D\uDEAB"),
            Map.entry("raised_hand", "\u270B"),
            Map.entry("rotating_light", "\uD83D\uDEA8"),
            Map.entry("stopwatch", "\u23F1\uFE0F"),
            Map.entry("triangular_flag_on_post", "\uD83D\uDEA9"),
            Map.entry("warning", "\u26A0\uFE0F"),
            Map.entry("white_check_mark", "\u2705"),
            Map.entry("white_circle", "\u26AA"),
            Map.entry("white_large_square", "\u2B1C"),
            Map.entry("x", "\u274C"));

    private static final String FENCE = "```";
    /** Bold, italic, strike, and their ANSI styles on and off. */
    private static final String MARKS = "*_~";
    private static final String[] MARK_ON = {"1", "3", "9"};
    private static final String[] MARK_OFF = {"22", "23", "29"};
    private static final char MARKED = '\uE001';
    /** A mark opens after a non-word character and before a non-space one, and closes the other way round. */
    private static final List<Pattern> MARK_PATTERNS = MARKS.chars()
            .mapToObj(c -> Pattern.quote(Character.toString(c)))
            .map(m -> Pattern.compile("(?<![\\p{L}\\p{N}" + m + "])" + m + "(?=\\S)(.+?)(?<=\\S)" + m
                    + "(?![\\p{L}\\p{N}" + m + "])"))
            .toList();
    /** Stands for an already rendered piece (a code span, a link, a mention) while marks are found in the rest. */
    private static final char HOLD = '\uE000';
    private static final Pattern HELD = Pattern.compile(HOLD + "([\uE100-\uF8FF])");
    private static final Pattern EMOJI_CODE = Pattern.compile(":([a-z0-9_+'-]+):");
    private static final Pattern ENTITY = Pattern.compile("&(lt|gt|amp);");

    private final boolean ansi;
    private final ZoneId zone;

    SlackMarkup(boolean ansi) {
        this(ansi, ZoneId.systemDefault());
    }

    SlackMarkup(boolean ansi, ZoneId zone) {
        this.ansi = ansi;
        this.zone = zone;
    }

    /** A message's lines: its blocks in order, or its mrkdwn {@code text} when it has no blocks. */
    List<String> message(Map<String, Object> json) {
        return new SlackBlocks(this).message(json);
    }

    /** One mrkdwn text as lines: code blocks verbatim (indented), quotes after a bar, the rest inline. */
    List<String> mrkdwn(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder inline = new StringBuilder();
        int at = 0;
        while (true) {
            int open = text.indexOf(FENCE, at);
            int close = open < 0 ? -1 : text.indexOf(FENCE, open + FENCE.length());
            if (close < 0) {
                inline.append(text, at, text.length());
                break;
            }
            inline.append(text, at, open);
            flush(inline, lines);
            String code = text.substring(open + FENCE.length(), close);
            if (code.startsWith("\n")) {
                code = code.substring(1);
            }
            if (code.endsWith("\n")) {
                code = code.substring(0, code.length() - 1);
            }
            for (String line : code.split("\n", -1)) {
                lines.add("  " + entities(line));
            }
            at = close + FENCE.length();
            if (text.startsWith("\n", at)) {
                at++;
            }
        }
        if (inline.length() > 0 || lines.isEmpty()) {
            flush(inline, lines);
        }
        return lines;
    }

    private void flush(StringBuilder inline, List<String> lines) {
        if (inline.length() == 0) {
            return;
        }
        String text = inline.toString();
        inline.setLength(0);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        for (String line : text.split("\n", -1)) {
            lines.add(line.startsWith(">") ? "\u2502 " + inline(line.substring(1).stripLeading()) : inline(line));
        }
    }

    /**
     * One line of mrkdwn: code spans and {@code <…>} first (nothing inside them is a mark), then marks,
     * emoji, entities.
     */
    String inline(String line) {
        List<String> held = new ArrayList<>();
        StringBuilder rest = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            int end = c == '`' ? line.indexOf('`', i + 1) : c == '<' ? line.indexOf('>', i + 1) : -1;
            if (end > i + 1) {
                String inside = line.substring(i + 1, end);
                held.add(c == '`' ? style(entities(inside), "36", "39") : special(inside));
                rest.append(HOLD).append((char) ('\uE100' + held.size() - 1));
                i = end;
            } else {
                rest.append(c);
            }
        }
        String marked = marks(rest.toString());
        return replace(HELD, marked, m -> held.get(m.group(1).charAt(0) - '\uE100'));
    }

    /** Bold, italic, strike (each opening after a non-word character and closing before one), emoji, entities. */
    private String marks(String text) {
        // Each mark becomes a pair of stand-in characters first, so that the next mark's search
        // sees no escape sequence's letters around it (in *_bold italic_*).
        String out = text;
        for (int i = 0; i < MARKS.length(); i++) {
            char on = (char) (MARKED + 2 * i);
            out = replace(MARK_PATTERNS.get(i), out, found -> on + found.group(1) + (char) (on + 1));
        }
        StringBuilder styled = new StringBuilder();
        for (char c : entities(emoji(out)).toCharArray()) {
            int code = c - MARKED;
            if (code >= 0 && code < 2 * MARKS.length()) {
                if (ansi) {
                    styled.append("\u001B[").append(code % 2 == 0 ? MARK_ON[code / 2] : MARK_OFF[code / 2])
                            .append('m');
                }
            } else {
                styled.append(c);
            }
        }
        return styled.toString();
    }

    /** What Slack shows for {@code <…>}: a link's text and its URL, a mention, a date's fallback. */
    private String special(String inside) {
        int bar = inside.indexOf('|');
        String target = bar < 0 ? inside : inside.substring(0, bar);
        String label = bar < 0 ? null : inside.substring(bar + 1);
        if (target.startsWith("@") || target.startsWith("#")) {
            return label != null ? target.charAt(0) + marks(label) : target;
        }
        if (target.startsWith("!")) {
            String name = target.substring(1);
            if (name.startsWith("date^")) {
                return label != null ? marks(label) : date(name);
            }
            if (name.startsWith("subteam^")) {
                return label != null ? marks(label) : "@" + name.substring("subteam^".length());
            }
            return label != null ? marks(label) : "@" + name;
        }
        String url = entities(target);
        if (label == null || label.isEmpty() || entities(label).equals(url)) {
            return style(url, "4", "24");
        }
        return style(marks(label), "4", "24") + " (" + url + ")";
    }

    /** {@code date^<seconds>^<format>}: without a fallback, the time itself (yyyy-MM-dd HH:mm, local zone). */
    private String date(String spec) {
        String[] parts = spec.split("\\^");
        try {
            return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(zone)
                    .format(Instant.ofEpochSecond(Long.parseLong(parts[1])));
        } catch (RuntimeException e) {
            return spec;
        }
    }

    static String emoji(String text) {
        return replace(EMOJI_CODE, text, m -> EMOJI.getOrDefault(m.group(1), m.group()));
    }

    /** Slack decodes exactly three entities: {@code &lt; &gt; &amp;}. */
    static String entities(String text) {
        return replace(ENTITY, text, m -> switch (m.group(1)) {
            case "lt" -> "<";
            case "gt" -> ">";
            default -> "&";
        });
    }

    String style(String text, String on, String off) {
        return ansi ? "\u001B[" + on + "m" + text + "\u001B[" + off + "m" : text;
    }

    private static String replace(Pattern pattern, String text, Function<Matcher, String> with) {
        Matcher matcher = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(with.apply(matcher)));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
