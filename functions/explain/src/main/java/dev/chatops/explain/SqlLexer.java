package dev.chatops.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PostgreSQL's lexical rules as {@link SqlGuard} reads a statement: comments (nested), literals,
 * quoted identifiers, dollar quotes, numbers. What two PostgreSQL versions, or PostgreSQL and this
 * lexer, could read differently is refused with a sentence saying why.
 */
final class SqlLexer {
    enum Kind { WORD, QUOTED_IDENT, STRING, NUMBER, PARAM, SYMBOL }

    /** One token: a word in lower case, a quoted name as written, a string's text left out. */
    record Token(Kind kind, String text) {
    }

    private SqlLexer() {
    }

    static final class Refusal extends RuntimeException {
        Refusal(String message) {
            super(message, null, false, false);
        }
    }

    /** PostgreSQL's lexical rules: comments (nested), literals, quoted identifiers, dollar quotes. */
    static List<Token> lex(String sql) {
        List<Token> tokens = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
                i++;
            } else if (c > 127) {
                // PostgreSQL takes any non-ASCII character for part of a name, Java for a space or a
                // digit: outside quotes, where the two could read the text differently, none is taken.
                throw new Refusal("Characters outside ASCII may only appear inside quotes.");
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 1;
                i += 2;
                while (depth > 0) {
                    if (i + 1 >= n) {
                        throw new Refusal("A `/*` comment is not closed.");
                    }
                    if (sql.charAt(i) == '/' && sql.charAt(i + 1) == '*') {
                        depth++;
                        i += 2;
                    } else if (sql.charAt(i) == '*' && sql.charAt(i + 1) == '/') {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                }
            } else if ((c == 'U' || c == 'u') && i + 1 < n && sql.charAt(i + 1) == '&') {
                throw new Refusal("Unicode-escaped names and strings (`U&`) cannot be explained here.");
            } else if ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                i = continued(sql, string(sql, i + 2, true));
                tokens.add(new Token(Kind.STRING, ""));
            } else if ((c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n') && i + 1 < n
                    && sql.charAt(i + 1) == '\'') {
                i = continued(sql, string(sql, i + 2, false));
                tokens.add(new Token(Kind.STRING, ""));
            } else if (c == '\'') {
                i = continued(sql, string(sql, i + 1, false));
                tokens.add(new Token(Kind.STRING, ""));
            } else if (c == '"') {
                StringBuilder name = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw new Refusal("A double-quoted name is not closed.");
                    }
                    if (sql.charAt(i) == '"') {
                        if (i + 1 < n && sql.charAt(i + 1) == '"') {
                            name.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    name.append(sql.charAt(i++));
                }
                tokens.add(new Token(Kind.QUOTED_IDENT, name.toString()));
            } else if (c == '$') {
                int j = i + 1;
                if (j < n && ascii(sql.charAt(j)) && Character.isDigit(sql.charAt(j))) {
                    while (j < n && ascii(sql.charAt(j)) && Character.isDigit(sql.charAt(j))) {
                        j++;
                    }
                    tokens.add(new Token(Kind.PARAM, sql.substring(i, j)));
                    i = j;
                    continue;
                }
                while (j < n && ascii(sql.charAt(j))
                        && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                    j++;
                }
                if (j >= n || sql.charAt(j) != '$') {
                    throw new Refusal("A `$` that starts neither a parameter nor a dollar quote cannot be read.");
                }
                String tag = sql.substring(i, j + 1);
                int close = sql.indexOf(tag, j + 1);
                if (close < 0) {
                    throw new Refusal("A dollar-quoted string (" + tag + ") is not closed.");
                }
                tokens.add(new Token(Kind.STRING, ""));
                i = close + tag.length();
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < n && ascii(sql.charAt(j))
                        && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$')) {
                    j++;
                }
                tokens.add(new Token(Kind.WORD, sql.substring(i, j).toLowerCase(Locale.ROOT)));
                i = j;
            } else if (digit(c) || (c == '.' && i + 1 < n && digit(sql.charAt(i + 1)))) {
                int j = number(sql, i);
                tokens.add(new Token(Kind.NUMBER, sql.substring(i, j)));
                i = j;
            } else {
                tokens.add(new Token(Kind.SYMBOL, String.valueOf(c)));
                i++;
            }
        }
        return tokens;
    }

    /**
     * The index after the number at {@code i}, read as every PostgreSQL GitLab supports reads it:
     * digits, a fraction ({@code 1.5}, {@code .5}, {@code 5.}) and an exponent ({@code 1e5},
     * {@code 1E-3}); {@code 1..} is the number {@code 1} followed by dots, as in PostgreSQL's
     * {@code decimalfail} rule.
     *
     * <p>A letter, digit or {@code _} directly after it is refused: PostgreSQL 14 ends the number
     * there and reads the rest as the next word ({@code SELECT 1into loot} is {@code SELECT 1 INTO
     * loot}, {@code LIMIT 1for share} takes row locks), 15 refuses it, and 16 reads {@code 0x1F},
     * {@code 0o17}, {@code 0b101} and {@code 1_000} as numbers where 14 reads {@code 0 AS x1F}. No
     * query needs either reading: a space or a decimal literal says the same to all three.
     */
    private static int number(String sql, int i) {
        int n = sql.length();
        int j = digits(sql, i);
        boolean dots = j + 1 < n && sql.charAt(j) == '.' && sql.charAt(j + 1) == '.';
        if (!dots) {
            if (j < n && sql.charAt(j) == '.') {
                j = digits(sql, j + 1);
            }
            if (j < n && (sql.charAt(j) == 'e' || sql.charAt(j) == 'E')) {
                int k = j + 1;
                if (k < n && (sql.charAt(k) == '+' || sql.charAt(k) == '-')) {
                    k++;
                }
                if (k < n && digit(sql.charAt(k))) {
                    j = digits(sql, k);
                }
            }
        }
        if (j < n && wordChar(sql.charAt(j))) {
            int wordEnd = j;
            while (wordEnd < n && wordChar(sql.charAt(wordEnd))) {
                wordEnd++;
            }
            String shown = "`" + sql.substring(i, Math.min(wordEnd, i + 40)) + "`";
            char next = sql.charAt(j);
            if (next == '_' || (j == i + 1 && sql.charAt(i) == '0' && "xXoObB".indexOf(next) >= 0)) {
                throw new Refusal(shown + " is a number only to PostgreSQL 16 and later: "
                        + "write the number in decimal, without `_`.");
            }
            throw new Refusal(shown + ": a number runs into a word, which PostgreSQL versions read differently: "
                    + "put a space between the number and the word.");
        }
        return j;
    }

    private static int digits(String sql, int i) {
        int j = i;
        while (j < sql.length() && digit(sql.charAt(j))) {
            j++;
        }
        return j;
    }

    private static boolean wordChar(char c) {
        return ascii(c) && (Character.isLetterOrDigit(c) || c == '_');
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean ascii(char c) {
        return c < 128;
    }

    /**
     * PostgreSQL joins two literals separated by white space with a line break ({@code 'a'↵'b'}), and
     * the second keeps the first's escape rules; rather than follow that, it is refused.
     */
    private static int continued(String sql, int after) {
        int j = after;
        boolean newline = false;
        while (j < sql.length()) {
            char c = sql.charAt(j);
            if (" \t\n\r\f\u000B".indexOf(c) >= 0) {
                newline |= c == '\n' || c == '\r';
                j++;
            } else if (c == '-' && j + 1 < sql.length() && sql.charAt(j + 1) == '-') {
                // A line comment counts as white space here, and ends at a line break.
                while (j < sql.length() && sql.charAt(j) != '\n' && sql.charAt(j) != '\r') {
                    j++;
                }
            } else {
                break;
            }
        }
        if (newline && j < sql.length() && sql.charAt(j) == '\'') {
            throw new Refusal("A string continued on the next line cannot be explained here: "
                    + "write it as one literal.");
        }
        return after;
    }

    /** The index after a string literal's closing quote; {@code escapes} for {@code E'…'} ({@code \'} escapes). */
    private static int string(String sql, int i, boolean escapes) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (escapes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new Refusal("A quoted string is not closed.");
    }
}
