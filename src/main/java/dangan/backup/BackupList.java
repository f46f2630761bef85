package dangan.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.config.Settings;
import dangan.i18n.FailureText;
import dangan.i18n.Localized;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dangan.store.ArchiveDatabase;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code backup list} shows: every backup in the backup folder (and every file a cut-off backup left), newest
 * first, with its size, when it was made and at which schema, the keyring a restore of it would take
 * ({@code keyring.dgk} beside it), and whether {@code restore FILE} would accept the pair — the checks a restore makes
 * before it touches a database, reading only the files' headers: not a leftover, both decrypt under this master key
 * and are what they say, the keyring not older than the backup, the schema one this version of Dangan knows. Whether
 * every row is intact (counts, SHA-256) only the restore itself can tell: it reads the whole file.
 */
public final class BackupList {

    private static final Logger LOG = LoggerFactory.getLogger(BackupList.class);

    /** One file of the backup folder; {@code refusal} null when restore would accept it. */
    public record Entry(Path file, long bytes, Instant made, String schemaVersion, int tables, Path keyring,
                        Instant keyringMade, Localized refusal) {

        public boolean restorable() {
            return refusal == null;
        }
    }

    /** The folder's keyring as a restore would read it: when it was made, or why it cannot be used. */
    private record KeyringState(Path file, Instant made, Localized refusal) {
    }

    private BackupList() {
    }

    /** The backup folder of these settings, listed. Fails (exit 66) without a master key: nothing could be checked. */
    public static List<Entry> of(Settings settings) throws IOException {
        BackupSettings backup = BackupSettings.forRestore(settings); // never generates a master key
        Sealing sealing = new Sealing(backup.masterKey());
        Integer known = ArchiveDatabase.newestMigration();
        KeyringState keyring = keyring(sealing, backup.keyring());
        List<Entry> entries = new ArrayList<>();
        for (Path file : Backups.list(backup.folder())) entries.add(entry(sealing, file, keyring, known));
        for (Path file : leftovers(backup.folder())) {
            entries.add(new Entry(file, Files.size(file), null, null, 0, keyring.file(), keyring.made(),
                    Localized.of("cli.backup.list.leftover")));
        }
        return entries;
    }

    private static Entry entry(Sealing sealing, Path file, KeyringState keyring, Integer known) throws IOException {
        long bytes = Files.size(file);
        JsonNode header;
        try {
            header = header(sealing, file, Sealing.Kind.BACKUP, "backup");
        } catch (BackupFailure e) {
            return new Entry(file, bytes, null, null, 0, keyring.file(), keyring.made(),
                    Localized.of("cli.backup.list.unreadable", "problem", problem(e)));
        }
        Instant made = Instant.parse(header.path("created_at").asText());
        String schema = header.path("schema_version").asText();
        Localized refusal = keyring.refusal();
        if (refusal == null && keyring.made().isBefore(made)) {
            refusal = Localized.of("cli.backup.list.keyring-older", "keyring", keyring.file().getFileName().toString(),
                    "made", keyring.made().toString());
        }
        if (refusal == null && known != null && schema.matches("\\d+") && Integer.parseInt(schema) > known) {
            refusal = Localized.of("cli.backup.list.newer", "schema", schema, "known", known);
        }
        return new Entry(file, bytes, made, schema, header.path("tables").size(), keyring.file(), keyring.made(), refusal);
    }

    private static KeyringState keyring(Sealing sealing, Path file) {
        if (!Files.isRegularFile(file)) {
            return new KeyringState(file, null, Localized.of("cli.backup.list.no-keyring", "keyring", file.getFileName().toString()));
        }
        try {
            JsonNode header = header(sealing, file, Sealing.Kind.KEYRING, "keyring");
            return new KeyringState(file, Instant.parse(header.path("created_at").asText()), null);
        } catch (BackupFailure | IOException e) {
            return new KeyringState(file, null, Localized.of("cli.backup.list.keyring-unreadable", "keyring",
                    file.getFileName().toString(), "problem", problem(e)));
        }
    }

    /** The header of a backup or keyring, as the restore's preflight reads it (only the first segment is decrypted). */
    private static JsonNode header(Sealing sealing, Path file, Sealing.Kind kind, String what) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return RestorePreflight.readHeader(new Dump.Reader(sealing.decrypt(in, kind, file), file.toString()), file, what);
        }
    }

    /**
     * What went wrong, as restore would say it (cannot decrypt under this master key, not a backup, …) or the kind of
     * failure reading it; the library's own words go to the log at debug.
     */
    private static Localized problem(Exception e) {
        LOG.debug(e.toString(), e);
        return FailureText.said(e);
    }

    private static List<Path> leftovers(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> Files.isRegularFile(p) && Backups.LEFTOVER.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }
}
