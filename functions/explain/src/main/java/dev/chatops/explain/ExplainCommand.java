package dev.chatops.explain;

import dev.chatops.shared.Log;
import dev.chatops.shared.Text;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.runtime.Command;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import java.util.Optional;

/**
 * {@code explain <statement> [--<instance>] [--no-analyze]}: {@code EXPLAIN (ANALYZE, BUFFERS)} of one
 * query on the instance's database replica (production by default), safely in layers: the
 * {@link SqlGuard} refuses anything but one query and functions with effects; the {@link Replica}
 * runs it in a read-only transaction with statement and lock timeouts; the role it connects as
 * (README) can read and nothing else. "⏳ running…" is posted at once and replaced by the plan.
 */
public final class ExplainCommand implements Command {
    private final Replica replica;
    private final String defaultInstance;

    ExplainCommand(Replica replica, String defaultInstance) {
        this.replica = replica;
        this.defaultInstance = defaultInstance;
    }

    @Override
    public CommandSpec spec() {
        return Catalog.EXPLAIN;
    }

    @Override
    public Reply run(CommandCall call) {
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
        call.progress().post(":hourglass_flowing_sand: running EXPLAIN" + (analyze ? " ANALYZE" : "") + " on the " + instance
                + " replica…");
        String json;
        try {
            json = replica.explain(instance, sql, analyze);
        } catch (Replica.Failure e) {
            Log.info("explain.refused_by_database", "sqlState", e.sqlState());
            return Reply.ephemeral(e.getMessage()).replacingOriginal().text(sentence(e, instance))
                    .outcome(isOurs(e) ? Reply.Outcome.FAILED : Reply.Outcome.REFUSED).build();
        }
        Plan plan;
        try {
            plan = Plan.parse(json);
        } catch (RuntimeException e) {
            Log.warn("explain.plan_unreadable", "error", e.getClass().getSimpleName());
            return Reply.ephemeral("unreadable plan").replacingOriginal().text(":x: PostgreSQL's plan could not be read "
                    + "(it may be too large). Explain a smaller query.").outcome(Reply.Outcome.FAILED).build();
        }
        return PlanReport.render(plan, instance, "EXPLAIN on the " + instance + " replica");
    }

    /** The database's refusal in one sentence, with its own message. */
    private String sentence(Replica.Failure e, String instance) {
        String state = e.sqlState() == null ? "" : e.sqlState();
        String message = Text.inCode(e.getMessage(), 400);
        if (state.equals("57014")) {
            return ":stopwatch: The statement ran longer than " + replica.statementTimeout().toSeconds() + " s on the "
                    + instance + " replica and was stopped. Try `--no-analyze` for the plan alone, or a narrower query.";
        }
        if (state.equals("55P03")) {
            return ":lock: The statement waited too long for a lock on the " + instance + " replica and was stopped.";
        }
        if (state.equals("25006")) {
            return ":no_entry: The " + instance + " replica refused it: it runs read-only (`" + message + "`).";
        }
        if (state.startsWith("42501")) {
            return ":no_entry: The explain role may not do that on the " + instance + " replica: `" + message + "`.";
        }
        if (state.startsWith("42")) {
            // Syntax, unknown names and permissions: the message names things, not values.
            return ":warning: PostgreSQL on the " + instance + " replica could not run it: `" + message + "`.";
        }
        if (e.getMessage() != null && e.getMessage().contains("maxResultBuffer")) {
            return ":warning: The plan is larger than 10 MB, too large to fetch; explain a smaller query.";
        }
        String shown = state.isEmpty() ? "" : " (SQLSTATE " + state + ")";
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
        // Other errors (bad input for a type, division by zero…) can quote a value the query read: only the
        // condition is shown, never PostgreSQL's text.
        return ":warning: PostgreSQL on the " + instance + " replica stopped the query with an error (SQLSTATE " + state
                + "); its message is not shown, since it can quote data. Check the query's casts and arithmetic.";
    }

    /** A failure on our side (the replica unreachable) rather than the statement's. */
    private static boolean isOurs(Replica.Failure e) {
        String state = e.sqlState() == null ? "08000" : e.sqlState();
        return state.startsWith("08") || state.startsWith("28") || state.startsWith("53") || state.startsWith("57P");
    }
}
