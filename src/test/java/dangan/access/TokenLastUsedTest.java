package dangan.access;

import dangan.audit.AuditTrail;
import dangan.store.Db;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token's last use is kept to the minute, so a request does not write (and commit) the token's row
 * every time (issue 14: at most one commit per read, the audit entry's).
 */
@Tag("database")
class TokenLastUsedTest {

    record Row(String version, OffsetDateTime lastUsed) {
    }

    @Test
    void aTokenUsedAgainWithinTheMinuteIsNotWrittenAgain() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(TestDatabase.freshDatabase());
        dataSource.setUser("postgres");
        Jdbi jdbi = Db.jdbi(dataSource);
        StaffDirectory staff = new StaffDirectory(dataSource, new AuditTrail(dataSource, dangan.audit.AuditKey.of(new byte[32])));
        String token = staff.addUser("li.na", Role.FRONT_DESK, "test");

        assertThat(staff.authenticate(token)).hasValueSatisfying(c -> assertThat(c.name()).isEqualTo("li.na"));
        Row first = token(jdbi);
        assertThat(staff.authenticate(token)).isPresent();
        Row again = token(jdbi);
        jdbi.useHandle(h -> h.execute("update api_token set last_used = last_used - interval '2 minutes'"));
        Row aged = token(jdbi);
        assertThat(staff.authenticate(token)).isPresent();
        Row later = token(jdbi);

        assertThat(first.lastUsed()).isNotNull();
        assertThat(again).isEqualTo(first); // the same row version: nothing written
        assertThat(later.lastUsed()).isAfter(aged.lastUsed());
    }

    private static Row token(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("select xmin::text as version, last_used from api_token")
                .map((rs, ctx) -> new Row(rs.getString("version"), rs.getObject("last_used", OffsetDateTime.class))).one());
    }
}
