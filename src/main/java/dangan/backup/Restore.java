package dangan.backup;

import dangan.i18n.FailureText;
import dangan.i18n.Localized;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.faults.FaultPoint;
import dangan.store.ArchiveDatabase;
import dangan.i18n.Messages;
import dangan.store.Db;
import dangan.store.RestoreMark;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import javax.sql.DataSource;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Restores a backup into an EMPTY archive database (the configured one: {@code DANGAN_DB_URL}, or
 * the embedded one of DANGAN_HOME), without starting the service: Flyway creates the schema up to
 * the backup's version, every table is loaded with COPY in one transaction, the keys come from the
 * keyring, customers destroyed since the backup are removed again, sequences move past the
 * restored ids, the manifest's row counts and SHA-256 are checked, and only then is it committed;
 * Flyway then brings the schema up to date. Anything wrong — wrong master key, an altered or
 * truncated file — and nothing is restored. All or nothing also when the restore is killed: a mark on the
 * target ({@link RestoreMark}) is committed before the schema is made and cleared in the load's transaction,
 * so a target a restore left unfinished holds no rows, the service refuses to start on it, and the next
 * restore takes it over. A file a cut-off backup left ({@code .part}, {@code .pending}) is refused. The steps: {@link RestorePreflight} (the files, the
 * target), {@link RestoreSchema} (Flyway), {@link RestoreLoad} (the tables, the sequences) and
 * {@link KeyringRestore} (the keys, the destructions since the backup).
 */
public final class Restore {

    private static final String CUSTOMER = "customer";
    /** The schema from which the audit log is the keyed chain (V29): a restore of such a backup audits itself in its load's transaction. */
    private static final MigrationVersion KEYED_AUDIT = MigrationVersion.fromVersion("29");

    /** What a restore did. */
    public record Result(Path file, String backupSchema, String schemaNow, String createdAt, Map<String, Long> rows,
                         long keys, long destructionsAdded, long customersRemoved, Map<String, Long> removedRows,
                         Duration took) {
    }

    private Restore() {
    }

