package dangan.audit;

import dangan.support.Commands;
import dangan.config.Settings;
import dangan.store.Db;
import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The audit log is append-only and its hash chain names the first entry that was tampered with. The trail on a fresh
 * database of its own per test, keyed as the service keys it; the checks through the real {@code audit verify} command
 * and the checkpoint through the real route ({@code run-job audit-checkpoint}).
 */
@Tag("database")
class AuditChainTest {

    @TempDir
    Path home;
    Settings settings;
    AuditTrail trail;
    PGSimpleDataSource db;

    @BeforeEach
    void fiveEntries() throws Exception {
        settings = RunningService.settings(home, RunningService.freshDatabase());
        db = new PGSimpleDataSource();
        db.setURL(settings.require("dangan.db.url"));
        db.setUser("postgres");
        trail = AuditTrail.configured(settings, db);
        for (int i = 1; i <= 5; i++) {
            trail.record(new AuditEntry("li.na", "front-desk", "read", "20261100000" + i, List.of("basic", "consumption"),
                    "visit", null, AuditEntry.OK, AuditText.asIs("read " + i)));
        }
    }

    @Test
    void anUntouchedLogVerifies() throws Exception {
        AuditVerification.Result result = trail.verify();

        assertThat(result.intact()).isTrue();
        assertThat(result.entries()).isEqualTo(5);
        assertThat(verifyCommand().get(0)).startsWith("审计日志完好：共 5 条记录，每条的哈希与链接都核对无误");
    }

    @Test
    void theLogRefusesUpdatesAndDeletes() {
        assertThatThrownBy(() -> sql("update audit_log set actor = 'someone' where id = 2")).hasMessageContaining("append-only");
        assertThatThrownBy(() -> sql("delete from audit_log where id = 2")).hasMessageContaining("append-only");
        assertThatThrownBy(() -> sql("truncate audit_log")).hasMessageContaining("append-only");
    }

    @Test
    void anAlteredEntryIsNamed() throws Exception {
        tamper("update audit_log set archive_no = '202611000009' where id = 3");

        assertThat(trail.verify().brokenAt()).isEqualTo(3);
        Map<Integer, String> out = verifyCommand();
        assertThat(out).containsKey(1);
        assertThat(out.get(1)).contains("审计日志在第 3 条记录处断裂").contains("第 3 条记录被改动过");
    }

    @Test
    void aRemovedEntryIsNamed() throws Exception {
        tamper("delete from audit_log where id = 2");

        AuditVerification.Result result = trail.verify();
        assertThat(result.brokenAt()).isEqualTo(2);
        assertThat(result.broken()).contains("entry 2 is missing");
    }

    @Test
    void entriesRemovedFromTheEndAreNoticed() throws Exception {
        tamper("delete from audit_log where id >= 4");

        AuditVerification.Result result = trail.verify();
        assertThat(result.brokenAt()).isEqualTo(4);
        assertThat(result.broken()).contains("4…5 were removed");
    }

    @Test
    void aRewrittenEntryWithARecomputedHashBreaksTheNextLink() throws Exception {
        // someone who holds the key alters entry 2 and recomputes its hash; entry 3 still links to the old one
        tamper("update audit_log set detail = 'nothing to see' where id = 2");
        setHash(2, stored(2).hash(AuditKey.configured(settings)));

        AuditVerification.Result result = trail.verify();
        assertThat(result.brokenAt()).isEqualTo(3);
        assertThat(result.broken()).contains("does not link");
    }

    @Test
    void withoutTheMasterKeyTheChainCannotBeRewrittenConsistently() throws Exception {
        // the database owner rewrites entry 2 and recomputes entries 2…5 and the head, with every key but the master key's
        tamper("update audit_log set detail = 'nothing to see' where id = 2");
        AuditKey guessed = AuditKey.of(new byte[32]);
        rechain(2, e -> e.hash(guessed), true);

        AuditVerification.Result result = trail.verify();
        assertThat(result.brokenAt()).isEqualTo(2);
        assertThat(result.broken()).contains("entry 2 was altered").contains("under the audit key");
    }

    @Test
    void aChainRewrittenAsUnkeyedEntriesIsRefused() throws Exception {
        // the scheme before the keyed chain needed no key: the owner rewrites every entry as unkeyed SHA-256, head too
        tamper("update audit_log set detail = 'nothing to see' where id = 2");
        rechain(1, e -> e.hash(null), false);

        AuditVerification.Result result = trail.verify();
        assertThat(result.intact()).isFalse();
        assertThat(result.broken()).contains("ends in unkeyed entries");
        assertThat(verifyCommand()).containsKey(1);
    }

