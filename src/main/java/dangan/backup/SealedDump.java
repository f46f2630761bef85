package dangan.backup;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes tables of the archive, as one consistent snapshot, into a sealed file: first under a
 * hidden temporary name in the same folder, flushed to disk, then renamed — a file with the final
 * name is always complete.
 */
final class SealedDump {

    record Written(Path file, long bytes, Map<String, Long> rows, String sha256, String schemaVersion) {
    }

    private SealedDump() {
    }

    /**
     * Dumps {@code tables} as the handle's transaction sees them; the caller has begun a
     * repeatable-read, read-only transaction ({@link HandleWork#snapshot}) so that every table is read from one snapshot.
     */
    static Written write(Handle h, Catalog catalog, List<Catalog.Table> tables, Sealing sealing, Sealing.Kind kind,
                         Path target, boolean replace) throws IOException, SQLException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = folder.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".part");
        String schema = schemaVersion(h);
        Dump.Writer writer;
        Written written;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ownerOnly(temp);
                OutputStream file = new BufferedOutputStream(keepOpen(Channels.newOutputStream(channel)), 1 << 16);
                OutputStream sealed = sealing.encrypt(file, kind);
                writer = new Dump.Writer(sealed);
                writer.header(header(h, tables, kind, schema));
                CopyManager copy = h.getConnection().unwrap(PGConnection.class).getCopyAPI();
                for (Catalog.Table t : tables) {
                    writer.table(copy, t);
                }
                String sha = writer.finish();
                sealed.close(); // writes the last segment; closes the file stream, not yet the channel
                channel.force(true);
                written = new Written(target, Files.size(temp), writer.rows(), sha, schema);
            }
            if (replace) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                if (Files.exists(target)) throw new FileAlreadyExistsException(target.toString());
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return written;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static ObjectNode header(Handle h, List<Catalog.Table> tables, Sealing.Kind kind, String schema) {
        ObjectNode header = Dump.JSON.createObjectNode();
        header.put("format", Sealing.FORMAT);
        header.put("kind", kind.name().toLowerCase());
        header.put("created_at", Instant.now().toString());
        header.put("schema_version", schema);
        ArrayNode list = header.putArray("tables");
        for (Catalog.Table t : tables) {
            ObjectNode node = list.addObject();
            node.put("name", t.name());
            ArrayNode cols = node.putArray("columns");
            t.columnNames().forEach(cols::add);
        }
        if (kind == Sealing.Kind.BACKUP) {
            ObjectNode seqs = header.putObject("sequences");
            h.createQuery("select sequencename::text as name, last_value from pg_sequences where schemaname = 'public' order by 1")
                    .map((rs, ctx) -> Map.entry(rs.getString("name"), Optional.ofNullable(rs.getObject("last_value", Long.class))))
                    .forEach(e -> e.getValue().ifPresentOrElse(v -> seqs.put(e.getKey(), v), () -> seqs.putNull(e.getKey())));
        }
        return header;
    }

    /** The schema version Flyway has applied (the highest successful versioned migration). */
    static String schemaVersion(Handle h) {
        return h.createQuery("select version from " + Catalog.FLYWAY_HISTORY + " where success and version is not null")
                .mapTo(String.class)
                .stream()
                .map(MigrationVersion::fromVersion)
                .max(MigrationVersion::compareTo)
                .orElseThrow(() -> new IllegalStateException("The archive database has no Flyway schema history: nothing to back up"))
                .getVersion();
    }

    /** Closing the encrypting stream must not close the channel: it is forced to disk after. */
    private static OutputStream keepOpen(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    private static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the file is encrypted either way
        }
    }
}
