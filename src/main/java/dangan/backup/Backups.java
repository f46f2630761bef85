package dangan.backup;

import dangan.faults.FaultPoint;
import dangan.i18n.FailureText;
import dangan.i18n.Localized;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The backup job (D-29; route {@code job-backup}, command {@code backup}): the whole archive as
 * one consistent snapshot into {@code <folder>/dangan-<yyyyMMdd-HHmmss>.dgb}, sealed; then the
 * keyring rewritten; then only the newest {@code dangan.backup.keep} backups kept.
 */
public final class Backups {

    private static final Logger LOG = LoggerFactory.getLogger(Backups.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    static final Pattern BACKUP_NAME = Pattern.compile("dangan-(\\d{8}-\\d{6})(?:-(\\d+))?\\.dgb");

    /** What one backup wrote. */
    public record Result(Path file, long bytes, Map<String, Long> rows, String sha256, String schemaVersion,
                         Keyring.Written keyring, List<Path> removed, Duration took) {

        public long rows(String table) {
            return rows.getOrDefault(table, 0L);
        }

        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }

        public String summary(dangan.i18n.Messages messages) {
            return messages.text("log.backup.made", "file", String.valueOf(file), "size", size(bytes), "schema", String.valueOf(schemaVersion),
                    "archives", rows("customer"), "rows", totalRows(), "tables", rows.size(), "keys", keyring.keys(),
                    "destructions", keyring.destructions(), "removed", removed.size(), "seconds", took.toMillis() / 1000.0);
        }
    }

    /** Numbers this process's backups: two at once (a blocked firing overlapping the next) never share a temporary file. */
    private static final AtomicLong RUNS = new AtomicLong();

    private final DataSource dataSource;
    private final BackupSettings settings;
    private final int segmentBytes;
    private final Clock clock;

    public Backups(DataSource dataSource, BackupSettings settings) {
        this(dataSource, settings, Sealing.SEGMENT_BYTES);
    }

    Backups(DataSource dataSource, BackupSettings settings, int segmentBytes) {
        this(dataSource, settings, segmentBytes, Clock.system(settings.zone()));
    }

