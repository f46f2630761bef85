package dangan.intake;

import dangan.i18n.Localized;

import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.faults.FaultPoint;
import dangan.i18n.Messages;
import dangan.privacy.DataKey;
import dangan.privacy.SensitiveFields;
import dangan.rules.RuleException;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.apache.camel.Ordered;
import org.apache.camel.support.SynchronizationAdapter;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The originals of filed files, sealed at rest (issue 10). When a dropped file has been filed and moved to
 * {@code done/<date>/<time>-<name>}, it is replaced there by {@code <time>-<name>.sealed}: Tink's streaming
 * AEAD (AES-256-GCM-HKDF, 64 KiB segments) under a key of its own, wrapped with the key-encryption key
 * like the customers' keys ({@link SensitiveFields#newKey()}) and kept in {@code sealed_original}. Only
 * {@code ingest original ID --by NAME} reads one back (a manager or administrator, audited). After
 * {@code dangan.intake.keep-originals-days} the job {@code originals-shred} destroys the key and removes
 * the file. Files in {@code failed/} are not sealed: they were not filed and wait to be corrected (their
 * folders are owner-only).
 */
public final class SealedOriginals {

    private static final Logger LOG = LoggerFactory.getLogger(SealedOriginals.class);
    private static final byte[] MAGIC = "DGORIGNL".getBytes(StandardCharsets.US_ASCII);
    private static final byte FORMAT = 1;
    private static final int SEGMENT_BYTES = 1 << 16;
    public static final String SUFFIX = ".sealed";

    private final DataSource dataSource;
    private final SensitiveFields sensitive;
    private final Path home;
    private final int keepDays;
    private final AuditTrail audit;
    private final Messages messages;

    public SealedOriginals(DataSource dataSource, SensitiveFields sensitive, AuditTrail audit, Path home, int keepDays, Messages messages) {
        this.dataSource = dataSource;
        this.messages = messages;
        this.audit = audit;
        this.sensitive = sensitive;
        this.home = home.toAbsolutePath();
        this.keepDays = keepDays;
    }

    private Jdbi jdbi() {
        return Db.jdbi(dataSource);
    }

