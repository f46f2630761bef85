package dangan.reminders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dangan.jobs.JobDate;
import dangan.support.RunningService;
import dangan.support.TestMailbox;
import jakarta.mail.internet.MimeMessage;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reminder jobs and the visits drop folder end to end: real routes, real Quartz, real PostgreSQL, GreenMail. */
@Tag("service")
class RemindersTest {

    static final LocalDate DAY = LocalDate.of(2026, 11, 24);

    @RegisterExtension
    @Order(1)
    static GreenMailExtension mail = new GreenMailExtension(TestMailbox.patient(ServerSetupTest.SMTP))
            .withPerMethodLifecycle(false);

    // one service for the class, with the same four archives filed once; every test starts from no reminders, no
    // visits, no feeds and an empty mailbox (what the jobs and the visits folder write; the archives stay as filed)
    @RegisterExtension
    @Order(2)
    static final RunningService dangan = RunningService.perClass(() -> {
        Map<String, String> s = new HashMap<>(TestMailbox.smtp(mail));
        s.put("dangan.reminders.digest.to", "marketing@dangan.example");
        s.put("dangan.reminders.festivals", "11-26 测试节, 2027-02-06 春节");
        // the feeds as a system reads them (English keys, codes, ISO dates); the digest in English
        s.put("dangan.feeds.headings", "keys");
        s.put("dangan.locale", "en");
        return s;
    });

    static final ObjectMapper JSON = new ObjectMapper();

    static Path home;

