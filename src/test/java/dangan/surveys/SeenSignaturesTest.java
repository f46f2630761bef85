package dangan.surveys;

import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay cache of signed survey POSTs is the database's, not an instance's: two caches on one database (two
 * instances) take a signature once between them, per source, until its window ends; expired rows are purged.
 */
@Tag("database")
class SeenSignaturesTest {

    @Test
    void aSignatureTakenByOneInstanceIsAReplayOnAnotherUntilItsWindowEnds() throws Exception {
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setUrl(TestDatabase.freshDatabase());
        database.setUser("postgres");
        SurveyCredentials.SeenSignatures first = new SurveyCredentials.SeenSignatures(database);
        SurveyCredentials.SeenSignatures second = new SurveyCredentials.SeenSignatures(database);
        long inAMinute = System.currentTimeMillis() + 60_000;

        assertThat(first.firstUse("wjx", "sha256=aa", inAMinute)).isTrue();
        assertThat(second.firstUse("wjx", "sha256=aa", inAMinute)).as("replayed to the other instance").isFalse();
        assertThat(first.firstUse("wjx", "sha256=aa", inAMinute)).as("replayed to the same instance").isFalse();
        assertThat(second.firstUse("jsj", "sha256=aa", inAMinute)).as("another source's signature").isTrue();
        assertThat(second.firstUse("wjx", "sha256=bb", inAMinute)).isTrue();
        assertThat(count(database, "select count(*) from survey_signature where digest = sha256('sha256=aa'::bytea)"))
                .as("the digest is kept, not the signature").isEqualTo(2);

        // a signature whose window is over: its row is purged by the next signature taken, by whichever instance
        long past = System.currentTimeMillis() - 1_000;
        assertThat(first.firstUse("wjx", "sha256=old", past)).isTrue();
        assertThat(second.firstUse("wjx", "sha256=old", inAMinute)).as("its window was over: taken anew").isTrue();
        assertThat(first.firstUse("wjx", "sha256=gone", past)).isTrue();
        second.firstUse("wjx", "sha256=cc", inAMinute);
        assertThat(count(database, "select count(*) from survey_signature where expires_at < now()")).as("purged").isZero();
        assertThat(count(database, "select count(*) from survey_signature")).isEqualTo(5);
    }

    private static long count(PGSimpleDataSource database, String sql) throws Exception {
        try (Connection c = database.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
