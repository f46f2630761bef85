package dangan.app;

import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one database watching one drop folder: every file is taken once.
 * On a starved CPU both instances were once seen reading one file. The cause: an instance released its
 * claim right after moving the file to done/, so the other instance, holding a listing from before the
 * move, could claim it and try the file again. The claim now outlives the move by
 * readLockIdempotentReleaseDelay (routes/drop-folder.yaml), and a claim is only ever released by the
 * instance that made it (FileClaims); this test asserts one ingest per file. Until that was closed it ran
 * alone (@Isolated); now it runs beside the other classes: a starved CPU is the harder case, and alone it
 * kept the whole run waiting at its end (JUnit runs isolated classes after all the others).
 */
@Tag("service")
class TwoInstancesTest {

    @TempDir
    Path home;

    @Test
    void eachDroppedFileIsIngestedByExactlyOneInstance() throws Exception {
        Map<String, String> shared = Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres");
        try (RunningService first = RunningService.start(home, shared);
             RunningService second = RunningService.start(home, shared)) {
            for (int i = 0; i < 20; i++) {
                first.drop("batch-" + i + ".csv", "姓名,手机\n客人" + i + ",1355555" + String.format("%04d", i) + "\n",
                        StandardCharsets.UTF_8);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(first.awaitHandled("batch-" + i + ".csv").toString()).contains("/done/");
            }
            assertThat(first.count("select count(*) from ingest where status = 'done'")).isEqualTo(20);
            assertThat(first.count("select count(*) from ingest where status <> 'done'")).isZero();
            assertThat(first.count("select count(*) from customer")).isEqualTo(20);
            // both instances did work: the folder is shared, not owned by one
            assertThat(first.service().tally().handledCount() + second.service().tally().handledCount()).isEqualTo(20);
        }
    }
}
