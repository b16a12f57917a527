package dev.chatops.shared;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secret-looking values before anything is stored or logged: values of options whose names
 * say secret ({@code --token=…}, {@code --password=…}), {@code key=value} pairs of that kind inside
 * words, passwords in URLs ({@code postgres://user:pw@host}), and words shaped like credentials
 * (GitLab and Slack tokens, AWS access keys, long random-looking strings).
 */
public final class Redactor {
    public static final String MASK = "[redacted]";
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(token|secret|passw|pwd|pass$|key$|apikey|api_key|auth(?!ors?$)|cookie|credential|private"
                + "|signature).*");

    // Every pattern below reads the text in one pass: an attempt starts only where a run of its
    // characters starts (the look-behind), and possessive quantifiers (*+, ++) never give back
    // what they read. So each run is read once from its start, not once from each of its characters,
    // as the plain forms of these patterns did (a 20,000-letter word took seconds). RedactorTest
    // counts the characters read.

    /**
     * {@code name=value} or {@code name: value}. The name starts at the first letter or {@code _} of
     * its run ({@code 1password=x} names {@code password}); the match ends where the value starts.
     */
    private static final Pattern PAIR = Pattern.compile(
            "(?<![A-Za-z0-9_.-])[0-9.-]*+([A-Za-z_][A-Za-z0-9_.-]*+)\\s*+[=:]\\s*+(?=\\S)");
    /** {@code scheme://user:password@host}: the password goes (any run before {@code ://} is taken for a scheme). */
    private static final Pattern URL_PASSWORD = Pattern.compile(
            "(?i)(?<![a-z0-9+.-])([a-z0-9+.-]*+://[^/\\s:@]*+):[^@\\s/]++@");
    /** Credentials known by their prefix: GitLab, Slack and AWS keys, wherever they start. */
    private static final Pattern PREFIXED_CREDENTIAL = Pattern.compile(
            "gl(pat|oas|dt|rt|ptt|ft|imt|agent|soat|cbt|ffct|wt)-[A-Za-z0-9_\\-.]{8,}+"
                    + "|xox[abposer]-[A-Za-z0-9-]{8,}+|xapp-[A-Za-z0-9-]{8,}+"
                    + "|(AKIA|ASIA)[0-9A-Z]{16}");
    /** A run this long of these characters, with a letter and a digit, looks random: it is masked whole. */
    private static final int RANDOM_RUN = 40;

    private Redactor() {
    }

    /** The arguments and options as one line, with secret-looking values masked. */
    public static String redact(List<String> args, Map<String, String> options) {
        // `--token hunter2` (a space, not `=`) parses as a flag and a word: which word followed it is
        // no longer known, so every word is masked.
        boolean secretFlag = options.entrySet().stream().anyMatch(option -> option.getValue() == null
                && SECRET_NAME.matcher(option.getKey().toLowerCase(Locale.ROOT)).matches());
        List<String> parts = new ArrayList<>();
        for (String arg : args) {
            parts.add(secretFlag ? MASK : redactText(arg));
        }
        options.forEach((name, value) -> {
            if (value == null) {
                parts.add("--" + name);
            } else if (SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
                parts.add("--" + name + "=" + MASK);
            } else {
                parts.add("--" + name + "=" + redactText(value));
            }
        });
        return String.join(" ", parts);
    }

    /** Free text with credential-shaped words and secret {@code name=value} pairs masked. */
    public static String redactText(String text) {
        return redactText(text, UnaryOperator.identity());
    }

    /** {@link #redactText(String)}, each pass reading its text through {@code reader} (for a test to count). */
    static String redactText(CharSequence text, UnaryOperator<CharSequence> reader) {
        String pairsMasked = maskSecretPairs(reader.apply(text), reader);
        String urlsMasked = URL_PASSWORD.matcher(reader.apply(pairsMasked))
                .replaceAll("$1:" + Matcher.quoteReplacement(MASK) + "@");
        return maskCredentials(reader.apply(urlsMasked));
    }

    private static String maskSecretPairs(CharSequence text, UnaryOperator<CharSequence> reader) {
        // A pair whose name is not secret keeps its value, and the value is searched too:
        // in "mode=fast,password=x" the password pair is inside the value of "mode".
        StringBuilder masked = new StringBuilder(text.length());
        Matcher m = PAIR.matcher(text);
        int from = 0;
        while (m.find(from)) {
            String name = m.group(1);
            if (SECRET_NAME.matcher(reader.apply(name)).matches()) {
                int valueEnd = m.end();
                while (valueEnd < text.length() && !asciiSpace(text.charAt(valueEnd))) {
                    valueEnd++;
                }
                masked.append(text, from, m.start(1)).append(name).append('=').append(MASK);
                from = valueEnd;
            } else {
                masked.append(text, from, m.end());
                from = m.end();
            }
        }
        return masked.append(text, from, text.length()).toString();
    }

    /**
     * Masks credentials known by their prefix, and every run of {@value #RANDOM_RUN} or more
     * characters of {@code [A-Za-z0-9+/=_-]} holding a letter and a digit (keys, hashes, base64);
     * where the two overlap, the union goes, as one mask.
     */
    private static String maskCredentials(CharSequence text) {
        int n = text.length();
        boolean[] secret = new boolean[n];
        Matcher prefixed = PREFIXED_CREDENTIAL.matcher(text);
        while (prefixed.find()) {
            Arrays.fill(secret, prefixed.start(), prefixed.end(), true);
        }
        int i = 0;
        while (i < n) {
            if (!randomChar(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean letter = false;
            boolean digit = false;
            while (i < n && randomChar(text.charAt(i))) {
                char c = text.charAt(i);
                letter |= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                digit |= c >= '0' && c <= '9';
                i++;
            }
            if (i - start >= RANDOM_RUN && letter && digit) {
                Arrays.fill(secret, start, i, true);
            }
        }
        StringBuilder out = new StringBuilder(n);
        for (int j = 0; j < n; j++) {
            if (!secret[j]) {
                out.append(text.charAt(j));
            } else if (j == 0 || !secret[j - 1]) {
                out.append(MASK);
            }
        }
        return out.toString();
    }

    private static boolean randomChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                || c == '=' || c == '_' || c == '-';
    }

    /** What {@code \\s} matches in a Java pattern: the end of a {@code \\S+} value. */
    private static boolean asciiSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
