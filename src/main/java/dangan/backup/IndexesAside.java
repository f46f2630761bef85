package dangan.backup;

import org.jdbi.v3.core.Handle;

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

    static IndexesAside of(Handle h, List<String> tables) {
        String[] names = tables.toArray(String[]::new);
        List<Definition> foreign = query(h, """
                select cl.relname as table_name, con.conname as name, pg_get_constraintdef(con.oid) as definition
                from pg_constraint con
                join pg_class cl on cl.oid = con.conrelid
                join pg_class ref on ref.oid = con.confrelid
                join pg_namespace n on n.oid = cl.relnamespace
                where n.nspname = 'public' and con.contype = 'f' and (cl.relname = any(:tables) or ref.relname = any(:tables))
                order by 1, 2""", names);
        List<Definition> keys = query(h, """
                select cl.relname as table_name, con.conname as name, pg_get_constraintdef(con.oid) as definition
                from pg_constraint con
                join pg_class cl on cl.oid = con.conrelid
                join pg_namespace n on n.oid = cl.relnamespace
                where n.nspname = 'public' and con.contype in ('p', 'u') and cl.relname = any(:tables)
                order by 1, 2""", names);
        List<Definition> indexes = query(h, """
                select t.relname as table_name, ic.relname as name, pg_get_indexdef(i.indexrelid) as definition
                from pg_index i
                join pg_class ic on ic.oid = i.indexrelid
                join pg_class t on t.oid = i.indrelid
                join pg_namespace n on n.oid = t.relnamespace
                where n.nspname = 'public' and t.relname = any(:tables)
                  and not exists (select 1 from pg_constraint con
                                  where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x'))
                order by 1, 2""", names);
        List<String> drops = new ArrayList<>();
        List<String> creates = new ArrayList<>();
        for (Definition fk : foreign) drops.add(alter(fk.table()) + " drop constraint " + Catalog.ident(fk.name()));
        for (Definition key : keys) drops.add(alter(key.table()) + " drop constraint " + Catalog.ident(key.name()));
        for (Definition index : indexes) drops.add("drop index " + Catalog.ident(index.name()));
        for (Definition key : keys) creates.add(alter(key.table()) + " add constraint " + Catalog.ident(key.name()) + " " + key.definition());
        for (Definition index : indexes) creates.add(index.definition());
        for (Definition fk : foreign) creates.add(alter(fk.table()) + " add constraint " + Catalog.ident(fk.name()) + " " + fk.definition());
        return new IndexesAside(drops, creates);
    }

    void drop(Handle h) {
        statements(h, drops);
    }

    void restore(Handle h) {
        h.execute("set local maintenance_work_mem = '256MB'");
        statements(h, creates);
    }

    private static void statements(Handle h, List<String> statements) {
        for (String sql : statements) h.execute(sql);
    }

    private static String alter(String table) {
        return "alter table " + Catalog.ident(table);
    }

    /** A constraint or index of a table, as {@code pg_get_constraintdef} / {@code pg_get_indexdef} give it. */
    private record Definition(String table, String name, String definition) {
    }

    private static List<Definition> query(Handle h, String sql, String[] tables) {
        return h.createQuery(sql).bind("tables", tables)
                .map((rs, ctx) -> new Definition(rs.getString("table_name"), rs.getString("name"), rs.getString("definition")))
                .list();
    }
}
