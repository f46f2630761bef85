package dangan.backup;

import dangan.i18n.FailureText;
import dangan.i18n.Localized;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

import javax.sql.DataSource;

/**
 * The schema of a restore: Flyway creates it up to the backup's version before the rows go in,
 * and brings it up to date after they are committed.
 */
final class RestoreSchema {

    private final DataSource ds;
    private final String version;
    private final Flyway flyway;

    RestoreSchema(DataSource ds, String backupVersion) {
        this.ds = ds;
        this.version = backupVersion;
        this.flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
    }

    /** Creates the schema at the backup's version; refuses a backup newer than the migrations this Dangan knows. */
    void atBackupVersion() {
        MigrationVersion known = latestKnown(flyway);
        if (MigrationVersion.fromVersion(version).compareTo(known) > 0) {
            throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.schema.too-new", "version", version,
                    "known", known.getVersion()));
        }
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target(version).load().migrate();
    }

    /** Brings the restored schema up to date (the rows are committed by then). */
    void upToDate() {
        try {
            flyway.migrate();
        } catch (RuntimeException e) {
            throw new BackupFailure(BackupFailure.FAILED, Localized.of("backup.schema.update-failed", "version", version,
                    "detail", FailureText.said(e)), e); // Flyway's own words stay in the cause, for the log
        }
    }

    private static MigrationVersion latestKnown(Flyway flyway) {
        MigrationVersion max = MigrationVersion.EMPTY;
        for (MigrationInfo info : flyway.info().all()) {
            if (info.getVersion() != null && info.getVersion().compareTo(max) > 0) max = info.getVersion();
        }
        return max;
    }
}
