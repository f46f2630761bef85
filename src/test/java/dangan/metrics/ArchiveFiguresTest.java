package dangan.metrics;

import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A slow database (not a down one: a lock the test holds makes the figures' statement wait) does not
 * hold a scrape: the scrape answers within its bound with the last figures, marked stale, and the
 * figures are fresh again once the database answers.
 */
@Tag("database")
class ArchiveFiguresTest {

    @Test
    void aScrapeOfASlowDatabaseAnswersInItsBoundWithTheLastFiguresMarkedStale() throws Exception {
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setUrl(TestDatabase.freshDatabase());
        database.setUser("postgres");
        // read again on every scrape; a scrape waits 300 ms; the statement itself would wait ten minutes
        ArchiveFigures figures = new ArchiveFigures(database, Duration.ZERO, Duration.ofMillis(300), 600, dangan.i18n.Messages.of(dangan.i18n.Language.ZH));

        await().atMost(Duration.ofSeconds(60)).until(() -> figures.stale() == 0.0); // the first read, however loaded the machine
        assertThat(figures.get().reviewQueue()).isZero();
        assertThat(figures.ageSeconds()).isLessThan(60);

        try (Connection holder = database.getConnection(); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("lock table pending_change in access exclusive mode"); // every count of held changes now waits
            try {
                ArchiveFigures.Figures during = assertTimeoutPreemptively(Duration.ofSeconds(60), figures::get,
                        "a scrape waits for a slow database no longer than its bound");
                assertThat(during.reviewQueue()).as("the last figures read").isZero();
                assertThat(during.auditEntries()).isNotNaN();
                assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60), figures::stale)).isEqualTo(1.0);
            } finally {
                holder.rollback();
            }
        }
        // the read in flight finishes once the lock is gone; a later scrape is fresh again
        await().atMost(Duration.ofSeconds(60)).until(() -> figures.stale() == 0.0);
        assertThat(figures.get().reviewQueue()).isZero();
    }

    @Test
    void nothingReadYetIsUnknownNotZero() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
        nowhere.setUser("postgres");
        ArchiveFigures figures = new ArchiveFigures(nowhere, Duration.ofSeconds(5), Duration.ofMillis(100), 1, dangan.i18n.Messages.of(dangan.i18n.Language.ZH));
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60), figures::get).reviewQueue()).isNaN();
        assertThat(figures.stale()).isEqualTo(1.0);
        assertThat(figures.ageSeconds()).isNaN();
    }
}
