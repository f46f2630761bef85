package dangan.consent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.jobs.JobDate;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A customer base collected without any consent record (a legacy file): the visit plan (service
 * relationship) reaches them and says so in counts; greetings (marketing) are withheld and counted;
 * paper consent recorded for the whole file afterwards (a consent column) is filed per customer and audited.
 */
@Tag("service")
class ConsentPerJobTest {

    static final LocalDate DAY = LocalDate.of(2026, 12, 28);

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres"));
        dangan.drop("老客户.csv", """
                姓名,手机,地址
                老王,13700000001,成都
                老李,13700000002,成都
                老张,13700000003,重庆
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("老客户.csv").toString()).contains("/done/");
        assertThat(dangan.count("select count(*) from consent")).isZero();
        // opened a year ago: the monthly call of tier E is long due
        dangan.rows("update customer set created_at = '2025-12-01 10:00+08' returning id");
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    /** One story, in its order (no test depends on another's run): the plan, greetings, paper consent, then a withdrawal. */
    @Test
    void visitsReachTheServiceRelationshipGreetingsWaitForAMarketingGrantAndAContactWithdrawalTakesOnlyVisits() throws Exception {
        String plan = run("visit-plan", DAY);
        List<CSVRecord> visits = csv("2026-12-28.csv");
        assertThat(visits).extracting(r -> r.get("姓名") + "|" + r.get("负责岗位") + "|" + r.get("方式") + "|" + r.get("到期日"))
                .containsExactlyInAnyOrder("老王|外联专员|电话|2026年1月1日", "老李|外联专员|电话|2026年1月1日", "老张|外联专员|电话|2026年1月1日");
        JsonNode planJson = json("2026-12-28.json");
        assertThat(planJson.get("due").asLong()).isEqualTo(3);
        assertThat(planJson.get("issued").asLong()).isEqualTo(3);
        assertThat(planJson.get("consent_purpose").asText()).isEqualTo("contact");
        assertThat(planJson.get("left_out").get("no-marketing-consent").asLong()).isZero();
        assertThat(plan).isEqualTo("拜访计划 2026年12月28日：到期 3 条，新发 3 条；共 3 条，见 2026-12-28.csv 和 2026-12-28.json（"
                + plan.substring(plan.lastIndexOf('（') + 1));

        // 元旦 (01-01) is in the greetings window: no greeting without a marketing grant, and the feed says why
        String greetings = run("greetings", DAY);
        assertThat(csv("2026-12-28-greetings.csv")).isEmpty();
        JsonNode greetingsJson = json("2026-12-28-greetings.json");
        assertThat(greetingsJson.get("due").asLong()).isEqualTo(3);
        assertThat(greetingsJson.get("issued").asLong()).isZero();
        assertThat(greetingsJson.get("count").asLong()).isZero();
        assertThat(greetingsJson.get("consent_purpose").asText()).isEqualTo("marketing");
        assertThat(greetingsJson.get("left_out").get("no-marketing-consent").asLong()).isEqualTo(3);
        assertThat(greetings).startsWith("问候 2026年12月28日：到期 3 条，新发 0 条，3 条因无营销同意未发；共 0 条");

        // the paper forms of the whole file are found: a consent column (filled down) and the wording's version
        dangan.drop("老客户-纸质同意书.csv", """
                姓名,手机,营销同意,同意书版本
                老王,13700000001,是,纸质-2019
                老李,13700000002,是,纸质-2019
                老张,13700000003,是,纸质-2019
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("老客户-纸质同意书.csv").toString()).contains("/done/");
        assertThat(dangan.rows("select purpose, granted, source, wording_version from consent order by customer_id"))
                .extracting(r -> r.get("purpose") + "|" + r.get("granted") + "|" + r.get("source") + "|" + r.get("wording_version"))
                .containsOnly("marketing|true|file:registrations|纸质-2019").hasSize(3);
        assertThat(dangan.row("select detail from audit_log where action = 'change' order by id desc limit 1").get("detail").toString())
                .endsWith("；记录同意：营销 同意 3（同意书版本 纸质-2019）");

