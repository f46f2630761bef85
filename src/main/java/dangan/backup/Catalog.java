package dangan.backup;

import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The archive's own tables as PostgreSQL's catalog describes them (schema {@code public}): their
 * columns, primary keys, foreign keys and sequences. Read from the catalog, never from a list in
 * the code, so a table a later migration adds is backed up and restored without a change here.
 */
final class Catalog {

    /** Flyway's own table: restore re-creates the schema with Flyway instead. */
    static final String FLYWAY_HISTORY = "flyway_schema_history";
    /** What the keyring holds (crypto-shredding, D-31): the keys, and the destructions that removed some. */
    static final List<String> KEYRING_TABLES = List.of("customer_key", "destruction_record");
    /** Never in a data backup: the customers' keys live only in the keyring. */
    static final String CUSTOMER_KEY = "customer_key";
    /**
     * Tables whose rows a migration inserts (V13 seeds the audit chain's head): an empty archive
     * already holds them, so they do not make a restore target "not empty", and restore replaces them.
     */
    static final Set<String> SEEDED_BY_MIGRATIONS = Set.of("audit_head");

    record Column(String name, String type, boolean nullable) {
    }

    record Table(String name, char kind, boolean unlogged, List<Column> columns, List<String> primaryKey) {

        List<String> columnNames() {
            return columns.stream().map(Column::name).toList();
        }

        Column column(String name) {
            return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        }

        /** Quartz keeps its schedule here; the schedule re-creates itself from the configuration. */
        boolean isQuartz() {
            return name.startsWith("qrtz_");
        }
    }

    /** {@code onDelete}: PostgreSQL's confdeltype — a no action, r restrict, c cascade, n set null, d set default. */
    record ForeignKey(String table, List<String> columns, String referenced, List<String> referencedColumns, char onDelete) {
    }

    record Sequence(String name, String ownerTable, String ownerColumn) {
    }

    private final Map<String, Table> tables;
    private final List<ForeignKey> foreignKeys;
    private final List<Sequence> sequences;

    private Catalog(Map<String, Table> tables, List<ForeignKey> foreignKeys, List<Sequence> sequences) {
        this.tables = tables;
        this.foreignKeys = foreignKeys;
        this.sequences = sequences;
    }

