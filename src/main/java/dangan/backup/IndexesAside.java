package dangan.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What pg_restore does to load fast: the indexes, primary/unique keys and foreign keys of the
 * tables being loaded are dropped first and rebuilt after the rows are in (one sort per index,
 * one join per foreign key, instead of an index insert and a key lookup per row). All of it in the
 * restore's transaction, so a failed restore leaves the schema exactly as Flyway made it; and
 * rebuilding them checks the restored rows against every key.
 */
final class IndexesAside {

    private final List<String> drops;
    private final List<String> creates;

    private IndexesAside(List<String> drops, List<String> creates) {
        this.drops = drops;
        this.creates = creates;
    }

    static IndexesAside of(Connection c, List<String> tables) throws SQLException {
        String[] names = tables.toArray(String[]::new);
        List<String[]> foreign = query(c, """
                select cl.relname, con.conname, pg_get_constraintdef(con.oid)
                from pg_constraint con
                join pg_class cl on cl.oid = con.conrelid
                join pg_class ref on ref.oid = con.confrelid
                join pg_namespace n on n.oid = cl.relnamespace
                where n.nspname = 'public' and con.contype = 'f' and (cl.relname = any(?) or ref.relname = any(?))
                order by 1, 2""", names, 2);
        List<String[]> keys = query(c, """
                select cl.relname, con.conname, pg_get_constraintdef(con.oid)
                from pg_constraint con
                join pg_class cl on cl.oid = con.conrelid
                join pg_namespace n on n.oid = cl.relnamespace
                where n.nspname = 'public' and con.contype in ('p', 'u') and cl.relname = any(?)
                order by 1, 2""", names, 1);
        List<String[]> indexes = query(c, """
                select t.relname, ic.relname, pg_get_indexdef(i.indexrelid)
                from pg_index i
                join pg_class ic on ic.oid = i.indexrelid
                join pg_class t on t.oid = i.indrelid
                join pg_namespace n on n.oid = t.relnamespace
                where n.nspname = 'public' and t.relname = any(?)
                  and not exists (select 1 from pg_constraint con
                                  where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x'))
                order by 1, 2""", names, 1);
        List<String> drops = new ArrayList<>();
        List<String> creates = new ArrayList<>();
        for (String[] fk : foreign) drops.add(alter(fk[0]) + " drop constraint " + Catalog.ident(fk[1]));
        for (String[] key : keys) drops.add(alter(key[0]) + " drop constraint " + Catalog.ident(key[1]));
        for (String[] index : indexes) drops.add("drop index " + Catalog.ident(index[1]));
        for (String[] key : keys) creates.add(alter(key[0]) + " add constraint " + Catalog.ident(key[1]) + " " + key[2]);
        for (String[] index : indexes) creates.add(index[2]);
        for (String[] fk : foreign) creates.add(alter(fk[0]) + " add constraint " + Catalog.ident(fk[1]) + " " + fk[2]);
        return new IndexesAside(drops, creates);
    }

    void drop(Connection c) throws SQLException {
        run(c, drops);
    }

    void restore(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("set local maintenance_work_mem = '256MB'");
        }
        run(c, creates);
    }

    private static void run(Connection c, List<String> statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) s.execute(sql);
        }
    }

    private static String alter(String table) {
        return "alter table " + Catalog.ident(table);
    }

    private static List<String[]> query(Connection c, String sql, String[] names, int bindings) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= bindings; i++) ps.setArray(i, c.createArrayOf("text", names));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        return rows;
    }
}
