package dangan.reminders;

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
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lunar birthdays end to end: a GBK registration file with a 农历生日 column (and a lunar value in the
 * 出生日期 column) is filed, and the greetings job of a day in 2027 lists the lunar birthdays of the
 * coming week on their Gregorian days.
 */
@Tag("service")
class LunarGreetingsTest {

    static final LocalDate DAY = LocalDate.of(2027, 4, 5);

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of(
                "dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.reminders.festivals", "清明, 中秋节"));
        dangan.drop("会员登记.csv", """
                姓名,手机,出生日期,农历生日,营销同意
                王芳,13800000001,,农历三月初五,是
                李娜,13800000002,1985年农历三月初一,,是
                张伟,13800000003,,腊月初八,是
                赵敏,13800000004,,农历三月初三,否
                钱进,13800000005,1990-04-09,,是
                孙丽,13800000006,,农历十三月初一,是
                """, Charset.forName("GBK"));
        assertThat(dangan.awaitHandled("会员登记.csv").toString()).contains("/done/");
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void lunarBirthdaysAreKeptAsLunarDatesAndGreetedOnTheirGregorianDayOfTheYear() throws Exception {
        assertThat(dangan.rows("""
                select concat_ws('|', c.name, coalesce(l.lunar_year::text, '-'), l.lunar_month, l.leap_month, l.lunar_day,
                                 coalesce(c.birth_date::text, '-')) as row
                from lunar_birthday l join customer c on c.id = l.customer_id order by c.mobile""")).extracting(r -> r.get("row"))
                .containsExactly("王芳|-|3|f|5|-", "李娜|1985|3|f|1|1985-04-20", "张伟|-|12|f|8|-", "赵敏|-|3|f|3|-");
        // an impossible lunar date is a warning on its line, the archive is opened without it
        assertThat(Files.readString(dangan.rejectReport("会员登记.csv"))).contains("农历十三月初一");
        assertThat(dangan.count("select count(*) from customer where mobile = '13800000006'")).isEqualTo(1);

        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-greetings", null, JobDate.HEADER, DAY);

        List<CSVRecord> rows = csv(home.resolve("outbox/reminders/2027-04-05-greetings.csv"));
        assertThat(rows).extracting(r -> r.get("姓名") + "|" + r.get("到期日") + "|" + r.get("事由") + "|" + r.get("详情"))
                .containsExactly(
                        // 清明 by name, for everyone with a marketing grant (not 赵敏, who refused)
                        "王芳|2027年4月5日|节日：清明|节日：清明 | 场合：节日",
                        "李娜|2027年4月5日|节日：清明|节日：清明 | 场合：节日",
                        "张伟|2027年4月5日|节日：清明|节日：清明 | 场合：节日",
                        "钱进|2027年4月5日|节日：清明|节日：清明 | 场合：节日",
                        "孙丽|2027年4月5日|节日：清明|节日：清明 | 场合：节日",
                        // 农历三月初一 falls on 2027-04-07 this year (in 1985 it was 1985-04-20: greeted by the lunar date)
                        "李娜|2027年4月7日|生日|农历生日：农历三月初一 | 场合：生日",
                        "钱进|2027年4月9日|生日|出生日期：1990年4月9日 | 场合：生日",
                        "王芳|2027年4月11日|生日|农历生日：农历三月初五 | 场合：生日");
        // the JSON feed: ISO dates, codes, and who was left out: 赵敏's 清明 and lunar birthday (三月初三 = 2027-04-09)
        JsonNode json = new ObjectMapper().readTree(home.resolve("outbox/reminders/2027-04-05-greetings.json").toFile());
        assertThat(json.get("reminders").get(5).get("due_on").asText()).isEqualTo("2027-04-07");
        assertThat(json.get("reminders").get(5).get("facts").get("lunar").asText()).isEqualTo("农历三月初一");
        assertThat(json.get("due").asLong()).isEqualTo(10);
        assertThat(json.get("issued").asLong()).isEqualTo(8);
        assertThat(json.get("left_out").get("marketing-withdrawn").asLong()).isEqualTo(2);
        assertThat(json.get("left_out").get("no-marketing-consent").asLong()).isZero();
    }

    @Test
    void theVisitPlanListsTheLunarBirthdayOnItsGregorianDay() throws Exception {
        dangan.rows("update customer set created_at = '2026-03-01 10:00+08' returning id");
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-visit-plan", null, JobDate.HEADER, DAY);
        JsonNode plan = new ObjectMapper().readTree(home.resolve("outbox/reminders/2027-04-05.json").toFile());
        List<String> wangFang = new java.util.ArrayList<>();
        plan.get("reminders").forEach(r -> {
            if (r.get("name").asText().equals("王芳")) wangFang.add(r.get("facts").path("special_dates").toString());
        });
        assertThat(wangFang).isNotEmpty().allMatch(s -> s.contains("birthday (农历三月初五) 2027-04-11"));
        // the feed people read says it in Chinese, with the Gregorian day as people write it (the JSON above stays ISO)
        String feed = Files.readString(home.resolve("outbox/reminders/2027-04-05.csv"), StandardCharsets.UTF_8);
        assertThat(feed).contains("纪念日：生日（农历三月初五） 2027年4月11日").doesNotContain("birthday");
    }

    static List<CSVRecord> csv(Path file) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8).substring(1);
        return CSVFormat.EXCEL.builder().setHeader().get().parse(new StringReader(text)).getRecords();
    }
}
