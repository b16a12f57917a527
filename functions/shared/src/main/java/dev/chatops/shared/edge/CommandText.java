package dev.chatops.shared.edge;

import dev.chatops.shared.Text;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code text} of a slash command the way a person typing in Slack means it.
 *
 * <ul>
 *   <li>Words are split on white space; {@code "double"} and {@code 'single'} quotes group words,
 *       and so do the smart quotes Slack's clients put in ({@code “…”}, {@code ‘…’}). A double quote
 *       may open anywhere ({@code --match="a b"}); a single quote only at the start of a word or
 *       after {@code =}, and it closes only before white space or the end, so {@code don't} is a word.
 *       Inside double quotes, {@code \"} and {@code \\} escape.</li>
 *   <li>Slack's escapes {@code &amp;}, {@code &lt;}, {@code &gt;} become the characters they stand for.</li>
 *   <li>Slack's forms: {@code <@U123|name>} becomes {@code <@U123>} (the id, which cannot be spoofed
 *       by a display name), {@code <#C123|name>} becomes {@code <#C123>}, {@code <mailto:a@b.c|a@b.c>}
 *       becomes {@code a@b.c}, a link becomes its URL (or its label when that is the URL without its
 *       scheme, as when Slack links a typed {@code example.com}), {@code <!here>} becomes {@code @here}.</li>
 *   <li>{@code --name} and {@code --name=value} are options, anywhere in the text; a lone {@code --}
 *       ends them. An option a form takes with a value may also be followed by it as the next word,
 *       quoted or not ({@link #withValuesFor}). Slack's autocorrect turns {@code --} into an em or
 *       en dash: those count as {@code --}.
 *       A quoted word is never an option.</li>
 * </ul>
 */
public final class CommandText {
    private static final Pattern OPTION_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /** One word of the text, with where it stood in the original (for the raw text after it). */
    public record Token(String value, boolean quoted, int end) {
    }

    private final List<String> words;
    private final Map<String, String> options;
    private final List<Integer> wordEnds;
    private final String original;
    /** Each option given without {@code =} that a word came right after: the index of that word. */
    private final Map<String, Integer> followers;

    private CommandText(List<String> words, Map<String, String> options, List<Integer> wordEnds, String original,
                        Map<String, Integer> followers) {
        this.words = Collections.unmodifiableList(words);
        this.options = Collections.unmodifiableMap(options);
        this.wordEnds = wordEnds;
        this.original = original;
        this.followers = Map.copyOf(followers);
    }

    /** Parses {@code text}; a {@link TextParseException} says what a person got wrong. */
    public static CommandText parse(String text) {
        List<String> words = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, Integer> followers = new LinkedHashMap<>();
        boolean optionsEnded = false;
        String valueless = null;
        for (Token token : tokenize(text)) {
            String value = token.value();
            if (!token.quoted() && !optionsEnded && value.equals("--")) {
                optionsEnded = true;
                valueless = null;
                continue;
            }
            if (!token.quoted() && !optionsEnded && value.startsWith("--") && value.length() > 2) {
                int eq = value.indexOf('=');
                String name = (eq < 0 ? value.substring(2) : value.substring(2, eq)).toLowerCase(Locale.ROOT);
                if (!OPTION_NAME.matcher(name).matches()) {
                    throw new TextParseException("`" + Text.inCode(value, 40) + "` is not an option name.");
                }
                if (options.containsKey(name)) {
                    throw new TextParseException("`--" + name + "` is given more than once.");
                }
                options.put(name, eq < 0 ? null : value.substring(eq + 1));
                valueless = eq < 0 ? name : null;
                continue;
            }
            words.add(value);
            ends.add(token.end());
            if (valueless != null) {
                followers.put(valueless, words.size() - 1);
                valueless = null;
            }
        }
        return new CommandText(words, options, ends, text, followers);
    }

    /**
     * This text with each option of {@code valued} given without {@code =} taking the word right
     * after it as its value: {@code --reason "two words"} reads as {@code --reason="two words"}. For
     * the options a command's form takes with a value, where a missing value could only be a mistake;
     * any other option stays as typed.
     */
    public CommandText withValuesFor(Set<String> valued) {
        Map<String, String> given = new LinkedHashMap<>(options);
        Set<Integer> taken = new HashSet<>();
        followers.forEach((name, word) -> {
            if (valued.contains(name) && given.get(name) == null) {
                given.put(name, words.get(word));
                taken.add(word);
            }
        });
        if (taken.isEmpty()) {
            return this;
        }
        List<String> left = new ArrayList<>();
        List<Integer> leftEnds = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            if (!taken.contains(i)) {
                left.add(words.get(i));
                leftEnds.add(wordEnds.get(i));
            }
        }
        return new CommandText(left, given, leftEnds, original, Map.of());
    }

    /** The words that are not options, in order. */
    public List<String> words() {
        return words;
    }

    /** Options by lower-case name; the value is {@code null} for an option given without {@code =}. */
    public Map<String, String> options() {
        return options;
    }

    /**
     * The text after the first {@code count} words, with Slack's escapes and forms resolved but
     * nothing else touched: for commands whose argument is a statement, not words.
     */
    public String rawAfterWords(int count) {
        if (count <= 0) {
            return WhiteSpace.strip(unescape(original));
        }
        if (count > wordEnds.size()) {
            return "";
        }
        return WhiteSpace.strip(unescape(original.substring(wordEnds.get(count - 1))));
    }

    /** Resolves Slack's escapes and forms in {@code text} without splitting it. */
    public static String unescape(String text) {
        return SlackEscapes.unescape(text);
    }

    static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (true) {
            while (i < n && isSpace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return tokens;
            }
            int start = i;
            boolean quotedAtStart = isDoubleQuote(text.charAt(i)) || isSingleQuote(text.charAt(i));
            StringBuilder word = new StringBuilder();
            while (i < n && !isSpace(text.charAt(i))) {
                char c = text.charAt(i);
                if (isDoubleQuote(c)) {
                    i = readDoubleQuoted(text, i + 1, word);
                } else if (isSingleQuote(c) && (i == start || text.charAt(i - 1) == '=')) {
                    i = readSingleQuoted(text, i + 1, word);
                } else {
                    i = SlackEscapes.appendResolved(text, i, word);
                }
            }
            String value = word.toString();
            if (!quotedAtStart) {
                value = dashesToHyphens(value);
            }
            tokens.add(new Token(value, quotedAtStart, i));
        }
    }

    private static int readDoubleQuoted(String text, int i, StringBuilder word) {
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (isDoubleQuote(c)) {
                return i + 1;
            }
            if (c == '\\' && i + 1 < n && (isDoubleQuote(text.charAt(i + 1)) || text.charAt(i + 1) == '\\')) {
                word.append(text.charAt(i + 1));
                i += 2;
            } else {
                i = SlackEscapes.appendResolved(text, i, word);
            }
        }
        throw new TextParseException("A double quote is not closed.");
    }

    private static int readSingleQuoted(String text, int i, StringBuilder word) {
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (isSingleQuote(c) && (i + 1 == n || isSpace(text.charAt(i + 1)))) {
                return i + 1;
            }
            i = SlackEscapes.appendResolved(text, i, word);
        }
        throw new TextParseException("A single quote is not closed.");
    }

    private static String dashesToHyphens(String value) {
        if (value.startsWith("\u2014")) {
            return "--" + value.substring(1);
        }
        if (value.startsWith("\u2013\u2013")) {
            return "--" + value.substring(2);
        }
        if (value.startsWith("\u2013")) {
            return "--" + value.substring(1);
        }
        return value;
    }

    private static boolean isSpace(char c) {
        return WhiteSpace.isSpace(c);
    }

    private static boolean isDoubleQuote(char c) {
        return c == '"' || c == '\u201C' || c == '\u201D';
    }

    private static boolean isSingleQuote(char c) {
        return c == '\'' || c == '\u2018' || c == '\u2019';
    }
}
