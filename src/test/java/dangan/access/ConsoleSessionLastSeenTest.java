package dangan.access;

import dangan.audit.AuditKey;
import dangan.audit.AuditTrail;
import dangan.store.Db;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;
import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A console session's last use is kept to the minute: the page's calls do not write (and commit) the
 * session's row every time, and a session idle past its timeout still ends.
 */
@Tag("database")
class ConsoleSessionLastSeenTest {

    record Row(String version, OffsetDateTime lastSeen) {
    }

    @Test
    void aSessionUsedAgainWithinTheMinuteIsNotWrittenAgain() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(TestDatabase.freshDatabase());
        dataSource.setUser("postgres");
        Jdbi jdbi = Db.jdbi(dataSource);
        AuditTrail audit = new AuditTrail(dataSource, AuditKey.of(new byte[32]));
        StaffDirectory staff = new StaffDirectory(dataSource, audit);
        Caller caller = staff.authenticate(staff.addUser("wang.fang", Role.MANAGER, "test")).orElseThrow();
        ConsoleSessions sessions = new ConsoleSessions(dataSource, audit, Duration.ofMinutes(30), Duration.ofHours(8));
        String cookie = sessions.open(caller, "127.0.0.1").cookie();

        assertThat(sessions.find(cookie)).hasValueSatisfying(live -> assertThat(live.caller().name()).isEqualTo("wang.fang"));
        Row first = session(jdbi);
        assertThat(sessions.find(cookie)).isPresent();
        Row again = session(jdbi);
        jdbi.useHandle(h -> h.execute("update console_session set last_seen = last_seen - interval '2 minutes'"));
        Row aged = session(jdbi);
        assertThat(sessions.find(cookie)).isPresent();
        Row later = session(jdbi);
        jdbi.useHandle(h -> h.execute("update console_session set last_seen = last_seen - interval '31 minutes'"));

        assertThat(again).isEqualTo(first); // the same row version: nothing written
        assertThat(later.lastSeen()).isAfter(aged.lastSeen());
        assertThat(sessions.find(cookie)).isEmpty(); // idle past the timeout: ended
    }

    private static Row session(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("select xmin::text as version, last_seen from console_session")
                .map((rs, ctx) -> new Row(rs.getString("version"), rs.getObject("last_seen", OffsetDateTime.class))).one());
    }
}