    /** Restores {@code file}; {@code keyring} null: the {@code keyring.dgk} beside it. */
    public static Result run(Settings settings, Path file, Path keyring, Consumer<String> progress) {
        long start = System.nanoTime();
        Messages messages = Messages.of(settings);
        Consumer<Localized> said = line -> progress.accept(line.in(messages)); // what restore says on the way, in dangan.locale
        if (!Files.isRegularFile(file)) {
            throw new BackupFailure(BackupFailure.NO_INPUT, Localized.of("backup.file.none", "file", file.toAbsolutePath().toString()));
        }
        if (Backups.LEFTOVER.matcher(file.getFileName().toString()).matches()) {
            // a .pending file is whole, but its keyring may never have been written: never a backup
            throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.leftover", "file", file.toString()));
        }
        Path keyFile = keyring != null ? keyring : file.toAbsolutePath().getParent().resolve(Keyring.FILE_NAME);
        if (!Files.isRegularFile(keyFile)) {
            throw new BackupFailure(BackupFailure.NO_INPUT, Localized.of("backup.file.no-keyring", "file", keyFile.toAbsolutePath().toString()));
        }
        byte[] masterKey = BackupSettings.forRestore(settings).masterKey();
        Sealing sealing = new Sealing(masterKey);
        try (InputStream dataFile = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream keyringFile = new BufferedInputStream(Files.newInputStream(keyFile), 1 << 16)) {
            Dump.Reader data = new Dump.Reader(sealing.decrypt(dataFile, Sealing.Kind.BACKUP, file), file.toString());
            JsonNode header = RestorePreflight.readHeader(data, file, "backup");
            Dump.Reader keys = new Dump.Reader(sealing.decrypt(keyringFile, Sealing.Kind.KEYRING, keyFile), keyFile.toString());
            JsonNode keyHeader = RestorePreflight.readHeader(keys, keyFile, "keyring");
            String version = header.path("schema_version").asText();
            said.accept(Localized.of("backup.restore.opening", "file", file.getFileName().toString(),
                    "made", header.path("created_at").asText(), "version", version, "tables", header.path("tables").size(),
                    "keyring", keyFile.getFileName().toString(), "keyring_made", keyHeader.path("created_at").asText()));
            if (Instant.parse(keyHeader.path("created_at").asText()).isBefore(Instant.parse(header.path("created_at").asText()))) {
                throw new BackupFailure(BackupFailure.NO_INPUT, Localized.of("backup.file.keyring-older", "keyring", keyFile.toString(),
                        "file", file.getFileName().toString()));
            }
            try (ArchiveDatabase db = ArchiveDatabase.open(settings, false)) {
                DataSource ds = db.dataSource();
                Jdbi jdbi = Db.jdbi(ds);
                jdbi.withHandle(RestoreMark::find).ifPresent(left -> progress.accept(messages.text("backup.restore-taking-over",
                        "file", left.file(), "started", RestoreMark.local(left.started(), settings.zone()))));
                RestorePreflight.checkTarget(ds, version);
                // all or nothing: the mark is committed before the schema is made, cleared in the load's transaction
                boolean marked = jdbi.withHandle(h -> RestoreMark.set(h, new RestoreMark.Mark(file.getFileName().toString(), Instant.now())));
                if (!marked) progress.accept(messages.text("backup.restore-unmarked"));
                RestoreSchema schema = new RestoreSchema(ds, version);
                AuditTrail audit = new AuditTrail(ds, dangan.audit.AuditKey.of(masterKey), dangan.i18n.Language.of(settings));
                boolean auditedInLoad = MigrationVersion.fromVersion(version).compareTo(KEYED_AUDIT) >= 0;
                Loaded loaded;
                try {
                    schema.atBackupVersion();
                    FaultPoint.reach("before-load", "restore");
                    loaded = HandleWork.inTransaction(jdbi, TransactionIsolationLevel.READ_COMMITTED, h -> {
                        Loaded done = load(h, header, data, keyHeader, keys, said);
                        FaultPoint.reach("loaded", "restore");
                        if (marked) RestoreMark.clear(h);
                        // the entry commits with the rows: a restore killed right after its commit is audited all the same
                        if (auditedInLoad) audit.record(h, restored(file, header, done));
                        return done;
                    });
                    FaultPoint.reach("committed", "restore");
                } catch (IOException | SQLException | RuntimeException e) {
                    if (marked) clearAfterFailure(jdbi); // a failure seen and told: nothing is loaded; an interruption leaves the mark
                    throw e;
                }
                schema.upToDate();
                String now = Db.jdbi(ds).withHandle(SealedDump::schemaVersion);
                Result result = new Result(file, version, now, header.path("created_at").asText(), loaded.rows, loaded.keys,
                        loaded.destructionsAdded, loaded.customersRemoved, loaded.removedRows,
                        Duration.ofNanos(System.nanoTime() - start));
                if (!auditedInLoad) audit.record(restored(file, header, loaded)); // a backup older than the keyed log: once its schema is new
                return result;
            }
        } catch (IOException e) {
            throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.damaged", "file", file.getFileName().toString(),
                    "keyring", keyFile.getFileName().toString()), e);
        } catch (SQLException | JdbiException e) {
            throw new BackupFailure(BackupFailure.FAILED, Localized.of("backup.restore.database-failed",
                    "detail", FailureText.said(e)), e); // the database's own words stay in the cause, for the log
        }
    }

    /** The audit entry of a restore: which file, made when, how many archives, how many destroyed ones removed again. */
    private static AuditEntry restored(Path file, JsonNode header, Loaded loaded) {
        return AuditEntry.system("restore", "restore", null, Localized.of("audit.backup.restored", "file", file.getFileName().toString(),
                "made", header.path("created_at").asText(), "archives", loaded.rows.getOrDefault(CUSTOMER, 0L),
                "removed", loaded.customersRemoved));
    }

    private static void clearAfterFailure(Jdbi jdbi) {
        try {
            jdbi.useHandle(RestoreMark::clear);
        } catch (RuntimeException e) {
            // the database is gone too: the mark stays, and the service refuses to start until a restore takes over
        }
    }

    private record Loaded(Map<String, Long> rows, long keys, long destructionsAdded, long customersRemoved,
                          Map<String, Long> removedRows) {
    }

    /** The load, in the caller's transaction: tables, then the keyring, then the sequences. */
    private static Loaded load(Handle h, JsonNode header, Dump.Reader data, JsonNode keyHeader, Dump.Reader keys,
                               Consumer<Localized> progress) throws SQLException, IOException {
        Catalog catalog = Catalog.read(h);
        Map<String, Long> rows = RestoreLoad.tables(h, catalog, header, data, progress);
        KeyringRestore.Applied keyring = KeyringRestore.apply(h, catalog, keyHeader, keys);
        RestoreLoad.resetSequences(h, catalog, header.path("sequences"));
        return new Loaded(rows, keyring.keys(), keyring.destructionsAdded(), keyring.customersRemoved(), keyring.removedRows());
    }
}
