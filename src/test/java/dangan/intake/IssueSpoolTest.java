package dangan.intake;

import dangan.store.Db;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file's rejects and warnings are spooled to a temporary file whose name is gone as soon as it is open: a process
 * killed while filing leaves no spool with the shown values of its rejected lines behind (killed services had left
 * dozens under the temporary folder). The spooled issues still reach the database.
 */
@Tag("database")
class IssueSpoolTest {

    @Test
    void theSpoolHasNoNameWhileTheFileIsFiledAndItsIssuesAreKept() throws Exception {
        PGSimpleDataSource dataSource = TestDatabase.freshDataSource();
        ArchiveIntake intake = TestIntake.on(dataSource);
        List<String> spoolsOpen = new ArrayList<>();
        intake.onMerged(MergeListener.Phase.AUDIT, (h, run) -> spoolsOpen.addAll(openSpools()));

        IngestRun run = intake.open("file", "registrations", "spool.csv", "spool", 100);
        intake.file(run, handler -> {
            handler.header(List.of("姓名", "手机号码"));
            handler.row(2, List.of("客户甲", "13700000001"));
            handler.row(3, List.of("客户乙", "")); // no mobile, ID number or email: rejected
            return "csv";
        });

        assertThat(spoolsOpen).isNotEmpty().allMatch(target -> target.endsWith("(deleted)"), "removed from the folder while open");
        long rejects = Db.jdbi(dataSource).withHandle(h -> h.createQuery(
                "select count(*) from intake_issue where ingest_id = :id and severity = 'reject' and line_no = 3")
                .bind("id", run.id()).mapTo(Long.class).one());
        assertThat(rejects).isEqualTo(1L);
        assertThat(run.created()).isEqualTo(1);
    }

    /** What this process's open files named {@code dangan-issues-*} point to (Linux: "… (deleted)" once removed). */
    private static List<String> openSpools() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    return "";
                }
            }).filter(target -> target.contains("dangan-issues-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
