package dangan.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;
import dangan.store.Db;
import dangan.store.ForeignKeyWalk;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import javax.sql.DataSource;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Restores a backup into an EMPTY archive database (the configured one: {@code DANGAN_DB_URL}, or
 * the embedded one of DANGAN_HOME), without starting the service: Flyway creates the schema up to
 * the backup's version, every table is loaded with COPY in one transaction, the keys come from the
 * keyring, customers destroyed since the backup are removed again, sequences move past the
 * restored ids, the manifest's row counts and SHA-256 are checked, and only then is it committed;
 * Flyway then brings the schema up to date. Anything wrong — wrong master key, an altered or
 * truncated file — and nothing is restored.
 */
public final class Restore {

    private static final String CUSTOMER = "customer";

    /** What a restore did. */
    public record Result(Path file, String backupSchema, String schemaNow, String createdAt, Map<String, Long> rows,
                         long keys, long destructionsAdded, long customersRemoved, Map<String, Long> removedRows,
                         Duration took) {

        public String summary() {
            long total = rows.values().stream().mapToLong(Long::longValue).sum();
            return String.format("Restored %s (made %s, schema V%s, now V%s): %,d archive(s), %,d row(s) in %d table(s),"
                            + " %,d customer key(s); %,d destruction record(s) from the keyring added; %,d destroyed"
                            + " customer(s) removed again%s; row counts and SHA-256 verified; %.1f s",
                    file.getFileName(), createdAt, backupSchema, schemaNow, rows.getOrDefault(CUSTOMER, 0L), total, rows.size(),
                    keys, destructionsAdded, customersRemoved, removedRows.isEmpty() ? "" : " " + removedRows,
                    took.toMillis() / 1000.0);
        }
    }

    private Restore() {
    }

