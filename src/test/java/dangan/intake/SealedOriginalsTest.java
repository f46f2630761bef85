package dangan.intake;

import dangan.access.Role;
import dangan.rules.RuleException;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Filed originals in done/ are sealed at rest (issue 10): no ID number or health value in clear on disk,
 * read back only by a manager or administrator (audited), shredded — key destroyed, file removed — by the
 * originals-shred job after dangan.intake.keep-originals-days.
 */
@Tag("service")
class SealedOriginalsTest {

    private static final String ID = "110101199003074514";
    private static final String CONTENT = "姓名,手机,身份证号,过敏史\n林芳,13900139021," + ID + ",青霉素过敏\n";

    @TempDir
    static Path home;
    @TempDir
    static Path out;
    static RunningService dangan;
    static SealedOriginals originals;
    static long ingest;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
        ApiClient.asNewUser(dangan, "gao.manager", Role.MANAGER);
        ApiClient.asNewUser(dangan, "he.desk", Role.FRONT_DESK);
        originals = dangan.bean("sealedOriginals", SealedOriginals.class);
        dangan.drop("members.csv", CONTENT, StandardCharsets.UTF_8);
        dangan.awaitHandled("members.csv");
        ingest = (Long) dangan.row("select id from ingest where source_name = 'members.csv' and status = 'done'").get("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> dangan.count("select count(*) from sealed_original where ingest_id = ?", ingest) == 1);
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    @Test
    void theOriginalInDoneIsSealedNothingInClear() throws Exception {
        Path sealed = home.resolve((String) dangan.row("select path from sealed_original where ingest_id = ?", ingest).get("path"));

        assertThat(sealed.getFileName().toString()).endsWith("-members.csv.sealed");
        assertThat(sealed.getParent().getParent()).isEqualTo(dangan.inbox().resolve("done"));
        assertThat(Files.exists(sealed.resolveSibling(sealed.getFileName().toString().replace(".sealed", ""))))
                .as("the clear file is gone").isFalse();
        assertThat(Files.getPosixFilePermissions(sealed)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String bytes = new String(Files.readAllBytes(sealed), StandardCharsets.ISO_8859_1);
        assertThat(bytes).doesNotContain(ID).doesNotContain("13900139021");
        assertThat(new String(Files.readAllBytes(sealed), StandardCharsets.UTF_8)).doesNotContain("青霉素");
    }

    @Test
    void aManagerReadsItBackAuditedFrontDeskCannot() throws Exception {
        assertThatThrownBy(() -> originals.open(ingest, "he.desk", out)).isInstanceOf(RuleException.NotPermitted.class);

        Path clear = originals.open(ingest, "gao.manager", out.resolve("originals"));

        assertThat(Files.readString(clear, StandardCharsets.UTF_8)).isEqualTo(CONTENT);
        assertThat(Files.getPosixFilePermissions(clear)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dangan.count("select count(*) from audit_log where action = 'read-original' and actor = 'gao.manager'"
                + " and detail like ?", "ingest #" + ingest + "%")).isOne();
    }

    @Test
    void afterTheKeepingPeriodTheJobShredsKeyAndFile() throws Exception {
        dangan.drop("old.csv", "姓名,手机\n钱七,13900139022\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("old.csv");
        long old = (Long) dangan.row("select id from ingest where source_name = 'old.csv' and status = 'done'").get("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> dangan.count("select count(*) from sealed_original where ingest_id = ?", old) == 1);
        Path sealed = home.resolve((String) dangan.row("select path from sealed_original where ingest_id = ?", old).get("path"));
        try (var c = dangan.service().database().dataSource().getConnection();
             var ps = c.prepareStatement("update sealed_original set sealed_at = now() - interval '91 days' where ingest_id = ?")) {
            ps.setLong(1, old);
            ps.executeUpdate();
        }

        dangan.service().camelContext().createProducerTemplate().sendBody("direct:job-originals-shred", null);

        assertThat(Files.exists(sealed)).isFalse();
        Map<String, Object> row = dangan.row("select wrapped_key, shredded_at is not null as shredded from sealed_original where ingest_id = ?", old);
        assertThat(row).containsEntry("wrapped_key", null).containsEntry("shredded", true);
        assertThatThrownBy(() -> originals.open(old, "gao.manager", out)).isInstanceOf(RuleException.NotFound.class);
        // the one within its keeping period stays
        assertThat(dangan.row("select shredded_at from sealed_original where ingest_id = ?", ingest)).containsEntry("shredded_at", null);
    }
}
