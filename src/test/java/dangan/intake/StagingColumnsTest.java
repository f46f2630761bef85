package dangan.intake;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.privacy.SensitiveFields;
import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The staging COPY sends only the columns a file's layout can fill (issue 14: a file of eight columns sends
 * eleven values a line, not forty-five) — and never leaves out one a line of that layout has a value for:
 * every field, and an ID number found in a column of no field's, reaches the COPY.
 */
@Tag("fast")
class StagingColumnsTest {

    private static final ColumnMap COLUMNS = ColumnMap.load(Path.of("config", "columns.properties"));
    private static final Messages ZH = Messages.of(Language.ZH);
    private static final SensitiveFields SENSITIVE = new SensitiveFields(Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY));

    /** A valid value of each field, as a file would give it. */
    private static final Map<Field, String> VALUES = new EnumMap<>(Map.ofEntries(
            Map.entry(Field.NAME, "张伟"), Map.entry(Field.GENDER, "男"), Map.entry(Field.BIRTH_DATE, "1990-03-01"),
            Map.entry(Field.LUNAR_BIRTHDAY, "农历三月初八"), Map.entry(Field.MOBILE, "13800138000"),
            Map.entry(Field.ID_NUMBER, "11010519491231002X"), Map.entry(Field.EMAIL, "zhang.wei@example.cn"),
            Map.entry(Field.ADDRESS, "深圳市福田区1号"), Map.entry(Field.EMPLOYER, "华强公司"), Map.entry(Field.JOB_TITLE, "经理"),
            Map.entry(Field.NATIONALITY, "中国"), Map.entry(Field.ALLERGIES, "花生"), Map.entry(Field.HEALTH, "高血压"),
            Map.entry(Field.PREFERENCES, "安静"), Map.entry(Field.ROOM_PREFERENCES, "高层"), Map.entry(Field.DINING_PREFERENCES, "清淡"),
            Map.entry(Field.AMOUNT, "300"), Map.entry(Field.VISIT_DATE, "2024-02-18"), Map.entry(Field.SERVICE, "精油按摩"),
            Map.entry(Field.PAYMENT, "现金"), Map.entry(Field.STAFF, "李娜"), Map.entry(Field.BRANCH, "福田店"),
            Map.entry(Field.PLACE, "3号房"), Map.entry(Field.CONTRACT_NO, "HT-001"), Map.entry(Field.ANNIVERSARY, "2015-05-01"),
            Map.entry(Field.COMPANIONS, "王芳"), Map.entry(Field.REFERRER, "刘强"), Map.entry(Field.CONSENT_SERVICE, "是"),
            Map.entry(Field.CONSENT_CONTACT, "是"), Map.entry(Field.CONSENT_MARKETING, "否"), Map.entry(Field.CONSENT_SENSITIVE, "是"),
            Map.entry(Field.CONSENT_VERSION, "v2")));

    private static final java.util.Set<Field> VISIT_PARTS = java.util.Set.of(Field.PAYMENT, Field.STAFF, Field.BRANCH, Field.PLACE);

    @Test
    void aFileOfEightColumnsStagesOnlyWhatItCanFill() {
        ColumnMap.Layout layout = COLUMNS.layout(List.of("姓名", "性别", "手机号码", "地址", "消费日期", "消费金额", "服务项目", "门店"));
        assertThat(StagingWriter.copyStatement(StagingWriter.staged(layout))).isEqualTo(
                "COPY intake_row (ingest_id, line_no, name, gender, mobile, address, visit_date, amount, service, branch) FROM STDIN");
    }

    @Test
    void everyFieldAndAnIdNumberUnderAnyHeadingReachTheCopy() throws Exception {
        for (Field field : Field.values()) {
            List<String> headings = new ArrayList<>(List.of(Field.NAME.key(), Field.MOBILE.key()));
            List<String> cells = new ArrayList<>(List.of(VALUES.get(Field.NAME), VALUES.get(Field.MOBILE)));
            if (field != Field.NAME && field != Field.MOBILE) {
                headings.add(field.key());
                cells.add(VALUES.get(field));
            }
            if (VISIT_PARTS.contains(field)) { // a payment, staff, branch or place alone is no visit
                headings.add(Field.VISIT_DATE.key());
                cells.add(VALUES.get(Field.VISIT_DATE));
            }
            String line = staged(headings, cells);
            String value = VALUES.get(field);
            if (field.sensitive()) {
                assertThat(line).as(field.key()).doesNotContain(value); // sealed: only its ciphertext is staged
            } else if (field != Field.GENDER && !field.key().startsWith("consent_") && field != Field.LUNAR_BIRTHDAY) {
                assertThat(line).as(field.key()).contains(value);
            }
        }
        // an ID number in a column of no field's is the line's ID number: sealed, masked, with its birth date and gender
        String line = staged(List.of("姓名", "手机号码", "会员备注"), List.of("张伟", "13800138000", "11010519491231002X"));
        assertThat(line).contains(new dangan.normalise.ResidentId("11010519491231002X").masked()).contains("1949-12-31").doesNotContain("11010519491231002X");
    }

    /** The one line the writer sends for a file with these headings and one row of these cells; it has no null value. */
    private static String staged(List<String> headings, List<String> cells) throws java.io.IOException {
        ColumnMap.Layout layout = COLUMNS.layout(headings);
        RowNormaliser.Result result = new RowNormaliser(layout, ZH).normalise(2, cells);
        assertThat(result.rejected()).as(headings.toString()).isFalse();
        StringWriter out = new StringWriter();
        StagingWriter writer = new StagingWriter(out, 1, SENSITIVE, layout);
        writer.write(result.row()); // a value for a column left out of the COPY would throw here
        writer.close();
        String line = out.toString().strip();
        assertThat(line.split("\t", -1)).as(headings.toString())
                .hasSize(StagingWriter.copyStatement(StagingWriter.staged(layout)).split(",").length);
        return line;
    }
}
