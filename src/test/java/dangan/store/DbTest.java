package dangan.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The data-access style on a real PostgreSQL: types, arrays, transactions, a caller's connection. */
@Tag("database")
class DbTest {

    @TempDir
    static Path home;
    private static PGSimpleDataSource dataSource;
    private static Jdbi jdbi;

    @BeforeAll
    static void database() {
        dataSource = new PGSimpleDataSource();
        dataSource.setURL(TestDatabase.freshDatabase());
        dataSource.setUser("postgres");
        jdbi = Db.jdbi(dataSource);
        jdbi.useHandle(h -> h.execute("create table t (id bigint primary key, at timestamptz, day date, note text)"));
    }

    @AfterAll
    static void forget() {
        jdbi.useHandle(h -> h.execute("drop table t"));
    }

    @Test
    void oneJdbiPerDataSource() {
        assertThat(Db.jdbi(dataSource)).isSameAs(jdbi);
    }

    @Test
    void theJdbiOfAClosedPoolIsNotKept() throws Exception {
        // the archive's pool: dropped when the database is closed
        ArchiveDatabase archive = ArchiveDatabase.open(RunningService.settings(home, RunningService.freshDatabase()), false);
        DataSource archivePool = archive.dataSource();
        int one = Db.jdbi(archivePool).withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one());
        assertThat(one).isEqualTo(1);
        assertThat(Db.holds(archivePool)).isTrue();
        archive.close();
        assertThat(Db.holds(archivePool)).isFalse();

        // a pool closed by someone who did not say so (a contracts pool recreated): dropped when the next data source comes
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.freshDatabase());
        config.setUsername("postgres");
        HikariDataSource pool = new HikariDataSource(config);
        Db.jdbi(pool).useHandle(h -> h.execute("select 1"));
        pool.close();
        assertThat(Db.holds(pool)).isTrue();
        PGSimpleDataSource next = new PGSimpleDataSource();
        next.setURL(dataSource.getURL());
        next.setUser("postgres");
        Db.jdbi(next);
        assertThat(Db.holds(pool)).isFalse();
        assertThat(Db.holds(next)).isTrue();
        assertThat(Db.jdbi(dataSource)).isSameAs(jdbi); // an open one stays
    }

    @Test
    void javaTimeRoundTripsAsTheDriverDoes() {
        OffsetDateTime at = OffsetDateTime.of(2026, 3, 1, 23, 30, 0, 0, ZoneOffset.ofHours(8));
        LocalDate day = LocalDate.of(2026, 2, 28);
        jdbi.useTransaction(h -> h.createUpdate("insert into t (id, at, day) values (:id, :at, :day)")
                .bind("id", 1L).bind("at", at).bind("day", day).execute());
        OffsetDateTime readAt = jdbi.withHandle(h -> h.createQuery("select at from t where id = 1")
                .mapTo(OffsetDateTime.class).one());
        LocalDate readDay = jdbi.withHandle(h -> h.createQuery("select day from t where id = 1")
                .mapTo(LocalDate.class).one());
        String dayText = jdbi.withHandle(h -> h.createQuery("select day::text from t where id = 1").mapTo(String.class).one());
        assertThat(readAt.toInstant()).isEqualTo(at.toInstant());
        assertThat(readDay).isEqualTo(day);
        assertThat(dayText).isEqualTo("2026-02-28");
    }

    @Test
    void collectionsBindAsArrays() {
        jdbi.useTransaction(h -> {
            for (long id = 10; id < 15; id++) {
                h.createUpdate("insert into t (id, note) values (:id, :note)").bind("id", id).bind("note", "n" + id).execute();
            }
        });
        List<Long> ids = jdbi.withHandle(h -> h.createQuery("select id from t where id = any(:ids) order by id")
                .bindArray("ids", Long.class, List.of(11L, 13L, 99L)).mapTo(Long.class).list());
        List<String> notes = jdbi.withHandle(h -> h.createQuery("select note from t where note = any(:notes) order by note")
                .bindArray("notes", String.class, List.of("n12", "n14")).mapTo(String.class).list());
        List<UUID> uuids = jdbi.withHandle(h -> h.createQuery("select unnest(:u)")
                .bindArray("u", UUID.class, List.of(new UUID(0, 1))).mapTo(UUID.class).list());
        assertThat(ids).containsExactly(11L, 13L);
        assertThat(notes).containsExactly("n12", "n14");
        assertThat(uuids).containsExactly(new UUID(0, 1));
    }

    @Test
    void aTransactionRollsBackWhenTheWorkThrowsAndNestedWorkJoinsIt() {
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            h.createUpdate("insert into t (id) values (20)").execute();
            jdbi.useTransaction(inner -> inner.createUpdate("insert into t (id) values (21)").execute());
            throw new IllegalStateException("refused");
        })).hasMessage("refused");
        long kept = jdbi.withHandle(h -> h.createQuery("select count(*) from t where id in (20, 21)").mapTo(Long.class).one());
        assertThat(kept).isZero();
    }

    @Test
    void aHandleOfItsOwnCommitsApartFromTheOpenTransaction() {
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            h.createUpdate("insert into t (id) values (30)").execute();
            try (Handle own = jdbi.open()) {
                own.useTransaction(o -> o.createUpdate("insert into t (id) values (31)").execute());
            }
            throw new IllegalStateException("refused");
        })).hasMessage("refused");
        List<Long> kept = jdbi.withHandle(h -> h.createQuery("select id from t where id in (30, 31)").mapTo(Long.class).list());
        assertThat(kept).containsExactly(31L);
    }

    @Test
    void uniqueViolationIsRecognisedThroughJdbisException() {
        jdbi.useHandle(h -> h.execute("insert into t (id) values (50)"));
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> jdbi.useHandle(h -> h.execute("insert into t (id) values (50)")));
        assertThat(Db.isUniqueViolation(thrown)).isTrue();
        Throwable withValues = org.assertj.core.api.Assertions.catchThrowable(() -> jdbi.useHandle(h -> h
                .createUpdate("insert into t (id, note) values (:id, :note)").bind("id", 50L).bind("note", "110105199001011234")
                .execute()));
        assertThat(Db.isUniqueViolation(withValues)).isTrue();
        assertThat(withValues.getMessage()).contains("duplicate key").doesNotContain("110105199001011234");
        assertThat(Db.isUniqueViolation(new IllegalStateException("no database"))).isFalse();
    }
}
