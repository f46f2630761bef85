package dangan.intake;

import dangan.privacy.SensitiveFields;
import dangan.support.RunningService;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Base64;
import java.util.Set;

/** The intake as the service builds it (the test master key, the shipped column aliases), on a database of a test's own. */
final class TestIntake {

    private TestIntake() {
    }

    static ArchiveIntake on(DataSource dataSource) {
        return new ArchiveIntake(dataSource, new SensitiveFields(Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY)),
                ColumnMap.load(Path.of("config", "columns.properties")), ZoneId.of("Asia/Shanghai"), 100_000, Set.of());
    }
}
