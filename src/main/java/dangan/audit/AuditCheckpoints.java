package dangan.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checkpoints of the audit chain's head kept outside the database (issue 10): the job
 * {@code audit-checkpoint} writes the head's id and hash to the log and appends them to
 * {@code DANGAN_HOME/audit/checkpoints.log} (owner-only). Someone who owns the database can cut
 * entries off the end of the chain and move the head back consistently; {@code audit verify}
 * compares the chain with every checkpoint and names what is missing or different.
 */
public final class AuditCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(AuditCheckpoints.class);
    private static final HexFormat HEX = HexFormat.of();

    /** The head of the chain: the last entry's id and hash. */
    public record Head(long lastId, byte[] lastHash) {
    }

    /** One line of the file: when, which entry, its hash. */
    public record Checkpoint(Instant at, long id, byte[] hash) {
    }

    private final Path file;
    private final AuditTrail trail;
    private long lastWritten = -1;

    /** The checkpoints of {@code trail} in {@code file}; {@code trail} may be null to read them only. */
    public AuditCheckpoints(Path file, AuditTrail trail) {
        this.file = file;
        this.trail = trail;
    }

    /** {@code DANGAN_HOME/audit/checkpoints.log}. */
    public static Path file(Path home) {
        return home.resolve("audit").resolve("checkpoints.log");
    }

    /** The job: logs the head and appends it to the file unless it is the one written last. */
    public Checkpoint write() throws IOException {
        Head head = trail.head();
        Checkpoint c = new Checkpoint(Instant.now().truncatedTo(ChronoUnit.SECONDS), head.lastId(), head.lastHash());
        LOG.info(trail.messages().text("log.audit.checkpoint", "entry", String.valueOf(c.id()), "hash", HEX.formatHex(c.hash())));
        if (c.id() == lastWritten) return c;
        Path folder = file.getParent();
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, c.at() + " " + c.id() + " " + HEX.formatHex(c.hash()) + "\n", StandardCharsets.US_ASCII,
                StandardOpenOption.APPEND);
        lastWritten = c.id();
        return c;
    }

    /** Every checkpoint in the file, oldest first; none when there is no file. A damaged line is named. */
    public List<Checkpoint> read() throws IOException {
        List<Checkpoint> all = new ArrayList<>();
        if (!Files.exists(file)) return all;
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            n++;
            if (line.isBlank()) continue;
            String[] parts = line.strip().split(" ");
            try {
                all.add(new Checkpoint(Instant.parse(parts[0]), Long.parseLong(parts[1]), HEX.parseHex(parts[2])));
            } catch (RuntimeException e) {
                throw new IOException(file + " line " + n + " is not a checkpoint (expected: instant, entry id, hash in hex)");
            }
        }
        return all;
    }
}
