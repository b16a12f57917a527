package dev.chatops.explain;

import dev.chatops.shared.Text;
import dev.chatops.shared.runtime.Reply;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A plan as people read it in Slack: a summary first (times, rows, buffers, the slowest node, the
 * nodes that read the most), then warnings people act on (a sequential scan over many rows, an
 * estimate off by 10× or more, a sort or hash spilling to disk), then the plan as an indented tree
 * in code blocks. A tree longer than {@value #TREE_BUDGET} characters (about what one Slack message
 * shows; the reply shares the response_url's five posts with the progress line) keeps its heaviest
 * subtrees and says what was cut.
 */
final class PlanReport {
    static final int TREE_BUDGET = 30_000;
    static final long MANY_ROWS = 10_000;
    static final double ESTIMATE_FACTOR = 10;

    private PlanReport() {
    }

    static Reply render(Plan plan, String instance, String fallback) {
        Plan.Node root = plan.root();
        List<Plan.Node> nodes = root.all();
        Reply.Builder reply = Reply.ephemeral(fallback).replacingOriginal();
        reply.text(summary(plan, instance, nodes));
        List<String> warnings = warnings(plan, nodes);
        if (!warnings.isEmpty()) {
            reply.text(String.join("\n", warnings));
        }
        PlanTree.Tree tree = PlanTree.tree(plan, nodes);
        // The tree quotes the statement (filters, literals, names): escaped, so it shows as typed.
        reply.code(Text.escape(tree.text()));
        if (tree.cut() > 0) {
            reply.context("The plan has " + nodes.size() + " nodes ("
                    + String.format(Locale.ROOT, "%,d", tree.fullLength())
                    + " characters as text); the " + (nodes.size() - tree.cut()) + " heaviest are shown, " + tree.cut()
                    + " lighter ones were cut where it says so.");
        }
        return reply.build();
    }

    private static String summary(Plan plan, String instance, List<Plan.Node> nodes) {
        Plan.Node root = plan.root();
        StringBuilder summary = new StringBuilder();
        if (plan.analyzed()) {
            summary.append("*EXPLAIN ANALYZE on the ")
                    .append(instance)
                    .append(" replica*: planning ")
                    .append(ms(plan.planningMs()))
                    .append(", execution *")
                    .append(ms(plan.executionMs()))
                    .append("*, ")
                    .append(count(root.number("Actual Rows")))
                    .append(" row")
                    .append(root.number("Actual Rows") == 1 ? "" : "s");
            double hit = root.number("Shared Hit Blocks");
            double read = root.number("Shared Read Blocks");
            summary.append(", buffers: ")
                    .append(count(hit))
                    .append(" shared hit, ")
                    .append(count(read))
                    .append(" read (")
                    .append(size((hit + read) * 8192))
                    .append(")");
            Plan.Node slowest = nodes.stream().max(Comparator.comparingDouble(Plan.Node::ownMs)).orElseThrow();
            double total = plan.executionMs() == null || plan.executionMs() <= 0 ? root.totalMs() : plan.executionMs();
            summary.append("\nSlowest node: `")
                    .append(Text.inCode(slowest.title(), 200))
                    .append("`, ")
                    .append(ms(slowest.ownMs()))
                    .append(total > 0 ? " (" + Math.round(100 * slowest.ownMs() / total) + " %)" : "");
            List<Plan.Node> readers = nodes.stream().filter(n -> n.ownBuffers() > 0)
                    .sorted(Comparator.comparingDouble(Plan.Node::ownBuffers).reversed()).limit(3).toList();
            if (!readers.isEmpty()) {
                summary.append("\nMost buffers: ").append(String.join(", ", readers.stream()
                        .map(n -> "`" + Text.inCode(n.title(), 200) + "` " + count(n.ownBuffers())).toList()));
            }
        } else {
            summary.append("*EXPLAIN on the ")
                    .append(instance)
                    .append(" replica* (plan only, not run): estimated cost ")
                    .append(String.format(Locale.ROOT, "%.2f", root.number("Total Cost")))
                    .append(", ")
                    .append(count(root.number("Plan Rows")))
                    .append(" rows");
            Plan.Node costliest = nodes.stream().max(Comparator.comparingDouble(Plan.Node::ownCost)).orElseThrow();
            summary.append("\nCostliest node: `").append(Text.inCode(costliest.title(), 200)).append("`, cost ")
                    .append(String.format(Locale.ROOT, "%.2f", costliest.ownCost()));
        }
        return summary.toString();
    }

    private static List<String> warnings(Plan plan, List<Plan.Node> nodes) {
        List<String> warnings = new ArrayList<>();
        for (Plan.Node node : nodes) {
            if (node.type().equals("Seq Scan") && plan.analyzed()) {
                double rows = (node.number("Actual Rows") + node.number("Rows Removed by Filter")) * node.loops();
                if (rows >= MANY_ROWS) {
                    warnings.add(":warning: Sequential scan on `" + Text.inCode(node.text("Relation Name"), 200)
                            + "` read " + count(rows) + " rows"
                            + (node.number("Rows Removed by Filter") > 0
                                    ? " (" + count(node.number("Rows Removed by Filter") * node.loops())
                                            + " removed by the filter)"
                                    : "")
                            + ": an index on the filtered columns may help.");
                }
            }
            if ("Disk".equals(node.text("Sort Space Type"))) {
                warnings.add(":warning: `" + Text.inCode(node.title(), 200) + "` spilled "
                        + count(node.number("Sort Space Used")) + " kB to disk: "
                        + "work_mem is too small for it, or it sorts more rows than it needs.");
            }
            if (node.number("Hash Batches") > 1) {
                warnings.add(
                        ":warning: `" + Text.inCode(node.title(), 200) + "` used " + count(node.number("Hash Batches"))
                                + " batches on disk: " + "work_mem is too small for its hash.");
            }
        }
        if (plan.analyzed()) {
            nodes.stream()
                    .filter(n -> n.has("Actual Rows") && n.number("Actual Loops") > 0)
                    .filter(n ->
                            off(n) >= ESTIMATE_FACTOR && Math.max(n.number("Plan Rows"), n.number("Actual Rows")) >= 10)
                    .sorted(Comparator.comparingDouble(PlanReport::off).reversed())
                    .limit(3)
                    .forEach(n -> warnings.add(":warning: `" + Text.inCode(n.title(), 200) + "`: "
                            + count(n.number("Plan Rows")) + " rows estimated, "
                            + count(n.number("Actual Rows")) + " actual (" + Math.round(off(n))
                            + "× off): the statistics "
                            + "may be stale, or the columns correlated."));
        }
        return warnings;
    }

    private static double off(Plan.Node node) {
        double estimated = Math.max(1, node.number("Plan Rows"));
        double actual = Math.max(1, node.number("Actual Rows"));
        return Math.max(estimated / actual, actual / estimated);
    }


    static String ms(Double value) {
        return value == null ? "—" : String.format(Locale.ROOT, value >= 100 ? "%.0f ms" : "%.3f ms", value);
    }

    static String count(double value) {
        return String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    private static String size(double bytes) {
        if (bytes >= 1 << 30) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (1 << 30));
        }
        if (bytes >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1 << 20));
        }
        return String.format(Locale.ROOT, "%.0f kB", bytes / 1024);
    }
}
