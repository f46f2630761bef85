package dangan.backup;

import dangan.i18n.Localized;
import com.fasterxml.jackson.databind.JsonNode;
import dangan.store.Db;
import org.flywaydb.core.api.MigrationVersion;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a restore checks before it changes anything: that the backup and the keyring decrypt under
 * this master key and are what they say they are, and that the target database is empty and not
 * newer than the backup.
 */
final class RestorePreflight {

    private RestorePreflight() {
    }

    static JsonNode readHeader(Dump.Reader reader, Path file, String kind) throws IOException {
        JsonNode header;
        try {
            header = reader.header();
        } catch (IOException e) {
            throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.cannot-decrypt", "file", file.toString()), e);
        }
        if (!kind.equals(header.path("kind").asText())) {
            throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.wrong-kind", "file", file.toString(),
                    "found", header.path("kind").asText(), "expected", kind));
        }
        return header;
    }

    static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    /** Refuses a target that holds data, or whose schema is newer than the backup's. */
    static void checkTarget(DataSource ds, String backupVersion) {
        Db.jdbi(ds).useHandle(h -> {
            Catalog catalog = Catalog.read(h);
            if (catalog.table(Catalog.FLYWAY_HISTORY) != null) {
                String current = SealedDump.schemaVersion(h);
                if (MigrationVersion.fromVersion(current).compareTo(MigrationVersion.fromVersion(backupVersion)) > 0) {
                    throw new BackupFailure(BackupFailure.TARGET_NOT_EMPTY, Localized.of("backup.target.newer", "current", current,
                            "version", backupVersion));
                }
            }
            List<String> holding = new ArrayList<>();
            for (Catalog.Table t : catalog.tables()) {
                if (t.unlogged() || t.isQuartz() || t.name().equals(Catalog.FLYWAY_HISTORY)
                        || Catalog.SEEDED_BY_MIGRATIONS.contains(t.name())) continue;
                if (h.createQuery("select exists (select 1 from " + Catalog.ident(t.name()) + ")").mapTo(Boolean.class).one()) {
                    holding.add(t.name());
                }
            }
            if (!holding.isEmpty()) {
                throw new BackupFailure(BackupFailure.TARGET_NOT_EMPTY, Localized.of("backup.target.not-empty",
                        "tables", String.join(", ", holding)));
            }
        });
    }
}
