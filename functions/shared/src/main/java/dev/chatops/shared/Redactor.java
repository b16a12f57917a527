package dev.chatops.shared;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
            "(?i).*(token|secret|passw|pwd|pass$|key$|apikey|api_key|auth(?!ors?$)|cookie|credential|private|signature).*");
    /** {@code scheme://user:password@host}: the password goes. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^/\\s:@]*):[^@\\s/]+@");
    private static final Pattern CREDENTIAL = Pattern.compile(
            "(gl(pat|oas|dt|rt|ptt|ft|imt|agent|soat|cbt|ffct|wt)-[A-Za-z0-9_\\-.]{8,}"
                    + "|xox[abposer]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}"
                    + "|(AKIA|ASIA)[0-9A-Z]{16}"
                    + "|(?=[A-Za-z0-9+/=_\\-]*[0-9])(?=[A-Za-z0-9+/=_\\-]*[A-Za-z])[A-Za-z0-9+/=_\\-]{40,})");
    private static final Pattern PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]*)\\s*[=:]\\s*(\\S+)");

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
        // A pair whose name is not secret keeps its value, and the value is searched too:
        // in "mode=fast,password=x" the password pair is inside the value of "mode".
        StringBuilder masked = new StringBuilder(text.length());
        java.util.regex.Matcher m = PAIR.matcher(text);
        int from = 0;
        while (m.find(from)) {
            if (SECRET_NAME.matcher(m.group(1)).matches()) {
                masked.append(text, from, m.start()).append(m.group(1)).append('=').append(MASK);
                from = m.end();
            } else {
                masked.append(text, from, m.start(2));
                from = m.start(2);
            }
        }
        masked.append(text, from, text.length());
        String withoutUrlPasswords = URL_PASSWORD.matcher(masked).replaceAll("$1:" + java.util.regex.Matcher.quoteReplacement(MASK) + "@");
        return CREDENTIAL.matcher(withoutUrlPasswords).replaceAll(MASK);
    }
}
