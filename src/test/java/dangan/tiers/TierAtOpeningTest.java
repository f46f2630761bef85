package dangan.tiers;

import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merge tiers an archive opened by a line alone in its ingest as it inserts it; the listener
 * tiers the rest afterwards. Either way the tier and flags are what D-18 says of the archive's
 * facts once the ingest is filed — checked here against tier_for over the filed consumption.
 */
@Tag("service")
class TierAtOpeningTest {

    @TempDir
    static Path home;
    static RunningService dangan;
    static final LocalDate TODAY = LocalDate.now(ZoneId.of("Asia/Shanghai"));
    static final LocalDate UNTIL = TODAY.plusDays(1);
    static final LocalDate FROM = UNTIL.minusMonths(12);

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres"));
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    private static String line(String mobile, String email, LocalDate date, String amount, String contract, String kdm,
                               String org, String oop) {
        return String.join(",", "客" + mobile.substring(9), mobile, email, date == null ? "" : date.toString(), amount, contract,
                kdm, org, oop) + "\n";
    }

    private String tier(String mobile) throws Exception {
        return (String) dangan.row("select tier::text as t from customer where mobile = ?", mobile).get("t");
    }

    @Test
    void tiersAtOpeningAndAfterTheMergeFollowTheRulesOnTheFiledFacts() throws Exception {
        StringBuilder file = new StringBuilder("姓名,手机号码,邮箱,消费日期,消费金额,合同编号,关键决策人,重要单位,外省游客\n");
        file.append(line("13900000001", "", TODAY, "1300", "", "", "", ""));            // alone: A by spend, today counts
        file.append(line("13900000002", "", UNTIL, "5000", "", "", "", ""));            // alone: dated tomorrow, E
        file.append(line("13900000003", "", FROM, "900", "", "", "", ""));              // alone: first day of the window, B
        file.append(line("13900000004", "", FROM.minusDays(1), "900", "", "", "", "")); // alone: the day before, E
        file.append(line("13900000005", "", null, "900", "", "", "", ""));              // alone: no date, E
        file.append(line("13900000006", "", TODAY.minusDays(3), "450", "HT-1", "", "", "")); // alone, a contract: C
        file.append(line("13900000007", "", TODAY.minusDays(3), "", "", "", "", ""));   // alone: no amount, E
        file.append(line("13900000008", "", TODAY, "10", "", "是", "", ""));            // alone: key decision-maker, A
        file.append(line("13900000009", "", TODAY, "10", "", "", " YES ", ""));         // alone: important organisation, B
        file.append(line("13900000010", "", TODAY, "1300", "", "", "", "✓"));           // alone: out-of-province, but A by spend
        file.append(line("13900000011", "", TODAY, "10", "", "", "", "√"));             // alone: out-of-province, E
        file.append(line("13900000012", "a@example.cn", TODAY.minusDays(1), "150", "", "", "", "")); // two lines, one email
        file.append(line("13900000013", "", TODAY, "10", "", "", "", ""));              // alone
        file.append(line("13900000014", "a@example.cn", TODAY.minusDays(2), "150", "", "", "是", "")); // joins 12: its flag counts
        file.append(line("13900000015", "", TODAY.minusDays(5), "100", "", "", "", "")); // three lines, same mobile,
        file.append(line("13900000015", "", TODAY.minusDays(5), "100", "", "", "", "")); // the same visit twice (one fact)
        file.append(line("13900000015", "", TODAY.minusDays(6), "100", "", "", "", "")); // → 2 visits, ¥200: D
        dangan.drop("opening.csv", file.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("opening.csv").toString()).contains("/done/");

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("13900000001", "A");
        expected.put("13900000002", "E");
        expected.put("13900000003", "B");
        expected.put("13900000004", "E");
        expected.put("13900000005", "E");
        expected.put("13900000006", "C");
        expected.put("13900000007", "E");
        expected.put("13900000008", "A");
        expected.put("13900000009", "B");
        expected.put("13900000010", "A");
        expected.put("13900000011", "E");
        expected.put("13900000014", "B"); // the second line moved the mobile
        expected.put("13900000013", "E");
        expected.put("13900000015", "D");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(tier(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(dangan.row("select key_decision_maker, important_organisation, out_of_province from customer where mobile = ?",
                "13900000008")).containsEntry("key_decision_maker", true).containsEntry("important_organisation", false)
                .containsEntry("out_of_province", false);
        assertThat(dangan.row("select important_organisation from customer where mobile = ?", "13900000009"))
                .containsEntry("important_organisation", true);
        assertThat(dangan.row("select out_of_province from customer where mobile = ?", "13900000010"))
                .containsEntry("out_of_province", true);

        // every archive of the ingest: tier and flags are tier_for over what was filed (the listener's own rule)
        List<Map<String, Object>> mismatches = dangan.rows("""
                select c.mobile, c.tier::text as tier, f.expected from customer c
                cross join lateral (
                    select tier_for(count(x.id) filter (where x.visit_date >= ? and x.visit_date < ?),
                                    coalesce(sum(x.amount) filter (where x.visit_date >= ? and x.visit_date < ?), 0),
                                    c.key_decision_maker, c.important_organisation, c.out_of_province, null,
                                    '{12,1200,8,800,4,400,2,200}', 'E', 1)::text as expected
                    from consumption x where x.customer_id = c.id) f
                where c.source_ingest_id = (select source_ingest_id from customer where mobile = '13900000001')
                  and c.tier is distinct from f.expected""", FROM, UNTIL, FROM, UNTIL);
        assertThat(mismatches).isEmpty();
        List<Map<String, Object>> flagMismatches = dangan.rows("""
                select mobile from customer c
                where c.source_ingest_id = (select source_ingest_id from customer where mobile = '13900000001')
                  and (c.key_decision_maker, c.important_organisation, c.out_of_province) is distinct from (
                      coalesce(lower(trim(c.extra ->> '关键决策人')) = any ('{是,y,yes,true,1,√,✓}'), false),
                      coalesce(lower(trim(c.extra ->> '重要单位')) = any ('{是,y,yes,true,1,√,✓}'), false),
                      coalesce(lower(trim(c.extra ->> '外省游客')) = any ('{是,y,yes,true,1,√,✓}'), false))""");
        assertThat(flagMismatches).isEmpty();
        assertThat(dangan.count("select count(*) from customer where tier is null")).isZero();
    }
}
