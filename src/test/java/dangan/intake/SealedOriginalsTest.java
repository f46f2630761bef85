package dangan.intake;

import dangan.access.Role;
import dangan.app.Dangan;
import dangan.rules.RuleException;
import dangan.support.ApiClient;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
        long deniedBefore = dangan.count(DENIED_DESK, "导入 #" + ingest + "：不是在职的经理或系统管理员");
        assertThatThrownBy(() -> originals.open(ingest, "he.desk", out)).isInstanceOf(RuleException.NotPermitted.class);
        assertThat(dangan.count(DENIED_DESK, "导入 #" + ingest + "：不是在职的经理或系统管理员")).as("the refusal audited").isEqualTo(deniedBefore + 1);

        Path clear = originals.open(ingest, "gao.manager", out.resolve("originals"));

        assertThat(Files.readString(clear, StandardCharsets.UTF_8)).isEqualTo(CONTENT);
        assertThat(Files.getPosixFilePermissions(clear)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dangan.count("select count(*) from audit_log where action = 'read-original' and actor = 'gao.manager'"
                + " and detail = ?", "导入 #" + ingest + "：原件 " + clear.getFileName() + " 已写到 " + clear)).isOne();
    }

    private static final String DENIED_DESK =
            "select count(*) from audit_log where action = 'read-original' and actor = 'he.desk' and outcome = 'denied' and detail like ?";

    /** {@code dangan ingest original ID --by NAME --to FOLDER} through main's command line, beside the running service. */
    @Test
    void theIngestOriginalCommandGivesAManagerTheDroppedFileAndRefusesOthersAudited() throws Exception {
        StringBuilder text = new StringBuilder(Files.readString(Path.of("config", "application.properties")));
        text.append("\ndangan.home=").append(home.toString().replace("\\", "\\\\"))
                .append("\ndangan.master-key=").append(RunningService.TEST_MASTER_KEY)
                .append("\ndangan.db.url=").append(dangan.service().settings().get("dangan.db.url"))
                .append("\ndangan.db.user=").append(dangan.service().settings().get("dangan.db.user"))
                .append("\ndangan.columns=").append(Path.of("config", "columns.properties").toAbsolutePath()).append('\n');
        Path config = Files.writeString(out.resolve("command.properties"), text, StandardCharsets.UTF_8);
        Path folder = out.resolve("by-command");

        String[] desk = {"--config", config.toString(), "ingest", "original", String.valueOf(ingest), "--by", "he.desk", "--to", folder.toString()};
        assertThat(Dangan.commandLine(desk, new PrintStream(OutputStream.nullOutputStream()), new PrintStream(OutputStream.nullOutputStream()))
                .execute(desk)).isNotZero();
        assertThat(folder.resolve(clearName())).doesNotExist();

        long readsBefore = dangan.count("select count(*) from audit_log where action = 'read-original' and actor = 'gao.manager' and outcome = 'ok'");
        String[] manager = {"--config", config.toString(), "ingest", "original", String.valueOf(ingest), "--by", "gao.manager", "--to", folder.toString()};
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        ByteArrayOutputStream problems = new ByteArrayOutputStream();
        assertThat(Dangan.commandLine(manager, new PrintStream(said, true, StandardCharsets.UTF_8), new PrintStream(problems, true, StandardCharsets.UTF_8))
                .execute(manager)).as("%s%s", said, problems).isZero();

        Path clear = folder.resolve(clearName());
        assertThat(said.toString(StandardCharsets.UTF_8)).contains(clear.toString());
        assertThat(Files.readAllBytes(clear)).isEqualTo(CONTENT.getBytes(StandardCharsets.UTF_8));
        assertThat(Files.getPosixFilePermissions(clear)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dangan.count("select count(*) from audit_log where action = 'read-original' and actor = 'gao.manager' and outcome = 'ok'"))
                .isEqualTo(readsBefore + 1);
    }

    /** The name the original is written back under: its name in done/ without .sealed. */
    private static String clearName() throws Exception {
        String sealed = Path.of((String) dangan.row("select path from sealed_original where ingest_id = ?", ingest).get("path")).getFileName().toString();
        return sealed.substring(0, sealed.length() - SealedOriginals.SUFFIX.length());
    }

    /**
     * A crash between the move to done/ and sealing leaves the filed original in clear in done/, its ingest
     * done and no sealed_original row; a crash while sealing leaves, beside it, a sealed file never recorded.
     * The catch-up (on start, and in the originals-shred job) seals both, under their ingest, logged once.
     */
    @Test
    void anOriginalACrashLeftInClearInDoneIsSealedByTheCatchUpLoggedOnce() throws Exception {
        String content = "姓名,手机,身份证号\n韩梅,13900139031,11010519491231002X\n";
        dangan.drop("crashed.csv", content, StandardCharsets.UTF_8);
        dangan.awaitHandled("crashed.csv");
        long crashed = (Long) dangan.row("select id from ingest where source_name = 'crashed.csv' and status = 'done'").get("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> dangan.count("select count(*) from sealed_original where ingest_id = ?", crashed) == 1);
        // where the crashes leave it: the clear file in done/<date>/, and (crash while sealing) an old unrecorded .sealed
        Path day = dangan.inbox().resolve("done").resolve("2026-11-30");
        Files.createDirectories(day);
        Path clear = Files.writeString(day.resolve("235959-crashed.csv"), content, StandardCharsets.UTF_8);
        Path other = Files.writeString(day.resolve("235958-half-sealed.csv"), "姓名,手机\n李雷,13900139032\n", StandardCharsets.UTF_8);
        Path remnant = Files.write(other.resolveSibling(other.getFileName() + SealedOriginals.SUFFIX), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(remnant, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofHours(1))));
        try (var c = dangan.service().database().dataSource().getConnection();
             var ps = c.prepareStatement("delete from sealed_original where ingest_id = ?")) {
            ps.setLong(1, crashed);
            ps.executeUpdate();
        }

        try (LogCapture log = LogCapture.start()) {
            dangan.service().camelContext().createProducerTemplate().sendBody("direct:job-originals-shred", null);
            dangan.service().camelContext().createProducerTemplate().sendBody("direct:job-originals-shred", null);

            assertThat(log.byThread("").stream().map(e -> e.getFormattedMessage())
                    .filter(m -> m.contains("235959-crashed.csv")).toList()).as("logged once").hasSize(1);
        }
        assertThat(clear).doesNotExist();
        assertThat(other).doesNotExist();
        String path = home.relativize(clear.resolveSibling(clear.getFileName() + SealedOriginals.SUFFIX)).toString();
        assertThat(dangan.row("select ingest_id, channel from sealed_original where path = ?", path))
                .containsEntry("ingest_id", crashed).containsEntry("channel", "registrations");
        assertThat(new String(Files.readAllBytes(home.resolve(path)), StandardCharsets.ISO_8859_1)).doesNotContain("11010519491231002X");
        assertThat(dangan.count("select count(*) from sealed_original where path = ?",
                home.relativize(remnant).toString())).as("the remnant replaced by a recorded seal").isOne();
        assertThat(Files.size(remnant)).isGreaterThan(3);
        assertThat(Files.readString(originals.open(crashed, "gao.manager", out.resolve("caught-up")), StandardCharsets.UTF_8)).isEqualTo(content);
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
