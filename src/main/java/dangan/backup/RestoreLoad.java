package dangan.backup;

import dangan.i18n.Localized;
import com.fasterxml.jackson.databind.JsonNode;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The load of a restore: the backup's tables with COPY, in one transaction, and the sequences after. */
final class RestoreLoad {

    private RestoreLoad() {
    }

    /**
     * Loads every table of the backup with COPY (indexes and foreign keys set aside meanwhile, rebuilt
     * and checked after), each table's row count checked against the backup and its manifest.
     * Returns the rows per table.
     */
    static Map<String, Long> tables(Handle h, Catalog catalog, JsonNode header, Dump.Reader data,
                                    Consumer<Localized> progress) throws SQLException, IOException {
        CopyManager copy = h.getConnection().unwrap(PGConnection.class).getCopyAPI();
        Map<String, Long> rows = new LinkedHashMap<>();
        List<String> loading = new ArrayList<>();
        header.path("tables").forEach(t -> loading.add(t.path("name").asText()));
        IndexesAside indexes = IndexesAside.of(h, loading);
        indexes.drop(h);
        for (JsonNode table : header.path("tables")) {
            String name = table.path("name").asText();
            List<String> columns = columns(table);
            Catalog.Table target = catalog.table(name);
            if (target == null || !target.columnNames().containsAll(columns)) {
                throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.table-mismatch", "table", name,
                        "columns", String.join(", ", columns), "found", target == null ? "none" : String.join(", ", target.columnNames())));
            }
            if (Catalog.SEEDED_BY_MIGRATIONS.contains(name)) {
                h.execute("delete from " + Catalog.ident(name)); // the migration's seed; the backup has the real rows
            }
            long t0 = System.nanoTime();
            data.startTable(name);
            long n = copy.copyIn(Dump.copyIn(name, columns), data.rows(), 1 << 16);
            long recorded = data.endTable();
            if (n != recorded) {
                throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.rows-recorded", "table", name, "loaded", n,
                        "recorded", recorded));
            }
            rows.put(name, n);
            if (n > 0) progress.accept(Localized.of("backup.restore.table", "table", name, "rows", n, "seconds", (System.nanoTime() - t0) / 1e9));
        }
        JsonNode trailer = data.finish();
        for (Map.Entry<String, Long> e : rows.entrySet()) {
            if (trailer.path("rows").path(e.getKey()).asLong(-1) != e.getValue()) {
                throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.rows-manifest", "table", e.getKey(),
                        "loaded", e.getValue(), "recorded", trailer.path("rows").path(e.getKey()).toString()));
            }
        }
        long t0 = System.nanoTime();
        indexes.restore(h);
        progress.accept(Localized.of("backup.restore.checked", "seconds", (System.nanoTime() - t0) / 1e9));
        return rows;
    }

    /** Every sequence past the highest id restored and at least where it stood at backup time. */
    static void resetSequences(Handle h, Catalog catalog, JsonNode recorded) {
        for (Catalog.Sequence seq : catalog.sequences()) {
            Long value = recorded.hasNonNull(seq.name()) ? recorded.get(seq.name()).asLong() : null;
            if (seq.ownerTable() != null && seq.ownerColumn() != null) {
                Long max = h.createQuery("select max(" + Catalog.ident(seq.ownerColumn()) + ")::bigint as highest from "
                        + Catalog.ident(seq.ownerTable())).mapTo(Long.class).one();
                if (max != null && (value == null || max > value)) value = max;
            }
            if (value == null) continue;
            h.createQuery("select setval(cast(:sequence as regclass), :value, true)")
                    .bind("sequence", Catalog.ident(seq.name())).bind("value", value).mapTo(Long.class).one();
        }
    }

    static List<String> columns(JsonNode table) {
        List<String> columns = new ArrayList<>();
        table.path("columns").forEach(col -> columns.add(col.asText()));
        return columns;
    }
}
