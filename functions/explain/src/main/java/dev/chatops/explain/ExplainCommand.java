package dev.chatops.explain;

import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.OneAtATime;
import dev.chatops.shared.runtime.Reply;
import java.util.Map;
import java.util.Optional;

/**
 * {@code explain <statement> [--<instance>] [--no-analyze]}: {@code EXPLAIN (ANALYZE, BUFFERS)} of one
 * query on the instance's database replica (production by default), safely in layers: the
 * {@link SqlGuard} refuses anything but one query and functions with effects; the {@link Replica}
 * runs it in a read-only transaction with statement and lock timeouts; the role it connects as
 * (docs/explain.md) can read and nothing else, within resource caps. One explain per person at a
 * time ({@link OneAtATime}).
 * "⏳ running…" is posted at once and replaced by the plan.
 */
public final class ExplainCommand implements Command {
    private final Replica replica;
    private final String defaultInstance;
    private final OneAtATime perPerson;

    ExplainCommand(Replica replica, String defaultInstance, OneAtATime perPerson) {
        this.replica = replica;
        this.defaultInstance = defaultInstance;
        this.perPerson = perPerson;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.EXPLAIN;
    }

    @Override
    public Map<String, Handler> handlers() {
        return Map.of("", this::run);
    }

    private Reply run(CommandCall call) {
        String instance = call.invocation().instance().orElse(defaultInstance);
        String sql = String.join(" ", call.args()).strip();
        boolean analyze = !call.invocation().has("no-analyze");
        Optional<String> refusal = SqlGuard.check(sql);
        if (refusal.isPresent()) {
            return Reply.refusal(":no_entry: " + refusal.get() + " Nothing was sent to the database.");
        }
        if (!replica.has(instance)) {
            return Reply.refusal(":warning: No database replica is configured for " + instance + ".");
        }
        // One at a time per person: each holds a session on the replica until it answers.
        return perPerson.run(call, () -> explain(call, instance, sql, analyze));
    }

    private Reply explain(CommandCall call, String instance, String sql, boolean analyze) {
        call.progress()
                .post(":hourglass_flowing_sand: running EXPLAIN" + (analyze ? " ANALYZE" : "") + " on the " + instance
                        + " replica…");
        String json;
        try {
            json = replica.explain(instance, sql, analyze);
        } catch (Replica.Failure e) {
            Log.info("explain.refused_by_database", "sqlState", e.sqlState());
            // The sentence is the whole reply, notification text included: nothing else of the error reaches Slack.
            String sentence = sentence(e, instance);
            return Reply.ephemeral(sentence).replacingOriginal().text(sentence)
                    .outcome(isOurs(e) ? Reply.Outcome.FAILED : Reply.Outcome.REFUSED).build();
        }
        Plan plan;
        try {
            plan = Plan.parse(json);
        } catch (RuntimeException e) {
            Log.warn("explain.plan_unreadable", "error", e.getClass().getSimpleName());
            return Reply.ephemeral("unreadable plan")
                    .replacingOriginal()
                    .text(":x: PostgreSQL's plan could not be read "
                            + "(it may be too large). Explain a smaller query.")
                    .outcome(Reply.Outcome.FAILED)
                    .build();
        }
        return PlanReport.render(plan, instance, "EXPLAIN on the " + instance + " replica");
    }

    /**
     * The database's refusal in one sentence. PostgreSQL's own message appears only when the
     * {@link Replica} kept it: an error raised while planning, which quotes the statement, not data
     * (see {@link Replica#explain}). An error raised while the statement ran is told by its SQLSTATE and
     * a sentence of ours, whatever its class.
     */
    private String sentence(Replica.Failure e, String instance) {
        String state = e.sqlState() == null ? "" : e.sqlState();
        if (state.equals("57014")) {
            return ":stopwatch: The statement ran longer than "
                    + replica.statementTimeout().toSeconds() + " s on the " + instance
                    + " replica and was stopped. Try `--no-analyze` for the plan alone, or a narrower query.";
        }
        if (state.equals("55P03")) {
            return ":lock: The statement waited too long for a lock on the " + instance + " replica and was stopped.";
        }
        if (state.equals("53400")) {
            // The role's temp_file_limit (docs/explain.md): a sort or hash that would have filled the
            // replica's disk.
            return ":floppy_disk: The statement needed more temporary disk space than the explain role may use on the "
                    + instance
                    + " replica (SQLSTATE 53400: its `temp_file_limit`) and was stopped before it could fill the"
                    + " replica's disk. Try `--no-analyze` for the plan alone, or a query that sorts or hashes fewer"
                    + " rows.";
        }
        if (e.tooLarge()) {
            return ":warning: The plan is larger than 10 MB, too large to fetch; explain a smaller query.";
        }
        if (e.shownMessage().isPresent()) {
            String message = Text.inCode(e.shownMessage().get(), 400);
            if (state.equals("42501")) {
                return ":no_entry: The explain role may not do that on the " + instance + " replica: `" + message
                        + "`.";
            }
            return ":warning: PostgreSQL on the " + instance + " replica could not run it: `" + message + "`.";
        }
        String shown = state.isEmpty() ? "" : " (SQLSTATE " + state + ")";
        if (state.equals("25006")) {
            return ":no_entry: The " + instance + " replica refused it" + shown
                    + ": it runs read-only, and the statement "
                    + "tried to change something (a function of the database's own that writes, say).";
        }
        if (state.equals("42501")) {
            return ":no_entry: The explain role may not do what the statement asked while it ran on the " + instance
                    + " replica" + shown + ".";
        }
        if (e.connected() && (state.isEmpty() || state.startsWith("08") || state.startsWith("57P"))) {
            return ":x: The " + instance + " replica closed the connection while the statement ran" + shown
                    + ": it may be restarting or failing over. Nothing was changed; try again in a minute, and if it "
                    + "persists, tell the operators.";
        }
        if (e.connected() && state.startsWith("53")) {
            return ":x: The " + instance + " replica ran short of resources for this statement" + shown
                    + ". Try `--no-analyze` for the plan alone, or a narrower query.";
        }
        if (isOurs(e)) {
            return ":x: The " + instance + " replica could not be reached or refused the connection" + shown
                    + ". Try again in a minute; if it persists, tell the operators.";
        }
        // Raised while running (bad input for a type, an unknown setting or name built from a value, division by
        // zero…), or while planning in any shape but the few Replica shows: its text can quote a value the query
        // or the planner read, so only the condition is shown.
        if (e.whilePlanning()) {
            return ":warning: PostgreSQL on the " + instance
                    + " replica stopped the query with an error while planning it"
                    + shown
                    + "; its message is not shown, since the planner evaluates some functions and can quote what they "
                    + "read. Check the query's casts and functions.";
        }
        return ":warning: PostgreSQL on the " + instance + " replica stopped the query with an error while running it"
                + shown
                + "; its message is not shown, since it can quote data the query read. Check the query's casts, "
                + "arithmetic and functions; `--no-analyze` gives the plan without running it.";
    }

    /**
     * A failure on our side (the replica unreachable) rather than the statement's (its disk cap,
     * 53400, is the statement's).
     */
    private static boolean isOurs(Replica.Failure e) {
        String state = e.sqlState() == null ? "08000" : e.sqlState();
        if (state.equals("53400")) {
            return false;
        }
        return state.startsWith("08") || state.startsWith("28") || state.startsWith("53") || state.startsWith("57P");
    }
}
