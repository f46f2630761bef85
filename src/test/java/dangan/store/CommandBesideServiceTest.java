package dangan.store;

import dangan.access.UserCommand;
import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command run while the service runs on the embedded database (one process owns the data
 * folder) uses the service's server instead of failing to start a second one.
 */
@Tag("service")
class CommandBesideServiceTest {

    @Test
    void aCommandSharesTheRunningServicesEmbeddedServer(@TempDir Path home) throws Exception {
        try (RunningService dangan = RunningService.start(home, Map.of())) { // no dangan.db.url: embedded under home
            Integer port = ArchiveDatabase.runningServerPort(home.resolve("data").resolve("postgres"));
            assertThat(port).isEqualTo(dangan.service().database().embeddedPort());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = UserCommand.run(dangan.service().settings(), List.of("add", "li.na", "--role", "admin"),
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

            assertThat(status).isZero();
            assertThat(dangan.count("select count(*) from staff_user where name = 'li.na'")).isEqualTo(1);
        }
        assertThat(ArchiveDatabase.runningServerPort(home.resolve("data").resolve("postgres"))).isNull();
    }
}
