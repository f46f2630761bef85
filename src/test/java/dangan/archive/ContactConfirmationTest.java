package dangan.archive;

import dangan.support.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A line of a known customer with a mobile confirms the archive's contact data (D-30), by the day: an
 * archive confirmed on an earlier day, or never, is confirmed now; one already confirmed today that the
 * line changes in nothing keeps its row as it is — no new version of it and of its index entries for
 * every visit line (issue 14: the rewrite was most of a visit-only file's cost beyond its floor).
 */
@Tag("database")
class ContactConfirmationTest {

    /**
     * The zone whose day the merge keeps (dangan.timezone): one where it is noon now, so that no midnight falls between
     * the test's "today" and the merge's, whenever the test runs (in Asia/Shanghai one falls at 16:00 UTC, and a run
     * across it found 客户1 "confirmed on an earlier day" and rewritten).
     */
    private static final ZoneId ZONE = ZoneOffset.ofHours(12 - ZonedDateTime.now(ZoneOffset.UTC).getHour());

    private static Jdbi jdbi;

    @BeforeAll
    static void database() {
        jdbi = TestDatabase.freshJdbi();
    }

    @Test
    void aVisitLineConfirmsContactOncePerDay() {
        jdbi.useTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "base.csv", 1, 4, "福田区"), options("base.csv")));
        OffsetDateTime today = ZonedDateTime.now(ZONE).truncatedTo(ChronoUnit.DAYS).toOffsetDateTime();
        jdbi.useHandle(h -> {
            h.createUpdate("update customer set contact_confirmed_at = :today + interval '1 second' where name = '客户1'")
                    .bind("today", today).execute();
            h.execute("update customer set contact_confirmed_at = now() - interval '3 days' where name in ('客户2', '客户4')");
            h.execute("update customer set contact_confirmed_at = null where name = '客户3'");
        });
        Map<String, Object> before = archive("客户1");

        // a visit-only file: each line names the customer by mobile and changes nothing (no address)
        MergeCounts counts = jdbi.inTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "visits.csv", 1, 3, null),
                options("visits.csv")));

        assertThat(counts.duplicates()).isEqualTo(3);
        assertThat(archive("客户1")).as("confirmed today already: the row is not written again").isEqualTo(before);
        List<String> confirmedToday = jdbi.withHandle(h -> h.createQuery(
                "select name from customer where contact_confirmed_at >= :today order by name").bind("today", today).mapTo(String.class).list());
        assertThat(confirmedToday)
                .as("confirmed on an earlier day or never: confirmed by the line, today (客户4 is not in the file)").containsExactly("客户1", "客户2", "客户3");
    }

    private static MergeOptions options(String file) {
        return MergeOptions.of(YearMonth.of(2026, 12), "intake of " + file).zone(ZONE);
    }

    /** The archive's confirmation and the row version that holds it (xmin: the transaction that last wrote it). */
    private static Map<String, Object> archive(String name) {
        return jdbi.withHandle(h -> h.createQuery("select xmin::text as version, contact_confirmed_at"
                        + " from customer where name = :name").bind("name", name)
                .mapToMap().one());
    }
}
