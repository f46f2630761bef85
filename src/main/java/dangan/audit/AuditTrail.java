package dangan.audit;

import dangan.i18n.Language;
import dangan.i18n.Localized;
import dangan.i18n.Messages;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;

import javax.sql.DataSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The append-only, hash-chained audit log (D-26, D-27). Each entry's hash covers its content and
 * the hash of the entry before; ids run without gaps. Appending locks the chain's head row, so
 * concurrent writers (several instances too) chain in one order. The hash is an HMAC under the
 * {@link AuditKey} (entries from before the keyed chain: plain SHA-256, up to the cut-over marker
 * {@value #CUT_OVER}). This class is the one place the chain is computed.
 */
public final class AuditTrail {

    /** The action of the entry that starts the keyed chain on a log that had unkeyed entries. */
    public static final String CUT_OVER = "audit-chain-keyed";

    private static final String HEAD = "select last_id, last_hash, keyed from audit_head for update";
    private static final String INSERT = """
            insert into audit_log (id, at, actor, role, action, archive_no, categories, purpose, grant_id, outcome,
                                   detail, prev_hash, hash, keyed)
            values (:id, :at, :actor, :role, :action, :archiveNo, :categories, :purpose, :grantId, :outcome,
                    :detail, :prevHash, :hash, true)""";
    private static final String MOVE_HEAD = "update audit_head set last_id = :id, last_hash = :hash, keyed = true";

    /** Most entries one group commit takes: a transaction of bounded size however many wait. */
    private static final int MAX_BATCH = 256;

    private final Jdbi jdbi;
    private final AuditKey key;
    /** The language entries' details are written in ({@code dangan.locale}). */
    private final Messages messages;
    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final ReentrantLock committing = new ReentrantLock();

    /** A trail whose entries are written in Simplified Chinese (the default language). */
    public AuditTrail(DataSource dataSource, AuditKey key) {
        this(dataSource, key, Language.ZH);
    }

    /** A trail whose entries' details are written in {@code language}. */
    public AuditTrail(DataSource dataSource, AuditKey key, Language language) {
        this.jdbi = Db.jdbi(dataSource);
        this.key = key;
        this.messages = Messages.of(language);
    }

    /** The trail of the configured master key (see {@link AuditKey#configured}), in the configured language. */
    public static AuditTrail configured(dangan.config.Settings settings, DataSource dataSource) {
        return new AuditTrail(dataSource, AuditKey.configured(settings), Language.of(settings));
    }

    /**
     * The messages of the language this trail writes in: for the change register's reasons written with an entry,
     * so the register and the log say the same in one language.
     */
    public Messages messages() {
        return messages;
    }

    /** Appends in the caller's transaction: the entry commits with the change it describes, or not at all. */
    public long record(Handle h, AuditEntry e) {
        return record(h, List.of(e)).get(0);
    }

    /**
     * Appends the entries in this order in the caller's transaction, the head locked and moved once and
     * the rows sent in one batch, so a group commit's round trips do not grow with its size. Their ids.
     */
    private List<Long> record(Handle h, List<AuditEntry> entries) {
        Head head = lockHead(h);
        byte[] lastHash = head.keyed() ? head.lastHash() : cutOver(h, head);
        long id = head.lastId() + (head.keyed() ? 1 : 2);
        List<Long> ids = new ArrayList<>(entries.size());
        PreparedBatch rows = h.prepareBatch(INSERT);
        for (AuditEntry e : entries) {
            lastHash = add(rows, id, e, lastHash);
            ids.add(id++);
        }
        rows.execute();
        h.createUpdate(MOVE_HEAD).bind("id", id - 1).bind("hash", lastHash).execute();
        return ids;
    }

    private record Head(long lastId, byte[] lastHash, boolean keyed) {
    }

    private static Head lockHead(Handle h) {
        return h.createQuery(HEAD)
                .map((rs, ctx) -> new Head(rs.getLong("last_id"), rs.getBytes("last_hash"), rs.getBoolean("keyed")))
                .findOne().orElseThrow(() -> new IllegalStateException(
                        "audit_head has no row: the audit trail is damaged (see migration V13)"));
    }

    /** The first entry of the keyed chain on a log that had unkeyed entries: keyed, linked to the last unkeyed one. */
    private byte[] cutOver(Handle h, Head head) {
        return append(h, head.lastId() + 1, AuditEntry.system("audit", CUT_OVER, null, Localized.of("audit.chain.cut-over",
                "last", head.lastId(), "first", head.lastId() + 1)), head.lastHash());
    }

    /** Writes entry {@code id} after {@code prevHash} and moves the head to it; returns its hash. */
    private byte[] append(Handle h, long id, AuditEntry e, byte[] prevHash) {
        PreparedBatch row = h.prepareBatch(INSERT);
        byte[] hash = add(row, id, e, prevHash);
        row.execute();
        h.createUpdate(MOVE_HEAD).bind("id", id).bind("hash", hash).execute();
        return hash;
    }

    /** Adds entry {@code id} after {@code prevHash} to the batch of rows; returns its hash. */
    private byte[] add(PreparedBatch rows, long id, AuditEntry e, byte[] prevHash) {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String categories = e.categories().isEmpty() ? null : String.join(",", e.categories());
        String detail = e.detail() == null ? null : e.detail().in(messages);
        Stored stored = new Stored(id, at, e.actor(), e.role(), e.action(), e.archiveNo(), categories, e.purpose(),
                e.grantId(), e.outcome(), detail, prevHash, true);
        byte[] hash = stored.hash(key);
        rows.bind("id", id).bind("at", at).bind("actor", e.actor()).bind("role", e.role())
                .bind("action", e.action()).bind("archiveNo", e.archiveNo()).bind("categories", categories)
                .bind("purpose", e.purpose()).bind("grantId", e.grantId()).bind("outcome", e.outcome())
                .bind("detail", detail).bind("prevHash", prevHash).bind("hash", hash)
                .add();
        return hash;
    }

    /**
     * Starts the keyed chain now (the cut-over marker) when the log still ends in unkeyed entries;
     * nothing otherwise. The service does it at start, so {@code audit verify} finds a keyed head.
     */
    public void cutOver() {
        jdbi.useTransaction(h -> {
            Head head = lockHead(h);
            if (!head.keyed()) cutOver(h, head);
        });
    }

    /** Checks the chain with this trail's key (see {@link AuditVerification}). */
    public AuditVerification.Result verify() {
        return verify(null);
    }

    /** As {@link #verify()}, also against the checkpoints written to {@code checkpoints} (see {@link AuditCheckpoints}). */
    public AuditVerification.Result verify(AuditCheckpoints checkpoints) {
        return new AuditVerification(jdbi, key).verify(checkpoints);
    }

    /** The head as it is now: the last entry's id and hash. */
    public AuditCheckpoints.Head head() {
        return jdbi.withHandle(h -> h.createQuery("select last_id, last_hash from audit_head")
                .map((rs, ctx) -> new AuditCheckpoints.Head(rs.getLong("last_id"), rs.getBytes("last_hash"))).one());
    }

    /**
     * Appends in a transaction of its own (a read, a denied attempt), even when called inside another
     * transaction: a denial is audited although the work it denied rolls back. Returns once the entry
     * is committed — durable — so an answer that waits for it never leaves unaudited.
     * <p>
     * Group commit: entries of threads that arrive while another batch is being committed wait, and
     * the next one of them commits them all in one transaction (the chain extended in arrival order by
     * the same code as a single entry's, the head locked and moved once, the rows sent in one batch), so
     * many concurrent reads cost one commit and a few round trips, not one commit each. Should the batch fail, each of its entries is tried again alone, so an entry that
     * cannot be written fails only its own caller.
     */
    public long record(AuditEntry e) {
        Pending mine = new Pending(e);
        waiting.add(mine);
        committing.lock();
        try {
            while (!mine.done) commitWaiting(); // more than MAX_BATCH ahead of it: the next batch
            if (mine.failure != null) throw mine.failure;
            return mine.id;
        } finally {
            committing.unlock();
        }
    }

    /** Commits what is waiting (this thread's entry among it) in one transaction; holds {@code committing}. */
    private void commitWaiting() {
        List<Pending> batch = new ArrayList<>();
        for (Pending p = waiting.poll(); p != null; p = batch.size() < MAX_BATCH ? waiting.poll() : null) batch.add(p);
        try (Handle h = jdbi.open()) {
            h.useTransaction(t -> {
                List<Long> ids = record(t, batch.stream().map(p -> p.entry).toList());
                for (int i = 0; i < batch.size(); i++) batch.get(i).id = ids.get(i);
            });
            for (Pending p : batch) p.done = true;
        } catch (RuntimeException ex) {
            if (batch.size() == 1) {
                batch.get(0).fail(ex);
                return;
            }
            for (Pending p : batch) {
                try (Handle h = jdbi.open()) {
                    p.id = h.inTransaction(t -> record(t, p.entry));
                    p.done = true;
                } catch (RuntimeException alone) {
                    p.fail(alone);
                }
            }
        }
    }

    /** An entry waiting for its group commit; written and read under {@code committing}. */
    private static final class Pending {
        final AuditEntry entry;
        long id;
        boolean done;
        RuntimeException failure;

        Pending(AuditEntry entry) {
            this.entry = entry;
        }

        void fail(RuntimeException ex) {
            failure = ex instanceof JdbiException ? new IllegalStateException("Cannot write the audit log: " + ex.getMessage(), ex) : ex;
            done = true;
        }
    }


    /** An entry as stored; its hash is what the chain is made of. */
    record Stored(long id, Instant at, String actor, String role, String action, String archiveNo, String categories,
                  String purpose, Long grantId, String outcome, String detail, byte[] prevHash, boolean keyed) {

        static Stored from(ResultSet rs) throws SQLException {
            return new Stored(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                    rs.getString("role"), rs.getString("action"), rs.getString("archive_no"), rs.getString("categories"),
                    rs.getString("purpose"), (Long) rs.getObject("grant_id"), rs.getString("outcome"),
                    rs.getString("detail"), rs.getBytes("prev_hash"), rs.getBoolean("keyed"));
        }

        /**
         * The entry's hash: HMAC-SHA-256 under {@code key} when keyed, else (entries from before the keyed
         * chain) SHA-256; over every field, each length-prefixed so no two contents hash alike by shifting text.
         */
        byte[] hash(AuditKey key) {
            if (keyed) {
                javax.crypto.Mac mac = key.mac();
                feed(mac::update);
                return mac.doFinal();
            }
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                feed(sha::update);
                return sha.digest();
            } catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException("SHA-256 unavailable", ex);
            }
        }

        /** Every field in a fixed order into {@code sink}, each length-prefixed (-1: null). */
        private void feed(java.util.function.Consumer<byte[]> sink) {
            sink.accept(prevHash);
            sink.accept(ByteBuffer.allocate(16).putLong(id).putLong(at.getEpochSecond() * 1_000_000L + at.getNano() / 1000).array());
            for (String field : new String[]{actor, role, action, archiveNo, categories, purpose,
                    grantId == null ? null : grantId.toString(), outcome, detail}) {
                if (field == null) {
                    sink.accept(ByteBuffer.allocate(4).putInt(-1).array());
                } else {
                    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                    sink.accept(ByteBuffer.allocate(4).putInt(bytes.length).array());
                    sink.accept(bytes);
                }
            }
        }
    }
}
