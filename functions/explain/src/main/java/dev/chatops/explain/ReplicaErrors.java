package dev.chatops.explain;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** What of a replica's error may be shown, and how the error becomes a {@link Replica.Failure}. */
final class ReplicaErrors {
    private ReplicaErrors() {
    }

    /**
     * An error of the statement itself, raised by the server: not the connection, the server going
     * away, resources, a timeout or cancellation (those are answered by their SQLSTATE with sentences
     * of our own).
     */
    static boolean raisedByStatement(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return e instanceof PSQLException psql && psql.getServerErrorMessage() != null && !state.isEmpty()
                && !state.startsWith("08") && !state.startsWith("28") && !state.startsWith("53")
                && !state.startsWith("57") && !state.equals("55P03");
    }

    static Replica.Failure failure(SQLException e, boolean connected, boolean whilePlanning, String sql) {
        ServerErrorMessage server = e instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
        boolean insideFunction = server != null && server.getWhere() != null && !server.getWhere().isBlank();
        String first = firstLine(e.getMessage());
        String shown = whilePlanning && raisedByStatement(e) && !insideFunction && shownWhilePlanning(first, sql)
                ? first
                : null;
        boolean tooLarge = server == null && e.getMessage() != null && e.getMessage().contains("maxResultBuffer");
        return new Replica.Failure(e.getSQLState(), shown, connected, tooLarge, whilePlanning && raisedByStatement(e));
    }

    /** An unquoted, lower-case name as PostgreSQL prints one it folded: nothing but name characters. */
    private static final String NAME = "([a-z_][a-z0-9_$]*)";

    /**
     * The planning-time messages that may be shown: each names things of the statement (a column,
     * a relation, a function and its argument types) or points into its text (a syntax error, raised
     * by the parser before anything is evaluated). Any other message, even raised while planning, is
     * withheld: the planner evaluates STABLE functions with constant arguments while estimating, and
     * their errors can print what they read, quoted or not.
     */
    private static final List<Pattern> SHOWN_WHILE_PLANNING = Stream.of(
            "ERROR: syntax error at or near \"[^\"]*\"",
            "ERROR: syntax error at end of input",
            "ERROR: column \"" + NAME + "\" does not exist",
            "ERROR: column " + NAME + "\\." + NAME + " does not exist",
            "ERROR: column reference \"" + NAME + "\" is ambiguous",
            "ERROR: column \"" + NAME + "\" must appear in the GROUP BY clause or be used in an aggregate function",
            "ERROR: relation \"" + NAME + "(?:\\." + NAME + ")?\" does not exist",
            "ERROR: schema \"" + NAME + "\" does not exist",
            "ERROR: missing FROM-clause entry for table \"" + NAME + "\"",
            "ERROR: function " + NAME + "(?:\\." + NAME + ")?\\([a-z0-9_ ,\\[\\]]*\\) does not exist",
            "ERROR: operator does not exist: [a-z0-9_ \\[\\]]+ [^a-z0-9\\s\"']{1,3} [a-z0-9_ \\[\\]]+",
            "ERROR: permission denied for (?:table|schema|function|sequence|view) " + NAME)
            .map(Pattern::compile).toList();

    /**
     * Whether a planning-time message may be shown: one of {@link #SHOWN_WHILE_PLANNING}'s shapes,
     * every name it quotes written in the statement as a word (so a name can only be one the person
     * typed, never a value the planner read). A syntax error quotes the statement's own text.
     */
    static boolean shownWhilePlanning(String message, String sql) {
        String statement = sql.toLowerCase(Locale.ROOT);
        for (Pattern shape : SHOWN_WHILE_PLANNING) {
            Matcher matched = shape.matcher(message);
            if (!matched.matches()) {
                continue;
            }
            for (int group = 1; group <= matched.groupCount(); group++) {
                String name = matched.group(group);
                if (name != null && !Pattern.compile("(?<![a-z0-9_$])" + Pattern.quote(name)
                        + "(?![a-z0-9_$])").matcher(statement).find()) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
