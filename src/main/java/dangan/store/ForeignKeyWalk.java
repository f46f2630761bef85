package dangan.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatements;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rows that lead to rows of a root table, found through the catalog's foreign keys — read at
 * each use, so tables added later are covered without a change here. Every table with a foreign
 * key to the root, every table with a foreign key to such a table, and so on, in the order they can
 * be deleted: children before their parents, the root last. Foreign keys declared {@code on delete
 * set null} (or {@code set default}) are left to PostgreSQL: those rows outlive their parent.
 * Used by the destruction of a customer (retention) and by a restore that removes customers
 * destroyed since the backup.
 */
public final class ForeignKeyWalk {

    /** A foreign key from {@code child(childColumns)} to {@code parent(parentColumns)}. */
    public record ForeignKey(String child, List<String> childColumns, String parent, List<String> parentColumns) {
    }

    private static final String FOREIGN_KEYS = """
            select con.conrelid::regclass::text as child, con.confrelid::regclass::text as parent,
                   array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
                         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i) as child_columns,
                   array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i)
                         join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i) as parent_columns
            from pg_constraint con
            join pg_class t on t.oid = con.conrelid
            where con.contype = 'f' and con.confdeltype not in ('n', 'd')
              and t.relnamespace = current_schema()::regnamespace
            order by 1, con.conname""";

    private final String root;
    private final List<String> order = new ArrayList<>();
    private final Map<String, List<ForeignKey>> upward = new HashMap<>();
    private final Map<String, List<ForeignKey>> selfReferences = new HashMap<>();

    /** The walk from {@code root} over the foreign keys of the handle's current schema. */
    public static ForeignKeyWalk from(Handle h, String root) {
        List<ForeignKey> keys = h.createQuery(FOREIGN_KEYS)
                .map((rs, ctx) -> new ForeignKey(rs.getString("child"), List.of((String[]) rs.getArray("child_columns").getArray()),
                        rs.getString("parent"), List.of((String[]) rs.getArray("parent_columns").getArray())))
                .list();
        return new ForeignKeyWalk(root, keys);
    }

    ForeignKeyWalk(String root, List<ForeignKey> keys) {
        this.root = root;
        Map<String, List<ForeignKey>> referencing = new HashMap<>();
        for (ForeignKey k : keys) referencing.computeIfAbsent(k.parent(), p -> new ArrayList<>()).add(k);
        Set<String> reached = new LinkedHashSet<>();
        List<String> queue = new ArrayList<>(List.of(root));
        reached.add(root);
        while (!queue.isEmpty()) {
            String parent = queue.remove(0);
            for (ForeignKey k : referencing.getOrDefault(parent, List.of())) {
                if (k.child().equals(k.parent())) {
                    selfReferences.computeIfAbsent(k.child(), t -> new ArrayList<>()).add(k);
                    continue;
                }
                upward.computeIfAbsent(k.child(), t -> new ArrayList<>()).add(k);
                if (reached.add(k.child())) queue.add(k.child());
            }
        }
        // children before parents: a table goes when no remaining table references it
        Set<String> left = new LinkedHashSet<>(reached);
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
        order.remove(root);
        order.add(root);
    }

    /** The tables whose rows lead to the root, in deletion order (the root last). */
    public List<String> order() {
        return List.copyOf(order);
    }

    /**
     * A WHERE condition selecting the rows of {@code table} that lead to the root rows matching
     * {@code rootCondition} (SQL on the root table; its parameters are bound by the caller).
     */
    public String condition(String table, String rootCondition) {
        return condition(table, rootCondition, new HashMap<>(), new ArrayList<>());
    }

    /**
     * Deletes, children first, every row leading to the root rows matching {@code rootCondition}
     * (its named parameters from {@code parameters}), and the root rows themselves. A row of a table
     * pointing at a deleted row of the same table is unlinked (its key set to null) first. Returns
     * the rows deleted per table, in deletion order (tables with none left out).
     */
    public Map<String, Long> delete(Handle h, String rootCondition, Map<String, ?> parameters) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : order) {
            String where = condition(table, rootCondition);
            for (ForeignKey self : selfReferences.getOrDefault(table, List.of())) {
                String set = String.join(", ", quote(self.childColumns()).stream().map(col -> col + " = null").toList());
                h.createUpdate("update " + table + " set " + set + " where (" + String.join(", ", quote(self.childColumns()))
                                + ") in (select " + String.join(", ", quote(self.parentColumns())) + " from " + table
                                + " where " + where + ")")
                        .configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true))
                        .bindMap(parameters).execute();
            }
            long n = h.createUpdate("delete from " + table + " where " + where)
                    .configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true)) // a table no key leads to: "false"
                    .bindMap(parameters).execute();
            if (n > 0) counts.merge(table, n, Long::sum);
        }
        return counts;
    }

    private String condition(String table, String rootCondition, Map<String, String> known, List<String> path) {
        if (table.equals(root)) return rootCondition;
        String cached = known.get(table);
        if (cached != null) return cached;
        if (path.contains(table)) throw new IllegalStateException("foreign key cycle through " + path);
        path.add(table);
        List<String> parts = new ArrayList<>();
        for (ForeignKey k : upward.getOrDefault(table, List.of())) {
            parts.add("(" + String.join(", ", quote(k.childColumns())) + ") in (select "
                    + String.join(", ", quote(k.parentColumns())) + " from " + k.parent()
                    + " where " + condition(k.parent(), rootCondition, known, path) + ")");
        }
        path.remove(table);
        String sql = parts.isEmpty() ? "false" : String.join(" or ", parts);
        known.put(table, sql);
        return sql;
    }

    private static List<String> quote(List<String> columns) {
        List<String> quoted = new ArrayList<>();
        for (String col : columns) quoted.add("\"" + col.replace("\"", "\"\"") + "\"");
        return quoted;
    }
}