        run("greetings", DAY.plusDays(1));
        assertThat(csv("2026-12-29-greetings.csv")).extracting(r -> r.get("姓名") + "|" + r.get("事由") + "|" + r.get("到期日"))
                .containsExactlyInAnyOrder("老王|节日：元旦|2027年1月1日", "老李|节日：元旦|2027年1月1日", "老张|节日：元旦|2027年1月1日");
        assertThat(json("2026-12-29-greetings.json").get("left_out").get("no-marketing-consent").asLong()).isZero();

        // a contact withdrawal takes the customer off visits but not off greetings, and the CSV counts say why
        LocalDate day = DAY;
        assertThat(csv(day + ".counts.csv")).singleElement().satisfies(r -> {
            assertThat(r.get("任务")).isEqualTo("拜访计划");
            assertThat(r.get("日期")).isEqualTo("2026年12月28日");
            assertThat(r.get("所需同意")).isEqualTo("服务联系（未要求不再联系）");
            assertThat(r.get("到期") + "|" + r.get("新发") + "|" + r.get("清单条数") + "|" + r.get("要求不再联系未发")
                    + "|" + r.get("无营销同意未发")).isEqualTo("3|3|3|0|0");
        });

        // 老张 keeps the service relationship but asks not to be called: a column on a file (同意回访 否)
        dangan.drop("老客户-回访.csv", """
                姓名,手机,同意回访,同意书版本
                老张,13700000003,否,纸质-2019
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("老客户-回访.csv").toString()).contains("/done/");
        assertThat(dangan.rows("select c.name, k.purpose, k.granted, k.source from consent k join customer c on c.id = k.customer_id"
                + " where k.purpose = 'contact'")).extracting(r -> r.get("name") + "|" + r.get("granted") + "|" + r.get("source"))
                .containsExactly("老张|false|file:registrations");

        // the same day again: the feed, rewritten, leaves out the visit issued before, and every count says why
        String planAgain = run("visit-plan", day);
        assertThat(planAgain).startsWith("拜访计划 2026年12月28日：到期 3 条，新发 0 条，1 条因客户要求不再联系未发；共 2 条");
        assertThat(csv(day + ".csv")).extracting(r -> r.get("姓名")).containsExactlyInAnyOrder("老王", "老李");
        JsonNode planAgainJson = json(day + ".json");
        assertThat(planAgainJson.get("consent_purpose").asText()).isEqualTo("contact");
        assertThat(planAgainJson.get("left_out").get("contact-objected").asLong()).isEqualTo(1);
        assertThat(csv(day + ".counts.csv")).singleElement().satisfies(r ->
                assertThat(r.get("到期") + "|" + r.get("新发") + "|" + r.get("清单条数") + "|" + r.get("要求不再联系未发"))
                        .isEqualTo("3|0|2|1"));

        // greetings are marketing: a contact withdrawal does not withhold them (a marketing withdrawal would)
        String greetingsAfter = run("greetings", day.plusDays(1));
        assertThat(greetingsAfter).doesNotContain("不再联系");
        assertThat(csv("2026-12-29-greetings.csv")).extracting(r -> r.get("姓名")).containsExactlyInAnyOrder("老王", "老李", "老张");
    }

    /** Runs a job for a day; its answer is the line it logged. */
    static String run(String job, LocalDate day) {
        return dangan.service().camelContext().createProducerTemplate()
                .requestBodyAndHeader("direct:job-" + job, null, JobDate.HEADER, day, String.class);
    }

    static List<CSVRecord> csv(String name) throws Exception {
        String text = Files.readString(home.resolve("outbox/reminders").resolve(name), StandardCharsets.UTF_8).substring(1);
        return CSVFormat.EXCEL.builder().setHeader().get().parse(new StringReader(text)).getRecords();
    }

    static JsonNode json(String name) throws Exception {
        return new ObjectMapper().readTree(home.resolve("outbox/reminders").resolve(name).toFile());
    }
}