    @BeforeAll
    static void fourArchives() throws Exception {
        home = dangan.home();
        // a fresh archive set, through a registration file
        dangan.drop("guests.csv", """
                姓名,手机,出生日期,性别,地址,偏好,过敏史,结婚纪念日,消费日期,消费金额,服务项目,营销同意,敏感信息同意
                王芳,13800000001,1985-11-28,女,深圳福田,靠窗座位,花生,2010-12-05,2026-11-23,1280,宴会,是,是
                李娜,13800000002,1990-01-15,女,深圳南山,安静房间,青霉素,,,,,同意,同意
                张伟,13800000003,,,,,,,,,,yes,
                =1+2赵,13800000004,1970-03-03,男,广州,茶,,,,,,Y,
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("guests.csv").toString()).contains("/done/");
        // tiers are another flow's work: set them here (null counts as E)
        dangan.rows("update customer set tier = 'A' where mobile = '13800000001' returning id");
        dangan.rows("update customer set tier = 'C' where mobile = '13800000002' returning id");
        dangan.rows("update customer set created_at = '2026-10-01 10:00+08' returning id");
        dangan.rows("update customer set created_at = '2026-06-01 10:00+08' where mobile = '13800000003' returning id");
        // filing a line with a mobile confirms the contact data (D-30): here, 张伟's was confirmed long ago
        dangan.rows("update customer set contact_confirmed_at = '2026-11-01 10:00+08' returning id");
        dangan.rows("update customer set contact_confirmed_at = '2026-06-01 10:00+08' where mobile = '13800000003' returning id");
        dangan.rows("""
                insert into feedback (customer_id, kind, status, comment, submitted_at)
                select id, 'complaint', 'open', '房间太吵', '2026-11-10 12:00+08' from customer where mobile = '13800000001' returning id""");
    }

    @BeforeEach
    void noRemindersVisitsFeedsOrMails() throws Exception {
        dangan.rows("delete from reminder returning id");
        dangan.rows("delete from visit_ledger returning id");
        Path feeds = home.resolve("outbox").resolve("reminders");
        if (Files.isDirectory(feeds)) {
            try (var files = Files.list(feeds)) {
                for (Path f : files.toList()) Files.delete(f);
            }
        }
        mail.purgeEmailFromAllMailboxes();
    }

    void runJob(String job, LocalDate day) {
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-" + job, null, JobDate.HEADER, day);
    }

    Path outbox(String name) {
        return home.resolve("outbox").resolve("reminders").resolve(name);
    }

    static List<CSVRecord> csv(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).startsWith(0xEF, 0xBB, 0xBF);
        return CSVFormat.EXCEL.builder().setHeader().get().parse(new StringReader(new String(bytes, StandardCharsets.UTF_8).substring(1)))
                .getRecords();
    }

    static CSVRecord only(List<CSVRecord> rows, String mobile, String role) {
        List<CSVRecord> hits = rows.stream().filter(r -> r.get("mobile").equals(mobile) && r.get("owner_role").equals(role)).toList();
        assertThat(hits).as("rows for %s / %s", mobile, role).hasSize(1);
        return hits.get(0);
    }

    @Test
    void schedulesAreInTheClusteredStoreWithTheirCron() throws Exception {
        assertThat(dangan.row("select cron_expression from qrtz_cron_triggers where trigger_name = 'visit-plan'"))
                .containsEntry("cron_expression", "0 0 6 * * ?");
        assertThat(dangan.row("select cron_expression from qrtz_cron_triggers where trigger_name = 'staleness'"))
                .containsEntry("cron_expression", "0 30 6 1 1,4,7,10 ?");
    }

    @Test
    void visitPlanListsTheVisitsDueWithTheirFactsFilesAndDigest() throws Exception {
        runJob("visit-plan", DAY);

        List<CSVRecord> rows = csv(outbox("2026-11-24.csv"));
        assertThat(rows).hasSize(5); // A: store manager and sales manager; C; E (no tier); E
        CSVRecord store = only(rows, "13800000001", "store-manager");
        assertThat(store.get("due_on")).isEqualTo("2026-12-01");
        assertThat(store.get("channel")).isEqualTo("visit");
        assertThat(store.get("details")).contains("靠窗座位").contains("房间太吵").contains("宴会")
                .contains("birthday 2026-11-28").contains("wedding_anniversary 2026-12-05");
        assertThat(store.get("health")).isEqualTo("allergy: 花生");
        assertThat(only(rows, "13800000001", "sales-manager").get("due_on")).isEqualTo("2026-11-01");
        CSVRecord li = only(rows, "13800000002", "outreach-supervisor");
        assertThat(li.get("channel")).isEqualTo("phone");
        assertThat(li.get("details")).contains("安静房间");
        assertThat(li.get("health")).isEmpty();
        assertThat(only(rows, "13800000003", "outreach-staff").get("tier")).isEqualTo("E");
        assertThat(only(rows, "13800000004", "outreach-staff").get("name")).isEqualTo("'=1+2赵");

        JsonNode json = JSON.readTree(outbox("2026-11-24.json").toFile());
        assertThat(json.get("count").asInt()).isEqualTo(5);
        assertThat(json.get("reminders")).hasSize(5);
        for (JsonNode r : json.get("reminders")) {
            if (r.get("owner_role").asText().equals("outreach-supervisor")) {
                assertThat(r.has("health")).isFalse();
                assertThat(r.toString()).doesNotContain("青霉素").doesNotContain("allergy");
            }
            if (r.get("owner_role").asText().equals("store-manager")) {
                assertThat(r.get("health").get(0).asText()).isEqualTo("allergy: 花生");
                assertThat(r.get("name").asText()).isEqualTo("王芳");
            }
        }
        // nothing in the database holds health data in clear
        assertThat(dangan.count("select count(*) from reminder where facts::text like '%花生%' or facts::text like '%青霉素%'")).isZero();

        // the digest: one mail with what was issued, no health data
        assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage digest = mail.getReceivedMessages()[0];
        assertThat(digest.getSubject()).isEqualTo("Dangan visit plan 24 November 2026: 5 new reminders");
        assertThat(digest.getAllRecipients()[0].toString()).isEqualTo("marketing@dangan.example");
        String body = GreenMailUtil.getBody(digest);
        String text = new String(jakarta.mail.internet.MimeUtility.decode(
                new java.io.ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)), "quoted-printable").readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text).contains("== store manager (1) ==").contains("2026-11-24.csv").doesNotContain("花生");
        assertThat(dangan.count("select count(*) from reminder where job = 'visit-plan' and digested_at is null")).isZero();
    }

    @Test
    void reRunningTheDayIssuesNothingTwice() throws Exception {
        runJob("visit-plan", DAY);
        assertThat(mail.getReceivedMessages()).hasSize(1); // the day's digest
        long before = dangan.count("select count(*) from reminder");
        runJob("visit-plan", DAY);
        runJob("visit-plan", DAY);
        assertThat(dangan.count("select count(*) from reminder")).isEqualTo(before);
        assertThat(csv(outbox("2026-11-24.csv"))).hasSize(5); // the day's list, again
        // the job routes run in the caller's thread, the digest included: both re-runs are over, nothing is owed
        assertThat(dangan.count("select count(*) from reminder where job = 'visit-plan' and digested_at is null")).isZero();
        assertThat(mail.getReceivedMessages()).hasSize(1); // nothing new: no second digest
        // the next day re-issues nothing already open
        runJob("visit-plan", DAY.plusDays(1));
        assertThat(csv(outbox("2026-11-25.csv"))).isEmpty();
    }

    @Test
    void aVisitsFileClosesTheReminderAndMovesTheNextDueDate() throws Exception {
        runJob("visit-plan", DAY); // the reminders the visits close
        String archiveNo = (String) dangan.row("select archive_no from customer where mobile = '13800000001'").get("archive_no");
        Path inbox = home.resolve("inbox").resolve("visits");
        Path staging = Files.createTempFile(home, "copying-", ".tmp");
        Files.writeString(staging, "archive_no,mobile,visited_on,staff,role,channel,outcome,notes\n"
                + archiveNo + ",,2026-11-20,刘店长,sales-manager,上门,满意,=cmd\n"
                + ",13800000002,2026-11-21,陈主管,outreach-supervisor,phone,ok,\n"
                + ",13899999999,2026-11-21,陈主管,outreach-supervisor,phone,,\n"
                + archiveNo + ",,2026-11-21,刘店长,boss,visit,,\n"
                + archiveNo + ",,2026-13-01,刘店长,sales-manager,fax,,\n", StandardCharsets.UTF_8);
        Files.move(staging, inbox.resolve("visits.csv"), StandardCopyOption.ATOMIC_MOVE);
        awaitDone(inbox, "visits.csv");

        assertThat(dangan.row("select status, rows_total, rows_updated, rows_rejected from ingest where source_name = 'visits.csv'"))
                .containsEntry("status", "done").containsEntry("rows_total", 5).containsEntry("rows_updated", 2)
                .containsEntry("rows_rejected", 3);
        assertThat(dangan.row("select l.channel, l.owner_role, l.staff from visit_ledger l join customer c on c.id = l.customer_id"
                + " where c.mobile = '13800000001'")).containsEntry("channel", "visit").containsEntry("owner_role", "sales-manager");
        assertThat(dangan.row("select r.status, closed_by_visit is not null as linked from reminder r join customer c on c.id = r.customer_id"
                + " where c.mobile = '13800000001' and r.owner_role = 'sales-manager'"))
                .containsEntry("status", "closed").containsEntry("linked", true);
        assertThat(dangan.row("select r.status from reminder r join customer c on c.id = r.customer_id"
                + " where c.mobile = '13800000001' and r.owner_role = 'store-manager'")).containsEntry("status", "open");

        List<CSVRecord> rejects = csv(home.resolve("outbox").resolve("rejects").resolve("visits.csv.rejects.csv"));
        assertThat(rejects).extracting(r -> r.get("line") + "|" + r.get("column")).containsExactlyInAnyOrder(
                "4|mobile", "5|role", "6|visited_on", "6|channel");
        assertThat(rejects.get(0).get("reason")).isNotBlank();

        // the next plan counts from the visit: sales manager monthly → due 2026-12-20
        runJob("visit-plan", LocalDate.of(2026, 11, 26));
        List<CSVRecord> next = csv(outbox("2026-11-26.csv"));
        assertThat(next).hasSize(2);
        assertThat(only(next, "13800000001", "sales-manager").get("due_on")).isEqualTo("2026-12-20");
        // outreach supervisor, phone=1|visit=2, phoned on 2026-11-21 → 2026-12-21
        assertThat(only(next, "13800000002", "outreach-supervisor").get("due_on")).isEqualTo("2026-12-21");
        assertThat(JSON.readTree(outbox("2026-11-26.json").toFile()).get("count").asInt()).isEqualTo(2);
    }

    @Test
    void aVisitRecordedTwiceIsOneLedgerEntry() throws Exception {
        Path inbox = home.resolve("inbox").resolve("visits");
        Path first = Files.createTempFile(home, "copying-", ".tmp");
        Files.writeString(first, "archive_no,mobile,visited_on,staff,role,channel,outcome,notes\n"
                + ",13800000002,2026-11-21,陈主管,outreach-supervisor,phone,ok,\n", StandardCharsets.UTF_8);
        Files.move(first, inbox.resolve("visit-once.csv"), StandardCopyOption.ATOMIC_MOVE);
        awaitDone(inbox, "visit-once.csv");
        assertThat(dangan.count("select count(*) from visit_ledger l join customer c on c.id = l.customer_id where c.mobile = '13800000002'"))
                .isEqualTo(1);

        Path staging = Files.createTempFile(home, "copying-", ".tmp");
        Files.writeString(staging, "手机,拜访日期,拜访人,角色,方式,结果\n13800000002,2026/11/21,陈主管,outreach-supervisor,电话,again\n",
                StandardCharsets.UTF_8);
        Files.move(staging, inbox.resolve("visits-again.csv"), StandardCopyOption.ATOMIC_MOVE);
        awaitDone(inbox, "visits-again.csv");
        assertThat(dangan.row("select rows_total, rows_updated, rows_duplicate from ingest where source_name = 'visits-again.csv'"))
                .containsEntry("rows_total", 1).containsEntry("rows_updated", 0).containsEntry("rows_duplicate", 1);
        assertThat(dangan.count("select count(*) from visit_ledger l join customer c on c.id = l.customer_id where c.mobile = '13800000002'"))
                .isEqualTo(1);
    }

    @Test
    void greetingsComeTheConfiguredDaysAhead() throws Exception {
        runJob("greetings", DAY);
        List<CSVRecord> rows = csv(outbox("2026-11-24-greetings.csv"));
        // the birthday on 11-28 (4 days ahead), the festival on 11-26 for everyone; not the anniversary on 12-05
        assertThat(rows).extracting(r -> r.get("mobile") + "|" + r.get("subject") + "|" + r.get("due_on") + "|" + r.get("owner_role")
                + "|" + r.get("channel")).containsExactlyInAnyOrder(
                "13800000001|birthday|2026-11-28|sales-manager|letter",
                "13800000001|festival:测试节|2026-11-26|sales-manager|letter",
                "13800000002|festival:测试节|2026-11-26|outreach-supervisor|phone",
                "13800000003|festival:测试节|2026-11-26|outreach-staff|phone",
                "13800000004|festival:测试节|2026-11-26|outreach-staff|phone");
        runJob("greetings", LocalDate.of(2026, 11, 28));
        assertThat(csv(outbox("2026-11-28-greetings.csv"))).extracting(r -> r.get("subject") + "|" + r.get("due_on"))
                .containsExactly("wedding_anniversary|2026-12-05");
        assertThat(JSON.readTree(outbox("2026-11-28-greetings.json").toFile()).get("reminders").get(0).get("facts").get("occasion").asText())
                .isEqualTo("wedding_anniversary");
    }

    @Test
    void followUpsTheDayAfterAVisit() throws Exception {
        runJob("follow-ups", DAY);
        List<CSVRecord> rows = csv(outbox("2026-11-24-follow-ups.csv"));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("mobile")).isEqualTo("13800000001");
        assertThat(rows.get(0).get("owner_role")).isEqualTo("service");
        assertThat(rows.get(0).get("details")).contains("宴会").contains("1280");
    }

    @Test
    void stalenessListsContactDataNotConfirmedFor90Days() throws Exception {
        runJob("staleness", DAY);
        List<CSVRecord> rows = csv(outbox("2026-11-24-staleness.csv"));
        assertThat(rows).extracting(r -> r.get("mobile") + "|" + r.get("owner_role")).containsExactly("13800000003|front-desk");
    }

    @Test
    void completenessGroupsMissingInformationByPost() throws Exception {
        runJob("completeness", DAY);
        List<CSVRecord> rows = csv(outbox("2026-11-24-completeness.csv"));
        assertThat(rows).extracting(r -> r.get("mobile") + "|" + r.get("owner_role") + "|" + r.get("subject"))
                .containsExactly("13800000003|front-desk|address,birth_date,gender", "13800000003|service|preferences");
        JsonNode json = JSON.readTree(outbox("2026-11-24-completeness.json").toFile());
        assertThat(json.get("reminders").get(0).get("facts").get("missing")).hasSize(3);
    }

    @Test
    void theScheduleFiresTheJobThroughQuartz() throws Exception {
        org.apache.camel.component.quartz.QuartzComponent quartz =
                dangan.service().camelContext().getRegistry().lookupByNameAndType("quartz", org.apache.camel.component.quartz.QuartzComponent.class);
        Path today = outbox(LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")) + ".json");
        java.nio.file.attribute.FileTime before = Files.exists(today) ? Files.getLastModifiedTime(today) : null;
        long runs = dangan.count("select count(*) from job_run where job = 'visit-plan'");
        quartz.getScheduler().triggerJob(org.quartz.JobKey.jobKey("visit-plan", "dangan"));
        await("the triggered visit plan's run recorded").atMost(Duration.ofSeconds(30))
                .until(() -> dangan.count("select count(*) from job_run where job = 'visit-plan'"), n -> n > runs);
        assertThat(dangan.row("select status from job_run where job = 'visit-plan' order by id desc limit 1"))
                .containsEntry("status", "done");
        assertThat(Files.getLastModifiedTime(today)).isNotEqualTo(before);
        assertThat(JSON.readTree(today.toFile()).get("job").asText()).isEqualTo("visit-plan");
        // digests carry only the mail's own headers, never the schedule's
        for (MimeMessage m : mail.getReceivedMessages()) {
            assertThat(m.getHeader("fireTime")).isNull();
            assertThat(m.getHeader("DanganJobDate")).isNull();
            assertThat(m.getContentType()).contains("UTF-8");
        }
    }

    static void awaitDone(Path inbox, String name) {
        assertThat(RunningService.awaitHandled(inbox, name, Duration.ofSeconds(60)).toString()).contains("/done/");
    }
}
