package dangan.retention;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deletes every row of one customer from the archive (D-31), inside the caller's transaction.
 *
 * <p>Which rows: read from the catalog at each destruction, so tables added later are covered
 * without a change here. Every table with a foreign key to {@code customer}, every table with a
 * foreign key to such a table, and so on, loses the rows that lead to the customer; children go
 * before their parents, the {@code customer} row last. Foreign keys declared {@code on delete set
 * null} are left to PostgreSQL: those rows outlive the archive without it (subject_request,
 * destruction_proposal_line: archive number, no personal data). {@code customer_key} is one of the
 * tables: deleting its rows destroys the customer's keys, so every copy of the archive made before
 * (backups) holds nothing readable of the sensitive fields.
 *
 * <p>Rows that hold the customer's data without a foreign key, also deleted:
 * <ul>
 *   <li>{@code intake_issue}: the warnings of the lines the customer's rows came from (their
 *       provenance, {@code source_ingest_id}/{@code source_line}), and any issue naming the
 *       customer's archive number, mobile or email;</li>
 *   <li>{@code survey_review} (and its {@code survey_response}): responses still waiting, not linked
 *       to any archive, whose payload names the archive number, mobile or email.</li>
 * </ul>
 * Not touched: {@code ingest} (files and mails, no customer rows), {@code audit_log} (append-only;
 * archive numbers, no personal data), files already written under {@code outbox/}.
 */
public final class Destruction {

    private static final String ROOT = "customer";

    /** A foreign key from {@code child(childColumns)} to {@code parent(parentColumns)}. */
    record ForeignKey(String child, List<String> childColumns, String parent, List<String> parentColumns) {
    }

    private static final String FOREIGN_KEYS = """
            select con.conrelid::regclass::text, con.confrelid::regclass::text,
                   array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
                         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i),
                   array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i)
                         join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)
            from pg_constraint con
            join pg_class t on t.oid = con.conrelid
            where con.contype = 'f' and con.confdeltype not in ('n', 'd')
              and t.relnamespace = current_schema()::regnamespace""";

    private static final String PROVENANCE_TABLES = """
            select table_name from information_schema.columns
            where table_schema = current_schema() and column_name in ('source_ingest_id', 'source_line')
            group by table_name having count(*) = 2""";

    private Destruction() {
    }

    /** The tables a customer's rows live in, in the order they are deleted (customer last). */
    public static List<String> tables(Connection c) throws SQLException {
        return new Plan(foreignKeys(c)).order;
    }