    @Test
    void aLogFromBeforeTheKeyedChainIsCutOverAndStaysVerifiable() throws Exception {
        // the log as an older version left it: entries 1…5 unkeyed (SHA-256), the head unkeyed
        rechain(1, e -> e.hash(null), false);

        trail.record(new AuditEntry("li.na", "front-desk", "read", "202611000001", List.of("basic"), "visit", null,
                AuditEntry.OK, AuditText.asIs("after the upgrade")));

        assertThat(rows("select id, action, keyed from audit_log where id >= 5 order by id")).containsExactly(
                Map.of("id", 5L, "action", "read", "keyed", false),
                Map.of("id", 6L, "action", AuditTrail.CUT_OVER, "keyed", true),
                Map.of("id", 7L, "action", "read", "keyed", true));
        AuditVerification.Result result = trail.verify();
        assertThat(result.intact()).isTrue();
        assertThat(result.entries()).isEqualTo(7);
        assertThat(result.keyedFrom()).isEqualTo(6);
        assertThat(verifyCommand().get(0)).contains("共 7 条记录").contains("第 1–5 条记录早于带密钥的哈希链");

        // an unkeyed entry before the marker is still covered: altering it breaks the marker's link
        tamper("update audit_log set detail = 'nothing to see' where id = 4");
        setHash(4, stored(4).hash(null));
        assertThat(trail.verify().brokenAt()).isEqualTo(5);
    }

    @Test
    void aTailCutOffByTheDatabaseOwnerIsFoundThroughTheCheckpoint() throws Exception {
        assertThat(Commands.run(settings, "run-job", "audit-checkpoint").status()).isZero();
        Path file = AuditCheckpoints.file(home);
        assertThat(Files.readString(file)).matches("(?s)\\S+ 5 [0-9a-f]{64}\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");

        // the owner removes entries 4 and 5 and moves the head back to entry 3: the chain itself is consistent
        tamper("delete from audit_log where id >= 4");
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("update audit_head set last_id = 3, last_hash = ?")) {
            ps.setBytes(1, stored(3).hash(AuditKey.configured(settings)));
            ps.execute();
        }
        assertThat(trail.verify().intact()).isTrue();

        AuditVerification.Result result = trail.verify(new AuditCheckpoints(file, null));
        assertThat(result.intact()).isFalse();
        assertThat(result.broken()).contains("entries 4…5 were removed").contains("checkpoint");
        assertThat(verifyCommand().get(1)).contains("断裂").contains("日志末尾的第 4…5 条记录被删除");
    }

    private AuditTrail.Stored stored(long id) throws SQLException {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("select * from audit_log where id = ?")) {
            ps.setLong(1, id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return AuditTrail.Stored.from(rs);
            }
        }
    }

    private void setHash(long id, byte[] hash) throws SQLException {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "alter table audit_log disable trigger user; update audit_log set hash = ? where id = ?;"
                        + " alter table audit_log enable trigger user")) {
            ps.setBytes(1, hash);
            ps.setLong(2, id);
            ps.execute();
        }
    }

    /** Recomputes entries {@code from}… and the head the way a tamperer would: each linked to the one before. */
    private void rechain(long from, java.util.function.Function<AuditTrail.Stored, byte[]> hashing, boolean keyed)
            throws SQLException {
        byte[] prev = from == 1 ? new byte[32] : stored(from - 1).hash(AuditKey.configured(settings));
        long last = Db.jdbi(db).withHandle(h -> h.createQuery("select max(id) from audit_log").mapTo(Long.class).one());
        for (long id = from; id <= last; id++) {
            AuditTrail.Stored s = stored(id);
            AuditTrail.Stored rewritten = new AuditTrail.Stored(s.id(), s.at(), s.actor(), s.role(), s.action(), s.archiveNo(),
                    s.categories(), s.purpose(), s.grantId(), s.outcome(), s.detail(), prev, keyed);
            byte[] hash = hashing.apply(rewritten);
            try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                    "alter table audit_log disable trigger user; update audit_log set prev_hash = ?, hash = ?, keyed = ? where id = ?;"
                            + " alter table audit_log enable trigger user")) {
                ps.setBytes(1, prev);
                ps.setBytes(2, hash);
                ps.setBoolean(3, keyed);
                ps.setLong(4, id);
                ps.execute();
            }
            prev = hash;
        }
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("update audit_head set last_hash = ?, keyed = ?")) {
            ps.setBytes(1, prev);
            ps.setBoolean(2, keyed);
            ps.execute();
        }
    }

    private List<Map<String, Object>> rows(String sql) {
        return Db.jdbi(db).withHandle(h -> h.createQuery(sql).mapToMap().list());
    }

    private void tamper(String statement) throws SQLException {
        sql("alter table audit_log disable trigger user; " + statement + "; alter table audit_log enable trigger user");
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private Map<Integer, String> verifyCommand() throws Exception {
        Commands.Run run = Commands.run(settings, "audit", "verify");
        return Map.of(run.status(), (run.out() + run.err()).strip());
    }
}
