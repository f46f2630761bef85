package dangan.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The check of a merge plan the statistics trials share (MergePlanTest on EXPLAIN of each step,
 * StatisticsTrialsTest on the plans auto_explain logged): a nested loop whose inner side reads the
 * staged rows ({@code intake_row}, {@code intake_change}) other than by an index look-up of one line per
 * outer row — the plan that re-reads every staged row for every staged row (issue 14: hours).
 */
public final class MergePlans {

    private static final Set<String> STAGING = Set.of("intake_row", "intake_change");
    private static final ObjectMapper JSON = new ObjectMapper();

    private MergePlans() {
    }

    /** The loops over staged rows in a plan as {@code explain (format json)} prints it (an array of statements). */
    public static List<String> loopsOverStaging(String step, String plan) {
        try {
            List<String> found = new ArrayList<>();
            for (JsonNode statement : JSON.readTree(plan)) found.addAll(loopsOverStaging(step, statement));
            return found;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The loops over staged rows in one statement's plan ({@code {"Plan": …}}, as auto_explain logs it too). */
    public static List<String> loopsOverStaging(String step, JsonNode statement) {
        List<String> found = new ArrayList<>();
        collect(step, statement.get("Plan"), found);
        return found;
    }

    /** True when the statement's plan reads the staged rows at all. */
    public static boolean readsStaging(JsonNode statement) {
        return statement.has("Plan") && readsStagingAnyhow(statement.get("Plan"));
    }

    private static boolean readsStagingAnyhow(JsonNode node) {
        if (STAGING.contains(node.path("Relation Name").asText())) return true;
        for (JsonNode child : node.path("Plans")) {
            if (readsStagingAnyhow(child)) return true;
        }
        return false;
    }

    private static void collect(String step, JsonNode node, List<String> found) {
        JsonNode children = node.path("Plans");
        if ("Nested Loop".equals(node.path("Node Type").asText()) && children.size() == 2) {
            JsonNode inner = children.get(1);
            if (scansStaging(inner)) {
                found.add(step + ": nested loop over " + inner.path("Node Type").asText() + " " + inner);
            }
        }
        // a sub-plan that is not hashed runs again for every row of its statement: over the ingest's rows it is the same loop
        if ("SubPlan".equals(node.path("Parent Relationship").asText()) && node.path("Subplan Name").asText().startsWith("SubPlan")
                && (scansStaging(node) || readsTheIngest(node))) {
            found.add(step + ": " + node.path("Subplan Name").asText() + " run for every row, not hashed " + node);
        }
        for (JsonNode child : children) collect(step, child, found);
    }

    /**
     * The look-ups of staged rows one line at a time by their key (an index scan on the line) in a plan as
     * {@code explain (format json)} prints it — what a join does whose other side was estimated far too small.
     */
    public static List<String> lookUpsByLine(String plan) {
        try {
            List<String> found = new ArrayList<>();
            for (JsonNode statement : JSON.readTree(plan)) lookUpsByLine(statement.get("Plan"), found);
            return found;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void lookUpsByLine(JsonNode node, List<String> found) {
        if (node.path("Node Type").asText().startsWith("Index") && STAGING.contains(node.path("Relation Name").asText())
                && node.path("Index Cond").asText().contains("line_no")) {
            found.add(node.path("Node Type").asText() + " " + node.path("Index Name").asText() + " " + node.path("Index Cond").asText());
        }
        for (JsonNode child : node.path("Plans")) lookUpsByLine(child, found);
    }

    /** The subtree reads every row an ingest filed into a table (by its source index, not one line's). */
    private static boolean readsTheIngest(JsonNode node) {
        String conditions = node.path("Index Cond").asText() + node.path("Recheck Cond").asText() + node.path("Filter").asText();
        if (conditions.contains("source_ingest_id") && !conditions.contains("source_line")) return true;
        for (JsonNode child : node.path("Plans")) {
            if (readsTheIngest(child)) return true;
        }
        return false;
    }

    /** The subtree reads staged rows other than by an index look-up of one row per outer row. */
    private static boolean scansStaging(JsonNode node) {
        String type = node.path("Node Type").asText();
        // a look-up by the outer row's line; an index scan on the ingest alone reads all its rows again
        boolean indexed = type.startsWith("Index") && node.path("Index Cond").asText().contains("line_no")
                || type.equals("Tid Scan") && node.path("TID Cond").asText().contains("ctid = "); // the one row the outer row names
        if (STAGING.contains(node.path("Relation Name").asText()) && !indexed) return true;
        for (JsonNode child : node.path("Plans")) {
            if (scansStaging(child)) return true;
        }
        return false;
    }
}