    /**
     * Deletes every row of the customer (locked and known to exist) and returns the rows deleted
     * per table, in deletion order (tables with none left out).
     */
    public static Map<String, Long> destroy(Connection c, long customerId, String archiveNo, String mobile, String email)
            throws SQLException {
        Plan plan = new Plan(foreignKeys(c));
        Map<String, Long> counts = new LinkedHashMap<>();

        // provenance first: the lines the customer's rows came from
        Set<String> withProvenance = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(PROVENANCE_TABLES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) withProvenance.add(rs.getString(1));
        }
        List<Long> ingests = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (String table : plan.order) {
            if (!withProvenance.contains(table)) continue;
            Condition where = plan.condition(table);
            String sql = "select distinct source_ingest_id, source_line from " + table + " where (" + where.sql
                    + ") and source_ingest_id is not null and source_line is not null";
            try (PreparedStatement ps = where.prepare(c, sql, customerId); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ingests.add(rs.getLong(1));
                    lines.add(rs.getInt(2));
                }
            }
        }
        long issues = deleteIssues(c, ingests, lines, archiveNo, mobile, email);
        long reviews = deletePendingSurveys(c, archiveNo, mobile, email);

        for (String table : plan.order) {
            Condition where = plan.condition(table);
            try (PreparedStatement ps = where.prepare(c, "delete from " + table + " where " + where.sql, customerId)) {
                long n = ps.executeUpdate();
                if (n > 0) counts.merge(table, n, Long::sum);
            }
        }
        if (issues > 0) counts.merge("intake_issue", issues, Long::sum);
        if (reviews > 0) counts.merge("survey_review", reviews, Long::sum);
        return counts;
    }

    private static long deleteIssues(Connection c, List<Long> ingests, List<Integer> lines, String archiveNo,
                                     String mobile, String email) throws SQLException {
        String sql = """
                delete from intake_issue i
                where (i.ingest_id, i.line_no) in (select * from unnest(?::bigint[], ?::int[]))
                   or strpos(coalesce(i.reason, '') || ' ' || coalesce(i.value_shown, ''), ?) > 0
                   or (?::text is not null and strpos(coalesce(i.reason, '') || ' ' || coalesce(i.value_shown, ''), ?) > 0)
                   or (?::text is not null and strpos(coalesce(i.reason, '') || ' ' || coalesce(i.value_shown, ''), ?) > 0)""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array a = c.createArrayOf("bigint", ingests.toArray());
            Array b = c.createArrayOf("integer", lines.toArray());
            ps.setArray(1, a);
            ps.setArray(2, b);
            ps.setString(3, archiveNo);
            ps.setString(4, mobile);
            ps.setString(5, mobile);
            ps.setString(6, email);
            ps.setString(7, email);
            return ps.executeUpdate();
        }
    }

    private static long deletePendingSurveys(Connection c, String archiveNo, String mobile, String email) throws SQLException {
        String sql = """
                with gone as (
                    delete from survey_review r
                    where r.customer_id is null
                      and (r.payload -> 'customer' ->> 'archive_no' = ?
                           or r.payload -> 'customer' ->> 'mobile' = ?
                           or r.payload -> 'customer' ->> 'email' = ?)
                    returning survey_id
                ), responses as (
                    delete from survey_response s using gone g where s.survey_id = g.survey_id and s.customer_id is null
                    returning 1
                )
                select (select count(*) from gone) + (select count(*) from responses)""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, archiveNo);
            ps.setString(2, mobile);
            ps.setString(3, email);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<ForeignKey> foreignKeys(Connection c) throws SQLException {
        List<ForeignKey> keys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(FOREIGN_KEYS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(new ForeignKey(rs.getString(1), List.of((String[]) rs.getArray(3).getArray()),
                        rs.getString(2), List.of((String[]) rs.getArray(4).getArray())));
            }
        }
        return keys;
    }

    /** A WHERE clause whose every {@code ?} is the customer's id. */
    record Condition(String sql) {
        PreparedStatement prepare(Connection c, String statement, long customerId) throws SQLException {
            PreparedStatement ps = c.prepareStatement(statement);
            int n = (int) statement.chars().filter(ch -> ch == '?').count();
            for (int i = 1; i <= n; i++) ps.setLong(i, customerId);
            return ps;
        }
    }

    /** The tables reachable from customer through foreign keys, their delete order and their conditions. */
    static final class Plan {
        final List<String> order = new ArrayList<>();
        private final Map<String, List<ForeignKey>> upward = new HashMap<>();
        private final Map<String, Condition> conditions = new HashMap<>();

        Plan(List<ForeignKey> keys) {
            Map<String, List<ForeignKey>> referencing = new HashMap<>();
            for (ForeignKey k : keys) referencing.computeIfAbsent(k.parent(), p -> new ArrayList<>()).add(k);
            Set<String> doomed = new LinkedHashSet<>();
            List<String> queue = new ArrayList<>(List.of(ROOT));
            doomed.add(ROOT);
            while (!queue.isEmpty()) {
                String parent = queue.remove(0);
                for (ForeignKey k : referencing.getOrDefault(parent, List.of())) {
                    if (k.child().equals(k.parent()) && !k.child().equals(ROOT)) continue;
                    upward.computeIfAbsent(k.child(), t -> new ArrayList<>()).add(k);
                    if (doomed.add(k.child())) queue.add(k.child());
                }
            }
            // children before parents: a table goes when no remaining table references it
            Set<String> left = new LinkedHashSet<>(doomed);
            while (!left.isEmpty()) {
                String next = null;
                for (String t : left) {
                    boolean referenced = false;
                    for (ForeignKey k : referencing.getOrDefault(t, List.of())) {
                        if (!k.child().equals(t) && left.contains(k.child())) {
                            referenced = true;
                            break;
                        }
                    }
                    if (!referenced) {
                        next = t;
                        break;
                    }
                }
                if (next == null) {
                    throw new IllegalStateException("cannot order the deletion: the foreign keys among " + left
                            + " form a cycle; declare one of them on delete set null");
                }
                order.add(next);
                left.remove(next);
            }
            order.remove(ROOT);
            order.add(ROOT);
        }

        Condition condition(String table) {
            return new Condition(sql(table, new ArrayList<>()));
        }

        private String sql(String table, List<String> path) {
            if (table.equals(ROOT)) return "id = ?";
            Condition known = conditions.get(table);
            if (known != null) return known.sql();
            if (path.contains(table)) throw new IllegalStateException("foreign key cycle through " + path);
            path.add(table);
            List<String> parts = new ArrayList<>();
            for (ForeignKey k : upward.getOrDefault(table, List.of())) {
                String cols = "(" + String.join(", ", quote(k.childColumns())) + ")";
                if (k.parent().equals(ROOT) && k.parentColumns().equals(List.of("id"))) {
                    parts.add(quote(k.childColumns()).get(0) + " = ?");
                } else {
                    parts.add(cols + " in (select " + String.join(", ", quote(k.parentColumns())) + " from " + k.parent()
                            + " where " + sql(k.parent(), path) + ")");
                }
            }
            path.remove(table);
            String sql = parts.isEmpty() ? "false" : String.join(" or ", parts);
            conditions.put(table, new Condition(sql));
            return sql;
        }

        private static List<String> quote(List<String> columns) {
            List<String> quoted = new ArrayList<>();
            for (String col : columns) quoted.add("\"" + col.replace("\"", "\"\"") + "\"");
            return Collections.unmodifiableList(quoted);
        }
    }
}
