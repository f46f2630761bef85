package dangan.backup;

import dangan.i18n.Localized;
import com.fasterxml.jackson.databind.JsonNode;
import dangan.store.ForeignKeyWalk;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keyring's part of a restore (the customers' keys and the destructions since the backup,
 * written beside the backups): what of it belongs to the restored archive goes in, and customers
 * destroyed since the backup are removed again.
 */
final class KeyringRestore {

    private static final String CUSTOMER = "customer";

    /** What the keyring changed. */
    record Applied(long keys, long destructionsAdded, long customersRemoved, Map<String, Long> removedRows) {
    }

    private KeyringRestore() {
    }

    /**
     * The keyring: into temporary tables first, then only what belongs to the restored archive —
     * destruction records the archive lacks, the destroyed customers removed again, the keys of the
     * customers it holds.
     */
    static Applied apply(Handle h, Catalog catalog, JsonNode keyHeader, Dump.Reader keys) throws SQLException, IOException {
        CopyManager copy = h.getConnection().unwrap(PGConnection.class).getCopyAPI();
        Map<String, List<String>> staged = new LinkedHashMap<>();
        for (JsonNode table : keyHeader.path("tables")) {
            String name = table.path("name").asText();
            List<String> columns = RestoreLoad.columns(table);
            String temp = "keyring_" + name;
            h.execute("create temporary table " + Catalog.ident(temp) + " ("
                    + String.join(", ", columns.stream().map(col -> Catalog.ident(col) + " text").toList())
                    + ") on commit drop");
            keys.startTable(name);
            long n = copy.copyIn(Dump.copyIn(temp, columns), keys.rows(), 1 << 16);
            if (n != keys.endTable()) throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.keyring-damaged", "table", name));
            staged.put(name, columns);
        }
        keys.finish();
        long destructionsAdded = insertStaged(h, catalog, "destruction_record", staged);
        Map<String, Long> removedRows = new LinkedHashMap<>();
        long customersRemoved = removeDestroyed(h, removedRows);
        long keyRows = insertStaged(h, catalog, "customer_key", staged);
        return new Applied(keyRows, destructionsAdded, customersRemoved, removedRows);
    }

    /**
     * Inserts the keyring's rows of {@code table} that the restored archive lacks (by primary key)
     * and whose parents it holds (by every foreign key): keys of customers created after the
     * backup, or destroyed, are left out. Values are cast from COPY text to the column's type.
     */
    private static long insertStaged(Handle h, Catalog catalog, String table, Map<String, List<String>> staged) {
        List<String> stagedColumns = staged.get(table);
        Catalog.Table t = catalog.table(table);
        if (stagedColumns == null || t == null) return 0;
        List<String> columns = t.columnNames().stream().filter(stagedColumns::contains).toList();
        String s = Catalog.ident("keyring_" + table);
        StringBuilder sql = new StringBuilder("insert into ").append(Catalog.ident(table)).append(" (")
                .append(Catalog.idents(columns)).append(") select ")
                .append(String.join(", ", columns.stream().map(col -> cast(t, col)).toList()))
                .append(" from ").append(s).append(" s where true");
        if (!t.primaryKey().isEmpty() && columns.containsAll(t.primaryKey())) {
            sql.append(" and not exists (select 1 from ").append(Catalog.ident(table)).append(" x where ")
                    .append(String.join(" and ", t.primaryKey().stream().map(col -> "x." + Catalog.ident(col) + " = " + cast(t, col)).toList()))
                    .append(")");
        }
        for (Catalog.ForeignKey fk : catalog.foreignKeysOf(table)) {
            if (fk.referenced().equals(table) || !columns.containsAll(fk.columns())) continue;
            List<String> match = new ArrayList<>();
            for (int i = 0; i < fk.columns().size(); i++) {
                match.add("p." + Catalog.ident(fk.referencedColumns().get(i)) + " = " + cast(t, fk.columns().get(i)));
            }
            sql.append(" and exists (select 1 from ").append(Catalog.ident(fk.referenced())).append(" p where ")
                    .append(String.join(" and ", match)).append(")");
        }
        return h.execute(sql.toString());
    }

    private static String cast(Catalog.Table t, String column) {
        return "s." + Catalog.ident(column) + "::" + t.column(column).type();
    }

    /**
     * Removes every customer whose archive number has a destruction record (the keyring brings the
     * ones made after the backup), with every row that leads to it, children first: the same
     * {@link ForeignKeyWalk} as a destruction, so tables added later are covered. A key declared
     * {@code on delete set null} (or default) keeps its row, as a destruction does.
     */
    private static long removeDestroyed(Handle h, Map<String, Long> removed) {
        String destroyed = "archive_no in (select archive_no from destruction_record)";
        long n = h.createQuery("select count(*) from customer where " + destroyed).mapTo(Long.class).one();
        if (n > 0) removed.putAll(ForeignKeyWalk.from(h, CUSTOMER).delete(h, destroyed, Map.of()));
        return n;
    }
}
