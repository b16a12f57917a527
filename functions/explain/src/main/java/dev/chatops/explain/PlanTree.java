package dev.chatops.explain;

import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;

/** A plan's indented text tree for {@link PlanReport}, cut to its heaviest subtrees when it is too long. */
final class PlanTree {
    private PlanTree() {
    }

    /** The tree as text, and how many nodes were cut to fit the budget. */
    record Tree(String text, int cut, int fullLength) {
    }

    static Tree tree(Plan plan, List<Plan.Node> nodes) {
        StringBuilder full = new StringBuilder();
        for (Plan.Node node : nodes) {
            full.append(lines(node, plan.analyzed()));
        }
        if (full.length() <= PlanReport.TREE_BUDGET) {
            return new Tree(full.toString().stripTrailing(), 0, full.length());
        }
        // Heaviest subtrees first: a subtree that fits is kept whole; one that does not keeps its own
        // line and offers its children in turn; what is left is cut, summed up under its parent.
        Set<Plan.Node> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        PriorityQueue<Plan.Node> candidates = new PriorityQueue<>(
                Comparator.comparingDouble((Plan.Node n) -> subtreeWeight(n, plan.analyzed())).reversed());
        kept.add(plan.root());
        int used = lines(plan.root(), plan.analyzed()).length();
        int reserve = 2_000;
        candidates.addAll(plan.root().children());
        while (!candidates.isEmpty()) {
            Plan.Node node = candidates.poll();
            List<Plan.Node> subtree = node.all();
            int whole = subtree.stream().mapToInt(n -> lines(n, plan.analyzed()).length()).sum();
            if (used + whole + reserve <= PlanReport.TREE_BUDGET) {
                kept.addAll(subtree);
                used += whole;
                continue;
            }
            int own = lines(node, plan.analyzed()).length();
            if (!node.children().isEmpty() && used + own + reserve <= PlanReport.TREE_BUDGET) {
                kept.add(node);
                used += own;
                candidates.addAll(node.children());
            }
        }
        StringBuilder text = new StringBuilder();
        write(plan.root(), plan, kept, text);
        return new Tree(text.toString().stripTrailing(), nodes.size() - kept.size(), full.length());
    }

    private static void write(Plan.Node node, Plan plan, Set<Plan.Node> kept, StringBuilder text) {
        text.append(lines(node, plan.analyzed()));
        int cut = 0;
        double cutWeight = 0;
        for (Plan.Node child : node.children()) {
            if (kept.contains(child)) {
                write(child, plan, kept, text);
            } else {
                cut += child.all().size();
                cutWeight += child.all().stream().mapToDouble(n -> weight(n, plan.analyzed())).sum();
            }
        }
        if (cut > 0) {
            text.append("  ".repeat(node.depth() + 1))
                    .append("… ")
                    .append(cut)
                    .append(" lighter node")
                    .append(cut == 1 ? "" : "s")
                    .append(" cut (")
                    .append(plan.analyzed()
                            ? PlanReport.ms(cutWeight)
                            : "cost " + String.format(Locale.ROOT, "%.2f", cutWeight))
                    .append(")\n");
        }
    }

    private static double subtreeWeight(Plan.Node node, boolean analyzed) {
        return node.all().stream().mapToDouble(n -> weight(n, analyzed)).sum();
    }

    private static double weight(Plan.Node node, boolean analyzed) {
        return analyzed ? node.ownMs() : node.ownCost();
    }

    /** A node's lines in EXPLAIN's text form, indented by its depth. */
    private static String lines(Plan.Node node, boolean analyzed) {
        String indent = "  ".repeat(node.depth());
        StringBuilder out = new StringBuilder(indent);
        if (node.text("Subplan Name") != null) {
            out.append(node.text("Subplan Name")).append('\n').append(indent);
        }
        out.append(node.depth() == 0 ? "" : "-> ").append(node.title())
                .append(String.format(Locale.ROOT, "  (cost=%.2f..%.2f rows=%s width=%s)", node.number("Startup Cost"),
                        node.number("Total Cost"), count(node.number("Plan Rows")), count(node.number("Plan Width"))));
        if (analyzed && node.has("Actual Total Time")) {
            out.append(
                    node.number("Actual Loops") == 0
                            ? " (never executed)"
                            : String.format(
                                    Locale.ROOT,
                                    " (actual time=%.3f..%.3f rows=%s loops=%s)",
                                    node.number("Actual Startup Time"),
                                    node.number("Actual Total Time"),
                                    count(node.number("Actual Rows")),
                                    count(node.number("Actual Loops"))));
        }
        out.append('\n');
        String detail = indent + (node.depth() == 0 ? "  " : "     ");
        for (String key : List.of("Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "Filter")) {
            if (node.text(key) != null) {
                out.append(detail).append(key).append(": ").append(node.text(key)).append('\n');
            }
        }
        for (String key : List.of(
                "Rows Removed by Index Recheck",
                "Rows Removed by Join Filter",
                "Rows Removed by Filter",
                "Heap Fetches")) {
            if (node.has(key) && node.number(key) > 0) {
                out.append(detail).append(key).append(": ").append(count(node.number(key))).append('\n');
            }
        }
        if (node.raw().get("Sort Key") instanceof List<?> keys) {
            out.append(detail)
                    .append("Sort Key: ")
                    .append(String.join(", ", keys.stream().map(String::valueOf).toList()))
                    .append('\n');
        }
        if (node.text("Sort Method") != null) {
            out.append(detail)
                    .append("Sort Method: ")
                    .append(node.text("Sort Method"))
                    .append("  ")
                    .append(node.text("Sort Space Type"))
                    .append(": ")
                    .append(count(node.number("Sort Space Used")))
                    .append("kB\n");
        }
        if (analyzed
                && (node.number("Shared Hit Blocks")
                                + node.number("Shared Read Blocks")
                                + node.number("Temp Read Blocks")
                                + node.number("Temp Written Blocks"))
                        > 0) {
            out.append(detail).append("Buffers: shared hit=").append(count(node.number("Shared Hit Blocks")))
                    .append(" read=").append(count(node.number("Shared Read Blocks")));
            if (node.number("Temp Read Blocks") + node.number("Temp Written Blocks") > 0) {
                out.append(", temp read=").append(count(node.number("Temp Read Blocks"))).append(" written=")
                        .append(count(node.number("Temp Written Blocks")));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String count(double value) {
        return PlanReport.count(value);
    }
}
