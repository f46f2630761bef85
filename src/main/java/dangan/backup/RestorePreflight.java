package dangan.backup;

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
            throw new BackupFailure(BackupFailure.BAD_FILE, "Cannot decrypt " + file + ": the master key (DANGAN_MASTER_KEY"
                    + " or data/master.key) is not the one that made it, or the file was altered (" + firstLine(e) + ")."
                    + " Nothing was restored.", e);
        }
        if (!kind.equals(header.path("kind").asText())) {
            throw new BackupFailure(BackupFailure.BAD_FILE, file + " holds a " + header.path("kind").asText() + ", not a " + kind);
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
                    throw new BackupFailure(BackupFailure.TARGET_NOT_EMPTY, "The target database already has schema V" + current
                            + ", newer than the backup's V" + backupVersion + ": restore into a new, empty database"
                            + " (create database …; DANGAN_DB_URL) or an empty DANGAN_HOME");
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
                throw new BackupFailure(BackupFailure.TARGET_NOT_EMPTY, "The target database is not empty (rows in "
                        + String.join(", ", holding) + "): restore only goes into an empty archive — point DANGAN_DB_URL"
                        + " at a new database or DANGAN_HOME at an empty folder. Nothing was changed.");
            }
        });
    }
}