    static Catalog read(Handle h) {
        Map<String, List<Column>> columns = new TreeMap<>();
        h.createQuery("""
                select cl.relname as table_name, a.attname as column_name,
                       format_type(a.atttypid, a.atttypmod) as column_type, not a.attnotnull as nullable
                from pg_class cl
                join pg_namespace n on n.oid = cl.relnamespace
                join pg_attribute a on a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                where n.nspname = 'public' and cl.relkind in ('r', 'p') and not cl.relispartition
                order by cl.relname, a.attnum""")
                .map((rs, ctx) -> Map.entry(rs.getString("table_name"),
                        new Column(rs.getString("column_name"), rs.getString("column_type"), rs.getBoolean("nullable"))))
                .forEach(e -> columns.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        Map<String, List<String>> primaryKeys = new TreeMap<>();
        h.createQuery("""
                select cl.relname as table_name, a.attname as column_name
                from pg_constraint con
                join pg_class cl on cl.oid = con.conrelid
                join pg_namespace n on n.oid = cl.relnamespace
                cross join lateral unnest(con.conkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = cl.oid and a.attnum = k.attnum
                where n.nspname = 'public' and con.contype = 'p'
                order by cl.relname, k.ord""")
                .map((rs, ctx) -> Map.entry(rs.getString("table_name"), rs.getString("column_name")))
                .forEach(e -> primaryKeys.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        Map<String, Table> tables = new TreeMap<>();
        h.createQuery("""
                select cl.relname as table_name, cl.relkind::text as kind, cl.relpersistence = 'u' as unlogged
                from pg_class cl join pg_namespace n on n.oid = cl.relnamespace
                where n.nspname = 'public' and cl.relkind in ('r', 'p') and not cl.relispartition""")
                .map((rs, ctx) -> {
                    String name = rs.getString("table_name");
                    return new Table(name, rs.getString("kind").charAt(0), rs.getBoolean("unlogged"),
                            List.copyOf(columns.getOrDefault(name, List.of())), List.copyOf(primaryKeys.getOrDefault(name, List.of())));
                })
                .forEach(t -> tables.put(t.name(), t));
        List<ForeignKey> fks = h.createQuery("""
                select child.relname as child, parent.relname as parent,
                       array(select a.attname::text from unnest(con.conkey) with ordinality k(n, o)
                             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o) as child_columns,
                       array(select a.attname::text from unnest(con.confkey) with ordinality k(n, o)
                             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o) as parent_columns,
                       con.confdeltype::text as on_delete
                from pg_constraint con
                join pg_class child on child.oid = con.conrelid
                join pg_class parent on parent.oid = con.confrelid
                join pg_namespace n on n.oid = child.relnamespace
                where con.contype = 'f' and n.nspname = 'public'
                order by child.relname, con.conname""")
                .map((rs, ctx) -> new ForeignKey(rs.getString("child"), List.of((String[]) rs.getArray("child_columns").getArray()),
                        rs.getString("parent"), List.of((String[]) rs.getArray("parent_columns").getArray()),
                        rs.getString("on_delete").charAt(0)))
                .list();
        List<Sequence> sequences = h.createQuery("""
                select s.relname as sequence_name, t.relname as owner_table, a.attname as owner_column
                from pg_class s
                join pg_namespace n on n.oid = s.relnamespace
                left join pg_depend d on d.objid = s.oid and d.classid = 'pg_class'::regclass
                     and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
                left join pg_class t on t.oid = d.refobjid
                left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                where s.relkind = 'S' and n.nspname = 'public'
                order by s.relname""")
                .map((rs, ctx) -> new Sequence(rs.getString("sequence_name"), rs.getString("owner_table"), rs.getString("owner_column")))
                .list();
        return new Catalog(tables, List.copyOf(fks), List.copyOf(sequences));
    }

    Table table(String name) {
        return tables.get(name);
    }

    Collection<Table> tables() {
        return tables.values();
    }

    List<Sequence> sequences() {
        return sequences;
    }

    List<ForeignKey> foreignKeysOf(String table) {
        return foreignKeys.stream().filter(fk -> fk.table().equals(table)).toList();
    }

    /**
     * The tables a backup holds, parents before children (so restore can load them in this order
     * with every foreign key checked): every logged table of the archive except Flyway's history,
     * Quartz's schedule and the customers' keys ({@code destruction_record} is in both: the
     * backup keeps the record of the destructions before it, the keyring the ones since).
     */
    List<Table> dataTables() {
        List<Table> chosen = tables.values().stream()
                .filter(t -> !t.unlogged() && !t.isQuartz() && !t.name().equals(FLYWAY_HISTORY)
                        && !t.name().equals(CUSTOMER_KEY))
                .toList();
        return parentsFirst(chosen);
    }

    /** Kahn's algorithm over the foreign keys among {@code chosen}; a table referencing itself is fine. */
    List<Table> parentsFirst(List<Table> chosen) {
        Map<String, Table> byName = new LinkedHashMap<>();
        chosen.forEach(t -> byName.put(t.name(), t));
        Map<String, Set<String>> parents = new TreeMap<>();
        for (Table t : chosen) {
            Set<String> ps = new TreeSet<>();
            for (ForeignKey fk : foreignKeysOf(t.name())) {
                if (!fk.referenced().equals(t.name()) && byName.containsKey(fk.referenced())) ps.add(fk.referenced());
            }
            parents.put(t.name(), ps);
        }
        List<Table> ordered = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        while (ordered.size() < chosen.size()) {
            String next = parents.entrySet().stream()
                    .filter(e -> !done.contains(e.getKey()) && done.containsAll(e.getValue()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            if (next == null) {
                List<String> left = parents.keySet().stream().filter(n -> !done.contains(n)).toList();
                throw new IllegalStateException("Tables " + left + " reference each other in a cycle of foreign keys:"
                        + " a backup cannot order them for restore; make one of the keys DEFERRABLE or break the cycle");
            }
            done.add(next);
            ordered.add(byName.get(next));
        }
        return ordered;
    }

    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String idents(List<String> names) {
        return String.join(", ", names.stream().map(Catalog::ident).toList());
    }
}