    /**
     * The drop-folder step after a file was handled: once the consumer has moved it to done/ (after the
     * exchange completes), seal it there. A file set aside in failed/ is left as it is.
     */
    public void sealWhenFiled(Exchange exchange) {
        String filedAs = exchange.getMessage().getHeader("DanganFiledAs", String.class);
        String channel = exchange.getMessage().getHeader("DanganChannel", String.class);
        Path inbox = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PARENT, String.class)).toAbsolutePath();
        IngestRun run = exchange.getProperty(SpreadsheetIntake.RUN, IngestRun.class);
        Long ingestId = run == null || run.isDuplicateFile() ? null : run.id();
        exchange.getExchangeExtension().addOnCompletion(new AfterTheMove(inbox, filedAs, channel, ingestId));
    }

    /** Runs after the file consumer's own completion (which moves the file): the lowest order comes last. */
    private final class AfterTheMove extends SynchronizationAdapter implements Ordered {
        private final Path inbox;
        private final String filedAs;
        private final String channel;
        private final Long ingestId;

        AfterTheMove(Path inbox, String filedAs, String channel, Long ingestId) {
            this.inbox = inbox;
            this.filedAs = filedAs;
            this.channel = channel;
            this.ingestId = ingestId;
        }

        @Override
        public void onComplete(Exchange exchange) {
            if (!"done".equals(exchange.getMessage().getHeader("DanganMoveTo", String.class))) return;
            Path filed = inbox.resolve("done").resolve(filedAs);
            FaultPoint.reach("moved", exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class));
            try {
                seal(filed, channel, ingestId);
            } catch (IOException | RuntimeException e) {
                LOG.error(messages.text("log.intake.not-sealed", "file", FileName.shown(filed.getFileName().toString()),
                        "problem", e.getClass().getSimpleName()));
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST;
        }
    }

    /** Seals a filed original in place ({@code <file>.sealed}, 0600), records its wrapped key and removes the clear file. */
    public Path seal(Path file, String channel, Long ingestId) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return null;
        DataKey key = sensitive.newKey();
        Path sealed = file.resolveSibling(file.getFileName() + SUFFIX);
        byte[] header = header(key.id());
        try {
            // creating the sealed file is the claim: whoever creates it seals (this instance's move, the catch-up, another instance)
            Files.createFile(sealed, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException sealing) {
            return null; // being sealed elsewhere, or a crash's remnant the catch-up deals with
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
             OutputStream raw = Files.newOutputStream(sealed, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            raw.write(header);
            try (OutputStream out = aead(key).newEncryptingStream(raw, header)) {
                in.transferTo(out);
            }
        } catch (GeneralSecurityException e) {
            Files.deleteIfExists(sealed);
            throw new IOException("cannot seal: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(sealed);
            throw e;
        }
        long size = Files.size(file);
        jdbi().useHandle(h -> h.createUpdate("""
                        insert into sealed_original (ingest_id, channel, path, key_id, wrapped_key, size_bytes)
                        values (:ingest, :channel, :path, :key, :wrapped, :size)""")
                .bind("ingest", ingestId).bind("channel", channel == null ? "" : channel)
                .bind("path", home.relativize(sealed.toAbsolutePath()).toString())
                .bind("key", key.id()).bind("wrapped", key.wrapped()).bind("size", size).execute());
        Files.delete(file);
        return sealed;
    }

    /**
     * The catch-up after a crash (on start, and before every {@code originals-shred} run): a file in
     * {@code inbox/<channel>/done/<date>/} still in clear was moved there by an instance that died before it
     * sealed it. Each is sealed now, under its ingest when its content matches a filed one on that channel,
     * and named once in the log. A crash while sealing leaves a sealed file that was never recorded (it is
     * removed and the clear file sealed again, once it is older than {@link #REMNANT_AGE}: younger, another
     * instance may be writing it) or a recorded one beside the clear file (the clear file is removed).
     * Returns how many originals were sealed or finished.
     */
    public int catchUp() {
        Path inbox = home.resolve("inbox");
        if (!Files.isDirectory(inbox, LinkOption.NOFOLLOW_LINKS)) return 0;
        List<Path> clear = new ArrayList<>();
        try (Stream<Path> channels = Files.list(inbox)) {
            for (Path channel : channels.filter(c -> Files.isDirectory(c.resolve("done"), LinkOption.NOFOLLOW_LINKS)).toList()) {
                try (Stream<Path> files = Files.walk(channel.resolve("done"), 2)) {
                    files.filter(f -> f.getNameCount() - channel.getNameCount() == 3) // done/<date>/<file>
                            .filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                            .filter(f -> !f.getFileName().toString().endsWith(SUFFIX))
                            .sorted().forEach(clear::add);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.error(messages.text("dropfolder.original.catch-up-failed", "folder", inbox.toString(), "problem", e.getClass().getSimpleName()));
            return 0;
        }
        int done = 0;
        for (Path file : clear) {
            String channel = file.getParent().getParent().getParent().getFileName().toString();
            try {
                if (catchUp(file, channel)) {
                    done++;
                    LOG.warn(messages.text("dropfolder.original.caught-up", "channel", channel,
                            "file", FileName.shown(file.getParent().getFileName() + "/" + file.getFileName())));
                }
            } catch (IOException | RuntimeException e) {
                LOG.error(messages.text("dropfolder.original.catch-up-failed",
                        "folder", FileName.shown(file.toString()), "problem", e.getClass().getSimpleName()));
            }
        }
        return done;
    }

    /** A sealed file younger than this without its row may still be being written by another instance. */
    static final Duration REMNANT_AGE = Duration.ofMinutes(10);

    private boolean catchUp(Path file, String channel) throws IOException {
        Path sealed = file.resolveSibling(file.getFileName() + SUFFIX);
        String relative = home.relativize(sealed.toAbsolutePath()).toString();
        if (Files.exists(sealed, LinkOption.NOFOLLOW_LINKS)) {
            boolean recorded = jdbi().withHandle(h -> h.createQuery("select count(*) from sealed_original where path = :path")
                    .bind("path", relative).mapTo(Long.class).one()) > 0;
            if (recorded) {
                Files.deleteIfExists(file); // sealed and recorded: only the removal of the clear file was missed
                return true;
            }
            if (Files.getLastModifiedTime(sealed, LinkOption.NOFOLLOW_LINKS).toInstant().isAfter(Instant.now().minus(REMNANT_AGE))) {
                return false; // perhaps being written right now; the next catch-up looks again
            }
            Files.delete(sealed); // a remnant of a crash while sealing: never recorded, its key never kept
        }
        String checksum = SpreadsheetIntake.sha256(file);
        Long ingestId = jdbi().withHandle(h -> h.createQuery("""
                        select i.id from ingest i
                        where i.channel = :channel and i.checksum = :checksum and i.status = 'done'
                          and not exists (select 1 from sealed_original o where o.ingest_id = i.id)
                        order by i.id desc limit 1""")
                .bind("channel", channel).bind("checksum", checksum).mapTo(Long.class).findOne().orElse(null));
        return seal(file, channel, ingestId) != null;
    }

    /**
     * Writes the original of ingest {@code ingestId} back in clear, owner-only, to {@code folder} — for a
     * manager or an administrator, audited (who, which ingest, which file).
     *
     * @throws RuleException.NotPermitted {@code by} is no active manager or administrator
     * @throws RuleException.NotFound     the ingest has no sealed original, or it was shredded
     */
    public Path open(long ingestId, String by, Path folder) throws IOException {
        String role = jdbi().withHandle(h -> h.createQuery(
                        "select role from staff_user where name = :by and active and role in ('manager', 'admin')")
                .bind("by", by == null ? "" : by).mapTo(String.class).findOne().orElse(null));
        if (role == null) {
            // the refusal is in the audit log too: who tried to read which original
            audit.record(new AuditEntry(by == null || by.isBlank() ? "unknown" : by, null, "read-original", null, List.of(),
                    null, null, AuditEntry.DENIED, Localized.of("audit.original.refused", "id", ingestId)));
            throw RuleException.notPermitted("dropfolder.original.not-permitted", "by", String.valueOf(by));
        }
        return jdbi().inTransaction(h -> {
            Map<String, Object> row = h.createQuery("""
                            select path, key_id, wrapped_key from sealed_original
                            where ingest_id = :id order by id desc limit 1""")
                    .bind("id", ingestId).mapToMap().findOne()
                    .orElseThrow(() -> RuleException.notFound("dropfolder.original.none", "id", ingestId));
            if (row.get("wrapped_key") == null) {
                throw RuleException.notFound("dropfolder.original.shredded", "id", ingestId);
            }
            Path sealed = home.resolve((String) row.get("path"));
            String name = sealed.getFileName().toString();
            Path target = OwnerOnly.folder(folder).resolve(name.substring(0, name.length() - SUFFIX.length()));
            DataKey key = sensitive.unwrapped((UUID) row.get("key_id"), (byte[]) row.get("wrapped_key"));
            try (InputStream raw = Files.newInputStream(sealed, LinkOption.NOFOLLOW_LINKS)) {
                byte[] header = raw.readNBytes(MAGIC.length + 1 + 16);
                if (!Arrays.equals(header, header(key.id()))) {
                    throw new IOException(sealed + " is not the sealed original of ingest #" + ingestId);
                }
                Files.deleteIfExists(target);
                try (InputStream in = aead(key).newDecryptingStream(raw, header);
                     OutputStream out = Files.newOutputStream(Files.createFile(target,
                             PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))) {
                    in.transferTo(out);
                }
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot open " + sealed + ": " + e.getMessage(), e);
            }
            audit.record(h, new AuditEntry(by, role, "read-original", null, List.of(), null, null,
                    AuditEntry.OK, Localized.of("audit.original.read", "id", ingestId, "file", FileName.shown(target.getFileName().toString()),
                    "target", target.toString())));
            return target;
        });
    }

    /**
     * The job {@code originals-shred}: every original kept longer than {@code dangan.intake.keep-originals-days}
     * loses its key and its file. Returns how many were shredded.
     */
    public int shredExpired() {
        catchUp();
        List<Map<String, Object>> due = jdbi().withHandle(h -> h.createQuery("""
                        select id, path from sealed_original
                        where shredded_at is null and sealed_at < now() - make_interval(days => :days) order by id""")
                .bind("days", keepDays).mapToMap().list());
        for (Map<String, Object> original : due) {
            jdbi().useTransaction(h -> {
                h.createUpdate("""
                                update sealed_original set wrapped_key = null, shredded_at = now(), shredded_why = :why
                                where id = :id""")
                        .bind("why", "kept " + keepDays + " days (dangan.intake.keep-originals-days)")
                        .bind("id", original.get("id")).execute();
                try {
                    Files.deleteIfExists(home.resolve((String) original.get("path")));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot remove " + original.get("path") + ": " + e.getMessage(), e);
                }
            });
        }
        if (!due.isEmpty()) {
            audit.record(AuditEntry.system("originals-shred", "shred-originals", null,
                    Localized.of("audit.original.shredded", "count", due.size(), "days", keepDays)));
        }
        LOG.info(messages.text("log.intake.shredded", "count", due.size(), "days", keepDays));
        return due.size();
    }

    /**
     * What a destruction says about the originals: the sealed originals of these ingests (those the destroyed
     * archive's lines came from) — shredded, or still holding the lines until their keeping period ends
     * (they hold other customers' lines too, so a destruction does not shred them).
     */
    public static List<Map<String, Object>> holding(Handle h, List<Long> ingestIds, Messages said) {
        if (ingestIds.isEmpty()) return List.of();
        return h.createQuery("""
                        select ingest_id, path, shredded_at is not null as shredded, sealed_at::date as sealed_on
                        from sealed_original where ingest_id = any(:ids) order by ingest_id, id""")
                .bindArray("ids", Long.class, ingestIds)
                .map((rs, ctx) -> {
                    Map<String, Object> one = new LinkedHashMap<>();
                    one.put("ingest", rs.getLong("ingest_id"));
                    one.put("file", Path.of(rs.getString("path")).getFileName().toString());
                    one.put("sealed_on", rs.getObject("sealed_on", LocalDate.class).toString());
                    one.put("state", said.text(rs.getBoolean("shredded") ? "records.original.shredded" : "records.original.kept"));
                    return one;
                }).list();
    }

    private static byte[] header(UUID keyId) {
        return ByteBuffer.allocate(MAGIC.length + 1 + 16).put(MAGIC).put(FORMAT)
                .putLong(keyId.getMostSignificantBits()).putLong(keyId.getLeastSignificantBits()).array();
    }

    private static AesGcmHkdfStreaming aead(DataKey key) throws GeneralSecurityException {
        return new AesGcmHkdfStreaming(key.key().getEncoded(), "HmacSha256", 32, SEGMENT_BYTES, 0);
    }
}