    /** Restores {@code file}; {@code keyring} null: the {@code keyring.dgk} beside it. */
    public static Result run(Settings settings, Path file, Path keyring, Consumer<String> progress) {
        long start = System.nanoTime();
        if (!Files.isRegularFile(file)) {
            throw new BackupFailure(BackupFailure.NO_INPUT, "No backup file " + file.toAbsolutePath());
        }
        Path keyFile = keyring != null ? keyring : file.toAbsolutePath().getParent().resolve(Keyring.FILE_NAME);
        if (!Files.isRegularFile(keyFile)) {
            throw new BackupFailure(BackupFailure.NO_INPUT, "No keyring " + keyFile.toAbsolutePath() + ": a restore needs the"
                    + " keyring.dgk written beside the backups (the customers' keys and the destructions since);"
                    + " name it with --keyring PATH");
        }
        Sealing sealing = new Sealing(BackupSettings.forRestore(settings).masterKey());
        try (InputStream dataFile = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream keyringFile = new BufferedInputStream(Files.newInputStream(keyFile), 1 << 16)) {
            Dump.Reader data = new Dump.Reader(sealing.decrypt(dataFile, Sealing.Kind.BACKUP, file), file.toString());
            JsonNode header = readHeader(data, file, "backup");
            Dump.Reader keys = new Dump.Reader(sealing.decrypt(keyringFile, Sealing.Kind.KEYRING, keyFile), keyFile.toString());
            JsonNode keyHeader = readHeader(keys, keyFile, "keyring");
            String version = header.path("schema_version").asText();
            progress.accept(String.format("Backup %s: made %s, schema V%s, %d table(s); keyring %s of %s",
                    file.getFileName(), header.path("created_at").asText(), version, header.path("tables").size(),
                    keyFile.getFileName(), keyHeader.path("created_at").asText()));
            if (Instant.parse(keyHeader.path("created_at").asText()).isBefore(Instant.parse(header.path("created_at").asText()))) {
                progress.accept("Warning: the keyring " + keyFile + " is older than the backup: the keys of customers filed"
                        + " between the two are not in it, and their ID numbers and health data will not be readable."
                        + " Use the newest keyring.dgk (every backup and every destruction rewrites it).");
            }
            try (ArchiveDatabase db = ArchiveDatabase.open(settings, false)) {
                DataSource ds = db.dataSource();
                checkTarget(ds, version);
                Flyway flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
                MigrationVersion known = latestKnown(flyway);
                if (MigrationVersion.fromVersion(version).compareTo(known) > 0) {
                    throw new BackupFailure(BackupFailure.BAD_FILE, "The backup has schema V" + version + " but this Dangan knows"
                            + " migrations up to V" + known.getVersion() + ": restore it with the Dangan version that made it (or newer)");
                }
                Flyway.configure().dataSource(ds).locations("classpath:db/migration").target(version).load().migrate();
                Loaded loaded;
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try {
                        loaded = load(c, header, data, keyHeader, keys, progress);
                        c.commit();
                    } catch (Exception e) {
                        c.rollback();
                        throw e;
                    }
                }
                try {
                    flyway.migrate();
                } catch (RuntimeException e) {
                    throw new BackupFailure(BackupFailure.FAILED, "The backup was restored (schema V" + version + "), but"
                            + " bringing the schema up to date failed: " + e.getMessage() + " — starting the service retries it", e);
                }
                String now;
                try (Connection c = ds.getConnection()) {
                    now = SealedDump.schemaVersion(c);
                }
                Result result = new Result(file, version, now, header.path("created_at").asText(), loaded.rows, loaded.keys,
                        loaded.destructionsAdded, loaded.customersRemoved, loaded.removedRows,
                        Duration.ofNanos(System.nanoTime() - start));
                new AuditTrail(ds).record(AuditEntry.system("restore", "restore", null, String.format(
                        "restored %s (made %s): %,d archive(s); %,d destroyed customer(s) removed again",
                        file.getFileName(), result.createdAt(), loaded.rows.getOrDefault(CUSTOMER, 0L), loaded.customersRemoved)));
                return result;
            }
        } catch (IOException e) {
            throw new BackupFailure(BackupFailure.BAD_FILE, file.getFileName() + " or its keyring " + keyFile.getFileName()
                    + " is damaged: decrypting failed part-way (" + firstLine(e) + "), so it was altered or truncated after it"
                    + " was written. Nothing was restored (the transaction was rolled back); try an older backup.", e);
        } catch (SQLException e) {
            throw new BackupFailure(BackupFailure.FAILED, "Restore failed in the database: " + e.getMessage()
                    + " — nothing was restored (the transaction was rolled back)", e);
        }
    }

    private static JsonNode readHeader(Dump.Reader reader, Path file, String kind) throws IOException {
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

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    /** Refuses a target that holds data, or whose schema is newer than the backup's. */
    private static void checkTarget(DataSource ds, String backupVersion) throws SQLException {
        try (Connection c = ds.getConnection()) {
            Catalog catalog = Catalog.read(c);
            if (catalog.table(Catalog.FLYWAY_HISTORY) != null) {
                String current = SealedDump.schemaVersion(c);
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
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select exists (select 1 from " + Catalog.ident(t.name()) + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) holding.add(t.name());
                }
            }
            if (!holding.isEmpty()) {
                throw new BackupFailure(BackupFailure.TARGET_NOT_EMPTY, "The target database is not empty (rows in "
                        + String.join(", ", holding) + "): restore only goes into an empty archive — point DANGAN_DB_URL"
                        + " at a new database or DANGAN_HOME at an empty folder. Nothing was changed.");
            }
        }
    }

    private static MigrationVersion latestKnown(Flyway flyway) {
        MigrationVersion max = MigrationVersion.EMPTY;
        for (MigrationInfo info : flyway.info().all()) {
            if (info.getVersion() != null && info.getVersion().compareTo(max) > 0) max = info.getVersion();
        }
        return max;
    }

    private record Loaded(Map<String, Long> rows, long keys, long destructionsAdded, long customersRemoved,
                          Map<String, Long> removedRows) {
    }

    private static Loaded load(Connection c, JsonNode header, Dump.Reader data, JsonNode keyHeader, Dump.Reader keys,
                               Consumer<String> progress) throws SQLException, IOException {
        Catalog catalog = Catalog.read(c);
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        Map<String, Long> rows = new LinkedHashMap<>();
        List<String> loading = new ArrayList<>();
        header.path("tables").forEach(t -> loading.add(t.path("name").asText()));
        IndexesAside indexes = IndexesAside.of(c, loading);
        indexes.drop(c);
        for (JsonNode table : header.path("tables")) {
            String name = table.path("name").asText();
            List<String> columns = columns(table);
            Catalog.Table target = catalog.table(name);
            if (target == null || !target.columnNames().containsAll(columns)) {
                throw new BackupFailure(BackupFailure.BAD_FILE, "The backup's table " + name + " " + columns
                        + " does not match the schema Flyway created at the backup's version: "
                        + (target == null ? "no such table" : "columns " + target.columnNames()));
            }
            if (Catalog.SEEDED_BY_MIGRATIONS.contains(name)) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("delete from " + Catalog.ident(name)); // the migration's seed; the backup has the real rows
                }
            }
            long t0 = System.nanoTime();
            data.startTable(name);
            long n = copy.copyIn(Dump.copyIn(name, columns), data.rows(), 1 << 16);
            long recorded = data.endTable();
            if (n != recorded) {
                throw new BackupFailure(BackupFailure.BAD_FILE, "Table " + name + ": " + n + " row(s) loaded but the backup"
                        + " recorded " + recorded);
            }
            rows.put(name, n);
            if (n > 0) progress.accept(String.format("  %-28s %,12d row(s)  %.1f s", name, n, (System.nanoTime() - t0) / 1e9));
        }
        JsonNode trailer = data.finish();
        for (Map.Entry<String, Long> e : rows.entrySet()) {
            if (trailer.path("rows").path(e.getKey()).asLong(-1) != e.getValue()) {
                throw new BackupFailure(BackupFailure.BAD_FILE, "Table " + e.getKey() + ": " + e.getValue() + " row(s) loaded,"
                        + " the manifest says " + trailer.path("rows").path(e.getKey()));
            }
        }
        long t0 = System.nanoTime();
        indexes.restore(c);
        progress.accept(String.format("  keys, indexes and foreign keys rebuilt and checked in %.1f s", (System.nanoTime() - t0) / 1e9));

        // The keyring: into temporary tables first, then only what belongs to the restored archive.
        Map<String, List<String>> staged = new LinkedHashMap<>();
        for (JsonNode table : keyHeader.path("tables")) {
            String name = table.path("name").asText();
            List<String> columns = columns(table);
            String temp = "keyring_" + name;
            try (Statement s = c.createStatement()) {
                s.execute("create temporary table " + Catalog.ident(temp) + " ("
                        + String.join(", ", columns.stream().map(col -> Catalog.ident(col) + " text").toList())
                        + ") on commit drop");
            }
            keys.startTable(name);
            long n = copy.copyIn(Dump.copyIn(temp, columns), keys.rows(), 1 << 16);
            if (n != keys.endTable()) throw new BackupFailure(BackupFailure.BAD_FILE, "The keyring's " + name + " is damaged");
            staged.put(name, columns);
        }
        keys.finish();
        long destructionsAdded = insertStaged(c, catalog, "destruction_record", staged);
        Map<String, Long> removedRows = new LinkedHashMap<>();
        long customersRemoved = removeDestroyed(c, removedRows);
        long keyRows = insertStaged(c, catalog, "customer_key", staged);
        resetSequences(c, catalog, header.path("sequences"));
        return new Loaded(rows, keyRows, destructionsAdded, customersRemoved, removedRows);
    }

    private static List<String> columns(JsonNode table) {
        List<String> columns = new ArrayList<>();
        table.path("columns").forEach(col -> columns.add(col.asText()));
        return columns;
    }

    /**
     * Inserts the keyring's rows of {@code table} that the restored archive lacks (by primary key)
     * and whose parents it holds (by every foreign key): keys of customers created after the
     * backup, or destroyed, are left out. Values are cast from COPY text to the column's type.
     */
    private static long insertStaged(Connection c, Catalog catalog, String table, Map<String, List<String>> staged)
            throws SQLException {
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
        try (Statement st = c.createStatement()) {
            return st.executeUpdate(sql.toString());
        }
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
    private static long removeDestroyed(Connection c, Map<String, Long> removed) {
        String destroyed = "archive_no in (select archive_no from destruction_record)";
        try (Handle h = Db.attach(c)) {
            long n = h.createQuery("select count(*) from customer where " + destroyed).mapTo(Long.class).one();
            if (n > 0) removed.putAll(ForeignKeyWalk.from(h, CUSTOMER).delete(h, destroyed, Map.of()));
            return n;
        }
    }

    /** Every sequence past the highest id restored and at least where it stood at backup time. */
    private static void resetSequences(Connection c, Catalog catalog, JsonNode recorded) throws SQLException {
        for (Catalog.Sequence seq : catalog.sequences()) {
            Long value = recorded.hasNonNull(seq.name()) ? recorded.get(seq.name()).asLong() : null;
            if (seq.ownerTable() != null && seq.ownerColumn() != null) {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select max(" + Catalog.ident(seq.ownerColumn()) + ")::bigint from "
                             + Catalog.ident(seq.ownerTable()))) {
                    rs.next();
                    long max = rs.getLong(1);
                    if (!rs.wasNull() && (value == null || max > value)) value = max;
                }
            }
            if (value == null) continue;
            try (PreparedStatement ps = c.prepareStatement("select setval(?::regclass, ?, true)")) {
                ps.setString(1, Catalog.ident(seq.name()));
                ps.setLong(2, value);
                ps.execute();
            }
        }
    }
}
