package dangan.intake;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dangan.archive.ArchiveMerge;
import dangan.intake.read.ReadLimits;
import dangan.intake.read.SpreadsheetReader;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files of new customers through the intake as the service reads them (issue 14, open-alone.sql): the staging tells the
 * merge which line numbers it skipped — rejected lines at the start, in the middle and at the end, a blank line — and the
 * archives are numbered per D-14 in line order among the filed lines, the next file of the month going on from the
 * last number. A rejected line sharing a mobile with a filed one does not make that one share it. Keys written
 * differently that the normaliser makes one (+86 and spaces, an email in capitals) are one customer: the staging says
 * so, and the merge groups them (open-archives.sql) instead of opening two archives with the same mobile.
 * <p>
 * Alone in the JVM ({@code @Isolated}, see TestResources): it turns the merge's logger to debug to see which opening step
 * ran (and nothing else may lose the merge's lines meanwhile); run beside NewCustomersMergeTest, that test's steps were
 * seen under this thread's name too: six opening steps where three files were filed.
 */
@Tag("database")
@Isolated
class LinesAloneIntakeTest {

    @TempDir
    Path folder;

    @Test
    void rejectedAndBlankLinesAreSkippedInTheNumbersAndKeysWrittenDifferentlyAreOneCustomer() throws Exception {
        PGSimpleDataSource dataSource = TestDatabase.freshDataSource();
        ArchiveIntake intake = TestIntake.on(dataSource);
        String period = YearMonth.now(ZoneId.of("Asia/Shanghai")).format(DateTimeFormatter.ofPattern("yyyyMM"));
        List<String> opening = new ArrayList<>();

        // lines 2, 6 and 10 have no name (rejected; 6 has line 3's mobile), line 5 is blank
        IngestRun first = file(intake, "first.csv", """
                姓名,手机号码,邮箱
                ,13900000002,
                客户3,13900000003,
                客户4,+86 139 0000 0004,
                ,,
                ,13900000003,
                客户7,13900000007,Guest7@Example.cn
                客户8,,guest8@example.cn
                客户9,13900000009,
                ,13900000010,
                """, opening);
        IngestRun second = file(intake, "second.csv", """
                姓名,手机号码,邮箱
                ,13900000012,
                客户3,13900000013,
                客户4,13900000014,
                """, opening);
        // line 2's mobile with +86 and spaces is line 3's; line 3's email in capitals is line 4's
        IngestRun third = file(intake, "third.csv", """
                姓名,手机号码,邮箱
                客户20,+86 139 0000 0020,
                客户20,13900000020,GUEST20@Example.CN
                客户20,,guest20@example.cn
                客户21,13900000021,
                """, opening);

        assertThat(List.of(first.created(), first.rejected(), second.created(), second.rejected(), third.created(),
                third.created() + third.updated() + third.duplicates())).containsExactly(5, 3, 2, 1, 2, 4);
        assertThat(opening).containsExactly("merge/open-alone", "merge/open-alone", "merge/open-archives");
        Jdbi jdbi = dangan.store.Db.jdbi(dataSource);
        List<String> archives = jdbi.withHandle(h -> h.createQuery("""
                select c.archive_no || ' ' || i.source_name || ':' || c.source_line || ' ' || coalesce(c.mobile, '-')
                       || ' ' || coalesce(c.email, '-')
                from customer c join ingest i on i.id = c.source_ingest_id order by c.archive_no""").mapTo(String.class).list());
        assertThat(archives).containsExactly(
                period + "001 first.csv:3 13900000003 -",
                period + "002 first.csv:4 13900000004 -",
                period + "003 first.csv:7 13900000007 guest7@example.cn",
                period + "004 first.csv:8 - guest8@example.cn",
                period + "005 first.csv:9 13900000009 -",
                period + "006 second.csv:3 13900000013 -",
                period + "007 second.csv:4 13900000014 -",
                period + "008 third.csv:2 13900000020 guest20@example.cn",
                period + "009 third.csv:5 13900000021 -");
    }

    /** Files a CSV file as the drop folder does; {@code opening} gets the opening step the merge ran. */
    private IngestRun file(ArchiveIntake intake, String name, String content, List<String> opening) throws Exception {
        Path file = Files.writeString(folder.resolve(name), content, StandardCharsets.UTF_8);
        IngestRun run = intake.open("file", "registrations", name, SpreadsheetIntake.sha256(file), Files.size(file));
        // the merge names each step it runs in its debug line: seen here for this thread only, written nowhere else
        Logger merge = (Logger) LoggerFactory.getLogger(ArchiveMerge.class);
        ListAppender<ILoggingEvent> steps = new ListAppender<>();
        Level level = merge.getLevel();
        boolean additive = merge.isAdditive();
        String thread = Thread.currentThread().getName();
        steps.start();
        merge.addAppender(steps);
        merge.setAdditive(false);
        merge.setLevel(Level.DEBUG);
        try {
            intake.file(run, handler -> new SpreadsheetReader(ReadLimits.defaults()).read(file, handler).format());
        } finally {
            merge.setLevel(level);
            merge.setAdditive(additive);
            merge.detachAppender(steps);
        }
        synchronized (steps) {
            steps.list.stream().filter(e -> e.getThreadName().equals(thread)).map(ILoggingEvent::getFormattedMessage)
                    .filter(line -> line.matches(".*: merge/open-(alone|archives)$"))
                    .forEach(line -> opening.add(line.substring(line.lastIndexOf(' ') + 1)));
        }
        return run;
    }
}
