package dev.chatops.explain;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's {@code EXPLAIN (FORMAT JSON)} output as a tree of nodes, with what a reader needs
 * derived: each node's own time (its total over all loops, less its children's) and own buffers.
 */
record Plan(Node root, Double planningMs, Double executionMs, boolean analyzed) {
    /** One plan node; {@code raw} keeps every field PostgreSQL gave. */
    record Node(Map<String, Object> raw, List<Node> children, int depth) {
        String type() {
            return text("Node Type");
        }

        String text(String key) {
            Object value = raw.get(key);
            return value == null ? null : String.valueOf(value);
        }

        double number(String key) {
            Object value = raw.get(key);
            return value instanceof Number n ? n.doubleValue() : 0;
        }

        boolean has(String key) {
            return raw.containsKey(key);
        }

        double loops() {
            return Math.max(1, number("Actual Loops"));
        }

        /** Milliseconds spent in this node and below, over all loops. */
        double totalMs() {
            return number("Actual Total Time") * loops();
        }

        /** Milliseconds spent in this node itself. */
        double ownMs() {
            double children = this.children.stream().mapToDouble(Node::totalMs).sum();
            return Math.max(0, totalMs() - children);
        }

        /** The planner's cost of this node itself (for plans that were not run). */
        double ownCost() {
            double children = this.children.stream().mapToDouble(c -> c.number("Total Cost")).sum();
            return Math.max(0, number("Total Cost") - children);
        }

        /** Shared buffers hit or read by this node itself. */
        double ownBuffers() {
            double mine = number("Shared Hit Blocks") + number("Shared Read Blocks");
            double children = this.children.stream()
                    .mapToDouble(c -> c.number("Shared Hit Blocks") + c.number("Shared Read Blocks"))
                    .sum();
            return Math.max(0, mine - children);
        }

        /** This node and every node under it, depth first. */
        List<Node> all() {
            List<Node> all = new ArrayList<>();
            all.add(this);
            for (Node child : children) {
                all.addAll(child.all());
            }
            return all;
        }

        /** As EXPLAIN's text format names it: {@code Index Scan using i on t}, {@code Hash Left Join}. */
        String title() {
            String type = type();
            String join = text("Join Type");
            if (join != null && !join.equals("Inner")) {
                type = type.equals("Nested Loop")
                        ? "Nested Loop " + join + " Join"
                        : type.replace(" Join", " " + join + " Join");
            }
            StringBuilder title = new StringBuilder(type);
            if (text("Index Name") != null) {
                title.append(" using ").append(text("Index Name"));
            }
            if (text("Relation Name") != null) {
                title.append(" on ").append(text("Relation Name"));
                if (text("Alias") != null && !text("Alias").equals(text("Relation Name"))) {
                    title.append(' ').append(text("Alias"));
                }
            } else if (text("CTE Name") != null) {
                title.append(" on ").append(text("CTE Name"));
            } else if (text("Function Name") != null) {
                title.append(" on ").append(text("Function Name"));
            }
            return title.toString();
        }
    }

    /** Reads the JSON PostgreSQL returns: a one-element array of {@code {"Plan":…,"Planning Time":…,…}}. */
    @SuppressWarnings("unchecked")
    static Plan parse(String json) {
        Object parsed;
        try {
            parsed = JSON.std.anyFrom(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the plan is not JSON", e);
        }
        Map<String, Object> top = (Map<String, Object>) (parsed instanceof List<?> list ? list.get(0) : parsed);
        Node root = node((Map<String, Object>) top.get("Plan"), 0);
        Double planning = top.get("Planning Time") instanceof Number n ? n.doubleValue() : null;
        Double execution = top.get("Execution Time") instanceof Number n ? n.doubleValue() : null;
        return new Plan(root, planning, execution, root.has("Actual Total Time"));
    }

    @SuppressWarnings("unchecked")
    private static Node node(Map<String, Object> raw, int depth) {
        List<Node> children = new ArrayList<>();
        if (raw.get("Plans") instanceof List<?> plans) {
            for (Object plan : plans) {
                children.add(node((Map<String, Object>) plan, depth + 1));
            }
        }
        return new Node(raw, children, depth);
    }
}
