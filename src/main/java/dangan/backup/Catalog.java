package dangan.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
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

    static Catalog read(Connection c) throws SQLException {
        Map<String, List<Column>> columns = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select cl.relname, a.attname, format_type(a.atttypid, a.atttypmod), not a.attnotnull
                from pg_class cl
                join pg_namespace n on n.oid = cl.relnamespace
                join pg_attribute a on a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                where n.nspname = 'public' and cl.relkind in ('r', 'p') and not cl.relispartition
                order by cl.relname, a.attnum""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Column(rs.getString(2), rs.getString(3), rs.getBoolean(4)));
            }
        }
        Map<String, List<String>> primaryKeys = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select cl.relname, a.attname
                from pg_constraint con
                join pg_class cl on cl.oid = con.conrelid
                join pg_namespace n on n.oid = cl.relnamespace
                cross join lateral unnest(con.conkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = cl.oid and a.attnum = k.attnum
                where n.nspname = 'public' and con.contype = 'p'
                order by cl.relname, k.ord""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) primaryKeys.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
        }
        Map<String, Table> tables = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select cl.relname, cl.relkind, cl.relpersistence = 'u'
                from pg_class cl join pg_namespace n on n.oid = cl.relnamespace
                where n.nspname = 'public' and cl.relkind in ('r', 'p') and not cl.relispartition""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                tables.put(name, new Table(name, rs.getString(2).charAt(0), rs.getBoolean(3),
                        List.copyOf(columns.getOrDefault(name, List.of())), List.copyOf(primaryKeys.getOrDefault(name, List.of()))));
            }
        }
        List<ForeignKey> fks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select child.relname, parent.relname,
                       array(select a.attname from unnest(con.conkey) with ordinality k(n, o)
                             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o),
                       array(select a.attname from unnest(con.confkey) with ordinality k(n, o)
                             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o),
                       con.confdeltype
                from pg_constraint con
                join pg_class child on child.oid = con.conrelid
                join pg_class parent on parent.oid = con.confrelid
                join pg_namespace n on n.oid = child.relnamespace
                where con.contype = 'f' and n.nspname = 'public'
                order by child.relname, con.conname""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                fks.add(new ForeignKey(rs.getString(1), Arrays.asList((String[]) rs.getArray(3).getArray()),
                        rs.getString(2), Arrays.asList((String[]) rs.getArray(4).getArray()), rs.getString(5).charAt(0)));
            }
        }
        List<Sequence> sequences = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select s.relname, t.relname, a.attname
                from pg_class s
                join pg_namespace n on n.oid = s.relnamespace
                left join pg_depend d on d.objid = s.oid and d.classid = 'pg_class'::regclass
                     and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
                left join pg_class t on t.oid = d.refobjid
                left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                where s.relkind = 'S' and n.nspname = 'public'
                order by s.relname""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) sequences.add(new Sequence(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
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
