package dangan.archive;

import dangan.audit.AuditKey;
import dangan.audit.AuditTrail;
import dangan.intake.IngestRevert;
import dangan.store.Db;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;

import java.time.YearMonth;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The update round decides each changed field once (update-round.sql): the archive takes exactly the changes the
 * register says were applied, and nothing else. A plain field (address, employer, job title, nationality) is taken
 * from the line itself when a trusted source changes it (issue 14: not pivoted back from its change), so these
 * check that what the archive shows and what the register holds (D-27) never part: every field a line changes
 * is applied and registered once with its line, held (an identity that contradicts the archive, or a low-trust
 * source: D-13, D-16) or refused (an identifier of another archive) — and then neither applied nor registered.
 */
@Tag("database")
class UpdateRoundTest {

    private static final String COLUMNS = "name, gender, birth_date, mobile, email, address, employer, job_title, nationality, extra";
    private static Jdbi jdbi;
    private static DataSource dataSource;

    @BeforeAll
    static void archives() {
        dataSource = TestDatabase.freshDataSource();
        jdbi = Db.jdbi(dataSource);
        MergeCounts opened = jdbi.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "base.csv", List.of(
                line("郭靖", "M", "1980-01-01", "13900000001", "guo@example.cn", "桃花岛", "丐帮", "帮主", "中国", "{\"会员\": \"金\"}"),
                line("黄蓉", "F", "1982-02-02", "13900000002", "huang@example.cn", "桃花岛", "丐帮", "长老", "中国", null),
                line("杨过", "M", null, "13900000003", null, "终南山", null, null, null, null),
                line("小龙女", "F", "1985-05-05", "13900000004", null, "古墓", null, null, null, null),
                line("欧阳锋", "M", null, "13900000005", null, "白驼山", null, null, null, null))),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of base.csv")));
        assertThat(opened.created()).isEqualTo(5);
    }

    @Test
    void theArchiveTakesEveryChangeTheRegisterAppliesAndNoOther() {
        MergeCounts counts = jdbi.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "moved.csv", List.of(
                // every plain field and an extra attribute changed: applied and registered, one row each
                line("郭靖", null, null, "13900000001", null, "襄阳", "襄阳守军", "守将", "大宋", "{\"会员\": \"白金\"}"),
                // the birth date contradicts the archive (held); the address is an ordinary change (applied)
                line("黄蓉", null, "1983-03-03", "13900000002", null, "襄阳", null, null, null, null),
                // a birth date where the archive had none is applied; the email belongs to 郭靖 (refused)
                line("杨过", null, "1984-04-04", "13900000003", "guo@example.cn", null, null, null, null, null),
                // nothing changes
                line("小龙女", "F", "1985-05-05", "13900000004", null, "古墓", null, null, null, null))),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of moved.csv")));

        assertThat(counts.updated()).isEqualTo(2);
        assertThat(counts.review()).as("the line with a held change").isEqualTo(1);
        assertThat(counts.duplicates()).isEqualTo(1);
        assertThat(registered("moved.csv")).containsExactly(
                "1 address 桃花岛 → 襄阳", "1 employer 丐帮 → 襄阳守军", "1 extra.会员 金 → 白金", "1 job_title 帮主 → 守将",
                "1 nationality 中国 → 大宋", "2 address 桃花岛 → 襄阳", "3 birth_date null → 1984-04-04");
        assertThat(archive("13900000001")).containsEntry("address", "襄阳").containsEntry("employer", "襄阳守军")
                .containsEntry("job_title", "守将").containsEntry("nationality", "大宋").containsEntry("member", "白金");
        assertThat(archive("13900000002")).containsEntry("address", "襄阳").containsEntry("birth_date", "1982-02-02")
                .containsEntry("employer", "丐帮").containsEntry("job_title", "长老");
        assertThat(archive("13900000003")).containsEntry("birth_date", "1984-04-04").containsEntry("email", null)
                .containsEntry("address", "终南山");
        assertThat(waiting("moved.csv")).containsExactly("2 birth_date 1983-03-03");
        assertThat(warned("moved.csv")).containsExactly("2 birth_date", "3 email");
        assertThat(unwritten("13900000004", "moved.csv")).isTrue();
    }

    @Test
    void aLowTrustSourceChangesNoPlainFieldAndRegistersNothing() {
        // confirmed two days ago: the line's mobile confirms the contact today (D-30), so the archive is written
        jdbi.useHandle(h -> h.execute("update customer set contact_confirmed_at = now() - interval '2 days' where mobile = '13900000005'"));
        MergeCounts counts = jdbi.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "walk-ins.csv", List.of(
                line("欧阳锋", null, null, "13900000005", null, "桃花岛", "白驼山庄", "庄主", "西域", null))),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of walk-ins.csv").lowTrust(true)));

        assertThat(counts.review()).isEqualTo(1);
        assertThat(registered("walk-ins.csv")).isEmpty();
        assertThat(archive("13900000005")).containsEntry("address", "白驼山").containsEntry("employer", null)
                .containsEntry("job_title", null).containsEntry("nationality", null).containsEntry("confirmed_today", true);
        assertThat(waiting("walk-ins.csv")).containsExactly("1 address 桃花岛", "1 employer 白驼山庄", "1 job_title 庄主",
                "1 nationality 西域");
    }

    /**
     * A customer on several lines of one changed file (D-27): each line is a round of its own, in line order, compared
     * with the archive as the line before left it; each change is registered with its own line, and the archive ends
     * with the last line's values. A plain field is applied beside an identity change that is held on the same line;
     * an identifier of another archive is refused in a later round while that round's plain field is applied. A check shows
     * each line's outcome and changes as the filing makes them. Reverting
     * the file undoes exactly what the register says: each field back to its value before the first round, the archive
     * it opened removed, the held change withdrawn.
     */
    @Test
    void aCustomerOnSeveralLinesIsChangedLineByLineAndEachChangeRegisteredWithItsLine() {
        jdbi.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "rounds-base.csv", List.of(
                line("周伯通", "M", "1960-06-06", "13900000011", null, "桃花岛", null, null, null, null),
                line("瑛姑", "F", null, "13900000012", null, "黑沼", null, null, null, null))),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of rounds-base.csv")));
        List<Line> lines = List.of(
                // round 1: the birth date contradicts the archive (held), the address is applied
                line("周伯通", null, "1970-01-01", "13900000011", null, "大理", null, null, null, null),
                line("瑛姑", null, null, "13900000012", null, "黑沼", "一灯寺", null, null, null),
                // round 2: compared with the archive as line 1 left it
                line("周伯通", null, null, "13900000011", null, "襄阳", "全真教", null, null, "{\"辈分\": \"师叔\"}"),
                // round 3: the email is 郭靖's (refused); the address still applied, the last line's
                line("周伯通", null, null, "13900000011", "guo@example.cn", "终南山", "全真教", null, null, null),
                line("王重阳", "M", null, "13900000013", null, "终南山", null, null, null, null));
        // a check first: each line's outcome and every change it would make, then rolled back
        List<String> checked = jdbi.withHandle(h -> {
            h.begin();
            try {
                long check = stage(h, "rounds-check.csv", lines);
                ArchiveMerge.merge(h, check, MergeOptions.of(YearMonth.of(2026, 12), "check of rounds.csv").keepStaging(true));
                return h.createQuery("""
                        select s.line_no || ' ' || s.outcome || coalesce(' ' || (select string_agg(x.field || ' ' || x.disposition, ', '
                                                                                                   order by x.field)
                                                                              from intake_change x
                                                                              where x.ingest_id = s.ingest_id and x.line_no = s.line_no), '')
                        from intake_row s where s.ingest_id = :ingest order by s.line_no""").bind("ingest", check).mapTo(String.class).list();
            } finally {
                h.rollback();
            }
        });
        assertThat(checked).containsExactly("1 review address apply, birth_date hold", "2 updated employer apply",
                "3 updated address apply, employer apply, extra.辈分 apply", "4 updated address apply, email conflict", "5 new");
        MergeCounts counts = jdbi.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "rounds.csv", lines),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of rounds.csv")));

        assertThat(counts.review()).as("the line with a held change").isEqualTo(1);
        assertThat(counts.updated()).isEqualTo(3);
        assertThat(counts.created()).isEqualTo(1);
        assertThat(registered("rounds.csv")).containsExactly("1 address 桃花岛 → 大理", "2 employer null → 一灯寺",
                "3 address 大理 → 襄阳", "3 employer null → 全真教", "3 extra.辈分 null → 师叔", "4 address 襄阳 → 终南山");
        assertThat(waiting("rounds.csv")).containsExactly("1 birth_date 1970-01-01");
        assertThat(warned("rounds.csv")).containsExactly("1 birth_date", "4 email");
        String archive = jdbi.withHandle(h -> h.createQuery("""
                        select address || ' ' || employer || ' ' || birth_date || ' ' || coalesce(email, '-') || ' ' || (extra ->> '辈分')
                        from customer where mobile = '13900000011'""").mapTo(String.class).one());
        assertThat(archive).isEqualTo("终南山 全真教 1960-06-06 - 师叔");

        long file = jdbi.withHandle(h -> {
            h.execute("insert into staff_user (name, role, created_by) values ('wang.jl', 'manager', 'test')");
            h.execute("update ingest set status = 'done', finished_at = now() where source_name = 'rounds.csv'");
            return ingest(h, "rounds.csv");
        });
        IngestRevert.Result undone = new IngestRevert(dataSource, new AuditTrail(dataSource, AuditKey.of(new byte[32])))
                .revert(file, "wang.jl");
        assertThat(undone.exceptions()).isEmpty();
        assertThat(undone.fieldsRestored()).isEqualTo(4);
        assertThat(undone.archivesRemoved()).isEqualTo(1);
        assertThat(undone.reviewsWithdrawn()).isEqualTo(1);
        List<String> reverted = jdbi.withHandle(h -> h.createQuery("""
                        select c.mobile || ' ' || l.field || ' ' || coalesce(l.old_value, 'null') || ' → ' || coalesce(l.new_value, 'null')
                        from change_log l join customer c on c.id = l.customer_id where l.reverts_ingest_id = :ingest order by 1""")
                .bind("ingest", file).mapTo(String.class).list());
        assertThat(reverted).containsExactly(
                "13900000011 address 终南山 → 桃花岛", "13900000011 employer 全真教 → null", "13900000011 extra.辈分 师叔 → null",
                "13900000012 employer 一灯寺 → null");
        String restored = jdbi.withHandle(h -> h.createQuery("""
                        select string_agg(mobile || ' ' || address || ' ' || coalesce(employer, '-') || ' ' || coalesce(extra ->> '辈分', '-'),
                                          ', ' order by mobile)
                        from customer where mobile in ('13900000011', '13900000012', '13900000013')""").mapTo(String.class).one());
        assertThat(restored).isEqualTo("13900000011 桃花岛 - -, 13900000012 黑沼 - -");
    }

    private record Line(String name, String gender, String birthDate, String mobile, String email, String address,
                        String employer, String jobTitle, String nationality, String extra) {
    }

    private static Line line(String name, String gender, String birthDate, String mobile, String email, String address,
                             String employer, String jobTitle, String nationality, String extra) {
        return new Line(name, gender, birthDate, mobile, email, address, employer, jobTitle, nationality, extra);
    }

    /** An ingest of these lines, staged as the staging writer leaves them. */
    private static long stage(Handle h, String name, List<Line> lines) {
        long ingest = h.createQuery("insert into ingest (source_type, channel, source_name, status)"
                        + " values ('file', 'registrations', :name, 'running') returning id")
                .bind("name", name).mapTo(Long.class).one();
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            h.createUpdate("insert into intake_row (ingest_id, line_no, " + COLUMNS + ") values (:ingest, :line, :name, :gender,"
                            + " cast(:birth as date), :mobile, :email, :address, :employer, :job, :nationality, cast(:extra as jsonb))")
                    .bind("ingest", ingest).bind("line", i + 1).bind("name", l.name()).bind("gender", l.gender())
                    .bind("birth", l.birthDate()).bind("mobile", l.mobile()).bind("email", l.email())
                    .bind("address", l.address()).bind("employer", l.employer()).bind("job", l.jobTitle())
                    .bind("nationality", l.nationality()).bind("extra", l.extra()).execute();
        }
        return ingest;
    }

    private static long ingest(Handle h, String name) {
        return h.createQuery("select id from ingest where source_name = :name").bind("name", name).mapTo(Long.class).one();
    }

    /** The register's rows of an ingest: line, field, old → new. */
    private static List<String> registered(String file) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select l.source_line || ' ' || l.field || ' ' || coalesce(l.old_value, 'null') || ' → ' || l.new_value
                        from change_log l where l.source_ingest_id = :ingest and l.reason = :reason order by 1""")
                .bind("ingest", ingest(h, file)).bind("reason", "intake of " + file).mapTo(String.class).list());
    }

    /** The changes of an ingest waiting for a person: line, field, proposed value. */
    private static List<String> waiting(String file) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select source_line || ' ' || field || ' ' || proposed_value from pending_change
                        where source_ingest_id = :ingest order by 1""")
                .bind("ingest", ingest(h, file)).mapTo(String.class).list());
    }

    /** The warnings of an ingest: line and field. */
    private static List<String> warned(String file) {
        return jdbi.withHandle(h -> h.createQuery("select line_no || ' ' || column_name from intake_issue where ingest_id = :ingest order by 1")
                .bind("ingest", ingest(h, file)).mapTo(String.class).list());
    }

    private static Map<String, Object> archive(String mobile) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select address, employer, job_title, nationality, email, birth_date::text as birth_date, extra ->> '会员' as member,
                               contact_confirmed_at > now() - interval '1 day' as confirmed_today
                        from customer where mobile = :mobile""")
                .bind("mobile", mobile).mapToMap().one());
    }

    /** Whether the archive was left as it was by the ingest (not written: its row version is older). */
    private static boolean unwritten(String mobile, String file) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select c.updated_at < g.started_at and c.contact_confirmed_at < g.started_at
                        from customer c, ingest g where c.mobile = :mobile and g.source_name = :file""")
                .bind("mobile", mobile).bind("file", file).mapTo(Boolean.class).one());
    }
}
