package dangan.intake;

import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unrecognised headings leak no sensitive data (issue 10): Traditional characters and variants of the
 * ID and health headings are recognised; a valid resident ID in any other column is an ID number (sealed,
 * masked, matched), whatever its heading; a column whose heading looks sensitive is held back, never
 * filed in clear in customer.extra (which front desk sees).
 */
@Tag("service")
class UnrecognisedHeadingsTest {

    private static final String ID_A = "110101199003074514";
    private static final String ID_B = "320102198511110025";
    private static final String ID_C = "440304197805231232";

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();

    @BeforeAll
    static void fileTheCards() throws Exception {
        dangan.drop("cards.csv", """
                姓名,手机,身份證號碼,身體狀況,备注,病历,会员等级
                张三,13900139011,%s,高血压,常客,糖尿病复诊,金卡
                李四,13900139012,,,客户身份证 %s 已核对,,银卡
                王五,,,,%s,,
                """.formatted(ID_A, ID_B, ID_C), StandardCharsets.UTF_8);
        dangan.awaitHandled("cards.csv");
    }

    /** Input limits: a value longer than its field takes (dangan.normalise.MaxLength) rejects its line, named, not echoed. */
    @Test
    void aValueLongerThanItsFieldTakesRejectsTheLineNamingFieldAndLimit() throws Exception {
        String longAddress = "深圳".repeat(151); // 302 characters, the address takes 300
        String longExtra = "金".repeat(501);     // an extra attribute takes 500
        dangan.drop("long-values.csv", """
                姓名,手机,地址,会员等级
                长地址,13900139051,%s,金卡
                长备注,13900139052,深圳,%s
                刚好,13900139053,%s,银卡
                """.formatted(longAddress, longExtra, "深".repeat(300)), StandardCharsets.UTF_8);
        dangan.awaitHandled("long-values.csv");

        assertThat(dangan.count("select count(*) from customer where mobile in ('13900139051', '13900139052')")).isZero();
        assertThat(dangan.row("select length(address) as n from customer where mobile = '13900139053'")).containsEntry("n", 300);
        String report = Files.readString(dangan.rejectReport("long-values.csv"), StandardCharsets.UTF_8);
        assertThat(report).contains("“地址” 有 302 个字符，超过该字段的上限 300 个字符")
                .contains("“会员等级” 有 501 个字符，超过该字段的上限 500 个字符")
                .doesNotContain(longAddress).doesNotContain(longExtra);
    }

    @Test
    void traditionalAndVariantHeadingsAreTheSealedFields() throws Exception {
        Map<String, Object> zhang = dangan.row("select id, id_number_masked, id_number_hash is not null as matched, extra::text as extra"
                + " from customer where mobile = '13900139011'");

        assertThat(zhang.get("id_number_masked")).isEqualTo("110101********4514");
        assertThat(zhang.get("matched")).isEqualTo(true);
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", zhang.get("id"))).isPositive();
        assertThat((String) zhang.get("extra")).contains("金卡").contains("常客")
                .doesNotContain("身份證").doesNotContain("身體").doesNotContain("高血压");
    }

    @Test
    void aColumnWhoseHeadingLooksSensitiveIsHeldNotFiledInClear() throws Exception {
        assertThat((String) dangan.row("select extra::text as extra from customer where mobile = '13900139011'").get("extra"))
                .doesNotContain("病历").doesNotContain("糖尿病");
        Map<String, Object> held = dangan.row("select value_shown, reason, raw_enc is not null as kept from intake_issue"
                + " where column_name = '病历' and line_no = 2");
        assertThat(held.get("value_shown")).isEqualTo("***");
        assertThat((String) held.get("reason")).contains("病历");
        assertThat(held.get("kept")).as("the line is kept, encrypted: nothing lost").isEqualTo(true);
        assertThat(Files.readString(dangan.rejectReport("cards.csv"))).contains("病历").doesNotContain("糖尿病");
    }

    @Test
    void aResidentIdUnderAnyHeadingIsAnIdNumber() throws Exception {
        Map<String, Object> li = dangan.row("select id_number_masked, extra->>'备注' as note from customer where mobile = '13900139012'");
        assertThat(li.get("id_number_masked")).isEqualTo("320102********0025");
        assertThat((String) li.get("note")).isEqualTo("客户身份证 320102********0025 已核对");

        Map<String, Object> wang = dangan.row("select id_number_masked, extra::text as extra from customer where name = '王五'");
        assertThat(wang.get("id_number_masked")).as("identified by the ID number typed into 备注").isEqualTo("440304********1232");
        assertThat((String) wang.get("extra")).doesNotContain(ID_C);

        assertThat(dangan.count("select count(*) from customer where extra::text like any (array[?, ?, ?])",
                "%" + ID_A + "%", "%" + ID_B + "%", "%" + ID_C + "%")).isZero();
    }
}