    /** With the clock the backup's name is taken from (a test's fixed clock: two backups in the same second). */
    Backups(DataSource dataSource, BackupSettings settings, int segmentBytes, Clock clock) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.segmentBytes = segmentBytes;
        this.clock = clock;
    }

    /** Makes one backup now; throws (and leaves no partial file) when it cannot. */
    public Result run() throws IOException, SQLException {
        long start = System.nanoTime();
        try {
            removeLeftovers(settings.folder(), settings.messages());
        } catch (IOException e) {
            throw cannotWrite(e); // the folder cannot be listed: said as a backup failure naming it
        }
        String stamp = ZonedDateTime.now(clock.withZone(settings.zone())).format(STAMP);
        // written whole under a hidden name first, renamed into place only once the keyring is rewritten:
        // a kill in between leaves no backup that restore would take without the keys of its customers
        Path pending = settings.folder().resolve(".dangan-" + stamp + ".dgb." + ProcessHandle.current().pid() + "."
                + RUNS.incrementAndGet() + ".pending");
        Path file;
        SealedDump.Written written;
        Keyring.Written keyring;
        try {
            written = HandleWork.snapshot(dataSource, h -> {
                Catalog catalog = Catalog.read(h);
                return SealedDump.write(h, catalog, catalog.dataTables(), new Sealing(settings.masterKey(), segmentBytes),
                        Sealing.Kind.BACKUP, pending, false);
            });
            // After the data: the keyring's snapshot is as new or newer, so it has the key of every customer in the backup.
            keyring = Keyring.rewrite(dataSource, settings.folder(), settings.masterKey());
            FaultPoint.reach("renaming", "backup");
            file = moveToFreeName(pending, settings.folder(), stamp);
            FaultPoint.reach("renamed", "backup");
        } catch (IOException | IllegalStateException e) {
            throw cannotWrite(e);
        } finally {
            try {
                Files.deleteIfExists(pending);
            } catch (IOException e) { // e.g. no folder to hold it: the failure that stopped the backup is the one to tell
                LOG.debug(e.toString(), e);
            }
        }
        List<Path> removed = prune();
        Result result = new Result(file, written.bytes(), written.rows(), written.sha256(), written.schemaVersion(),
                keyring, removed, Duration.ofNanos(System.nanoTime() - start));
        new AuditTrail(dataSource, dangan.audit.AuditKey.of(settings.masterKey()), settings.messages().language())
                .record(AuditEntry.system("backup", "export", null, Localized.of("audit.backup.made", "file", file.getFileName().toString(),
                        "archives", result.rows("customer"), "rows", result.totalRows(), "sha256", result.sha256())));
        LOG.info(result.summary(settings.messages()));
        for (Path old : removed) LOG.info(settings.messages().text("log.backup.removed", "file", old.getFileName().toString(), "keep", settings.keep()));
        return result;
    }

    /**
     * A file of the backup folder that could not be written (the dump, the keyring, the rename): the
     * error names the folder, in the service's language — a full disk as such, with the space left.
     * The partial files are removed by then (SealedDump's and run's {@code finally}). Anything not
     * about a file goes on as it is.
     */
    private RuntimeException cannotWrite(Exception e) {
        IOException io = null;
        for (Throwable t = e; t != null && io == null; t = t.getCause()) {
            if (t instanceof IOException found) io = found;
        }
        if (io == null) return e instanceof RuntimeException r ? r : new IllegalStateException(e);
        Path folder = settings.folder();
        long free = usableSpace(folder);
        String reason = RestorePreflight.firstLine(io);
        LOG.debug(e.toString(), e); // the library's words, for an operator; a person reads the kind
        if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
            return new BackupFailure(BackupFailure.FAILED, Localized.of("backup.disk-full", "folder", folder.toString(),
                    "free", free < 0 ? "?" : size(free)), e);
        }
        return new BackupFailure(BackupFailure.FAILED, Localized.of("backup.write-failed", "folder", folder.toString(),
                "reason", FailureText.said(io)), e);
    }

    private static long usableSpace(Path folder) {
        try {
            return Files.getFileStore(folder).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** What a backup or keyring killed while writing leaves: {@code .<name>.<pid>[.<thread>].part} or {@code .pending}. */
    static final Pattern LEFTOVER = Pattern.compile("\\..+?\\.(\\d+)(?:\\.\\d+)?\\.(?:part|pending)");

    /**
     * Deletes the partial and pending files of backups and keyrings whose process is gone (killed while
     * writing): they are never restored (restore takes only whole, renamed files), but they fill the disk.
     */
    static List<Path> removeLeftovers(Path folder, dangan.i18n.Messages messages) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(folder)) return removed;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.toList()) {
                Matcher m = LEFTOVER.matcher(p.getFileName().toString());
                if (!m.matches()) continue;
                long pid = Long.parseLong(m.group(1));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue; // being written now
                Files.deleteIfExists(p);
                removed.add(p);
                LOG.info(messages.text("log.backup.removed-partial", "file", p.getFileName().toString(), "pid", String.valueOf(pid)));
            }
        }
        return removed;
    }

    /** Deletes all but the newest {@code keep} backups of the folder; the keyring is never touched. */
    List<Path> prune() throws IOException {
        List<Path> backups = list(settings.folder());
        List<Path> removed = new ArrayList<>();
        for (int i = settings.keep(); i < backups.size(); i++) {
            Files.deleteIfExists(backups.get(i));
            removed.add(backups.get(i));
        }
        return removed;
    }

    /** The backups in a folder, newest first (by the time in their name). */
    public static List<Path> list(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> Files.isRegularFile(p) && BACKUP_NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(Backups::sortKey).reversed())
                    .toList();
        }
    }

    private static String sortKey(Path p) {
        Matcher m = BACKUP_NAME.matcher(p.getFileName().toString());
        m.matches();
        return m.group(1) + String.format("%06d", m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    /**
     * Gives the whole backup its name: {@code dangan-<stamp>.dgb}, or {@code -2}, {@code -3} … when another backup of
     * the same second has it. The name is taken by a hard link, which never replaces a file (a rename would: two
     * backups of one second, in one process or two, would leave one file); where the file system has no links, by a
     * rename after a look, under this process's lock.
     */
    private static Path moveToFreeName(Path pending, Path folder, String stamp) throws IOException {
        for (int n = 1; ; n++) {
            Path file = folder.resolve("dangan-" + stamp + (n == 1 ? "" : "-" + n) + ".dgb");
            try {
                Files.createLink(file, pending);
                Files.delete(pending);
                return file;
            } catch (FileAlreadyExistsException taken) {
                // another backup of this second has the name: the next one
            } catch (UnsupportedOperationException | FileSystemException noLinks) {
                synchronized (RUNS) {
                    if (Files.exists(file)) continue;
                    Files.move(pending, file, StandardCopyOption.ATOMIC_MOVE);
                    return file;
                }
            }
        }
    }

    public static String size(long bytes) {
        if (bytes < 1024 * 1024) return String.format("%,d B", bytes);
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
