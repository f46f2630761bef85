package dangan.audit;

import dangan.support.RunningService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit log is append-only and its hash chain names the first entry that was tampered with. */
@Tag("service")
class AuditChainTest {

    @TempDir
    Path home;
    RunningService dangan;
    AuditTrail trail;
    DataSource db;

    @BeforeEach
    void start() throws Exception {
        dangan = RunningService.start(home);
        db = dangan.service().database().dataSource();
        trail = new AuditTrail(db);
        for (int i = 1; i <= 5; i++) {
            trail.record(new AuditEntry("li.na", "front-desk", "read", "20261100000" + i, List.of("basic", "consumption"),
                    "visit", null, AuditEntry.OK, "read " + i));
        }
    }

    @AfterEach
    void stop() {
        dangan.close();
    }

    @Test
    void anUntouchedLogVerifies() throws Exception {
        AuditVerification.Result result = new AuditVerification(db).verify();

        assertThat(result.intact()).isTrue();
        assertThat(result.entries()).isEqualTo(5);
        assertThat(verifyCommand()).containsEntry(0, "Audit log intact: 5 entries, every hash and link checks out.");
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

        assertThat(new AuditVerification(db).verify().brokenAt()).isEqualTo(3);
        Map<Integer, String> out = verifyCommand();
        assertThat(out).containsKey(1);
        assertThat(out.get(1)).contains("BROKEN at entry 3").contains("altered");
    }

    @Test
    void aRemovedEntryIsNamed() throws Exception {
        tamper("delete from audit_log where id = 2");

        AuditVerification.Result result = new AuditVerification(db).verify();
        assertThat(result.brokenAt()).isEqualTo(2);
        assertThat(result.broken()).contains("entry 2 is missing");
    }

    @Test
    void entriesRemovedFromTheEndAreNoticed() throws Exception {
        tamper("delete from audit_log where id >= 4");

        AuditVerification.Result result = new AuditVerification(db).verify();
        assertThat(result.brokenAt()).isEqualTo(4);
        assertThat(result.broken()).contains("4…5 were removed");
    }

    @Test
    void aRewrittenEntryWithARecomputedHashBreaksTheNextLink() throws Exception {
        // someone who knows the scheme alters entry 2 and recomputes its hash; entry 3 still links to the old one
        tamper("update audit_log set detail = 'nothing to see' where id = 2");
        AuditTrail.Stored altered;
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("select * from audit_log where id = 2")) {
            rs.next();
            altered = AuditTrail.Stored.from(rs);
        }
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "alter table audit_log disable trigger user; update audit_log set hash = ? where id = 2;"
                        + " alter table audit_log enable trigger user")) {
            ps.setBytes(1, altered.hash());
            ps.execute();
        }

        AuditVerification.Result result = new AuditVerification(db).verify();
        assertThat(result.brokenAt()).isEqualTo(3);
        assertThat(result.broken()).contains("does not link");
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AuditCommand.run(dangan.service().settings(), List.of("verify"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = (out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).strip();
        return Map.of(status, text);
    }
}
