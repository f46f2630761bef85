package dangan.surveys;

import dangan.i18n.Language;
import dangan.i18n.Messages;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dangan.config.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading and checking survey payloads: what is accepted, and what each rejection says. */
@Tag("fast")
class SurveyReaderTest {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final SurveyReader READER = new SurveyReader(JSON, SurveyMapping.defaults(), ZoneId.of("Asia/Shanghai"));

    private static List<SurveyEntry> read(String payload) {
        return READER.read(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static SurveyEntry one(String payload) {
        List<SurveyEntry> entries = read(payload);
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }

    @Test
    void theDefaultFormatIsReadWithMobileAndEmailNormalised() {
        SurveyResponse r = one("""
                {"survey_id": 42, "submitted_at": "2026-11-20T14:30", "customer": {"mobile": "+86 138 0013 8000",
                 "email": " Li.Na@Example.CN ", "name": "李娜"}, "score": "4", "nps": 9.0, "comment": " 很好 ",
                 "answers": {"q1": "a"}}""").response();
        assertThat(r.surveyId()).isEqualTo("42");
        assertThat(r.submittedAt()).isEqualTo(OffsetDateTime.parse("2026-11-20T14:30:00+08:00"));
        assertThat(r.mobile()).isEqualTo("13800138000");
        assertThat(r.email()).isEqualTo("li.na@example.cn");
        assertThat(r.score()).isEqualTo(4);
        assertThat(r.nps()).isEqualTo(9);
        assertThat(r.comment()).isEqualTo("很好");
        assertThat(r.answers().get("q1").asText()).isEqualTo("a");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "score": "five"                     | "score" must be a whole number 1–5, got "five"
            "score": 6                          | "score" must be a whole number 1–5, got 6
            "score": 4.5                        | "score" must be a whole number 1–5, got 4.5
            "score": 4, "nps": 11               | "nps" must be a whole number 0–10, got 11
            "score": 4, "comment": {"a": 1}     | "comment" must be text, got {"a":1}
            "score": 4, "submitted_at": "20.11.2026" | "submitted_at" must be an ISO-8601 date-time such as 2026-11-20T14:30:00+08:00, got "20.11.2026"
            "score": 4, "answers": "yes"        | "answers" must be an object {question: answer} (or an array), got "yes"
            "score": null                       | "score" is missing: expected a whole number 1–5
            """)
    void wrongTypesAndRangesAreRejectedNamingTheFieldAndPosition(String fields, String reason) {
        List<SurveyEntry> entries = read("[{\"survey_id\": \"ok\", \"customer\": {\"mobile\": \"13800138000\"}, \"score\": 3},"
                + " {\"survey_id\": \"s\", \"customer\": {\"mobile\": \"13800138000\"}, " + fields + "}]");
        assertThat(entries.get(0).rejected()).isFalse();
        SurveyEntry bad = entries.get(1);
        assertThat(bad.rejected()).isTrue();
        assertThat(bad.rejects()).extracting(p -> p.reason().english()).containsExactly("response 2 ($[1]): " + reason);
    }

    @Test
    void missingIdAndIdentifiersAreRejectedAllAtOnce() {
        SurveyEntry entry = one("{\"score\": 3, \"customer\": {\"name\": \"无名\"}}");
        assertThat(entry.rejects()).extracting(p -> p.reason().english()).containsExactly(
                "response 1 ($): \"survey_id\" is missing: every response needs the platform's id, so that sending it again does not file it twice");
        SurveyEntry noWay = one("{\"survey_id\": \"x\", \"score\": 3, \"customer\": {\"name\": \"无名\"}}");
        assertThat(noWay.rejects().get(0).reason().english()).isEqualTo("response 1 ($): \"customer.archive_no\", \"customer.mobile\" and"
                + " \"customer.email\" are all missing: a response needs at least one of them to find the customer's archive");
        // the same reason as people read it by default (dangan.locale=zh-CN): the reject report, the .error.txt
        assertThat(noWay.rejects().get(0).reason().in(Messages.of(Language.ZH))).isEqualTo("第 1 份回复（$）：\"customer.archive_no\"、"
                + "\"customer.mobile\" 和 \"customer.email\" 都没有：回复至少要有其中一项，才能找到客户的档案");
    }

    @Test
    void aUtf8ByteOrderMarkIsFineAndGbkIsRefusedWithThePosition() {
        byte[] body = "{\"survey_id\": \"b\", \"score\": 2, \"customer\": {\"name\": \"张三\", \"mobile\": \"13800138000\"}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        assertThat(READER.read(withBom).get(0).response().name()).isEqualTo("张三");
        byte[] gbk = new String(body, StandardCharsets.UTF_8).getBytes(java.nio.charset.Charset.forName("GBK"));
        assertThatThrownBy(() -> READER.read(gbk)).isInstanceOf(SurveyFormatException.class)
                .hasMessageContaining("not valid JSON at line 1").hasMessageContaining("JSON must be UTF-8");
    }

    @Test
    void anInvalidIdentifierIsAWarningAndTheResponseGoesOn() {
        SurveyEntry entry = one("{\"survey_id\": \"x\", \"score\": 3, \"customer\": {\"mobile\": \"12345\", \"archive_no\": \"202311001\"}}");
        assertThat(entry.rejected()).isFalse();
        assertThat(entry.response().mobile()).isNull();
        assertThat(entry.response().archiveNo()).isEqualTo("202311001");
        assertThat(entry.warnings()).singleElement().extracting(SurveyProblem::column).isEqualTo("customer.mobile");
    }

    @Test
    void anElementThatIsNotAnObjectIsRejectedOnItsOwn() {
        List<SurveyEntry> entries = read("[42, {\"survey_id\": \"x\", \"score\": 3, \"customer\": {\"email\": \"a@b.cn\"}}]");
        assertThat(entries.get(0).rejects().get(0).reason().english()).isEqualTo("response 1 ($[0]): expected a survey response object {…}, got the number 42");
        assertThat(entries.get(1).rejected()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                   | the content is empty
            '"just text"'                        | expected one survey response {…} or an array of them […], got a string
            '{"survey_id": "a", "score": 1} {}'  | more content (an object) after the end of the JSON value at line 1, column 32
            '{"score": 1, "score": 2}'           | not valid JSON at line 1, column 21
            '[{"survey_id": "a"}, {"score": 1'   | (in response 2)
            """)
    void unreadablePayloadsFailAsAWhole(String payload, String message) {
        assertThatThrownBy(() -> read(payload)).isInstanceOf(SurveyFormatException.class).hasMessageContaining(message);
    }

    @Test
    void aMappingReadsAnotherPlatformsEnvelopeAndNamesItsPointers() {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties()).with(Map.of(
                "dangan.surveys.map.responses", "/data", "dangan.surveys.map.survey_id", "/id",
                "dangan.surveys.map.score", "/rating/value", "dangan.surveys.map.mobile", "/who/phone"));
        SurveyReader reader = new SurveyReader(JSON, SurveyMapping.from(settings), ZoneId.of("Asia/Shanghai"));
        List<SurveyEntry> entries = reader.read("""
                {"data": [{"id": "p1", "rating": {"value": 5}, "who": {"phone": "13900139000"}},
                          {"id": "p2", "rating": {"value": "great"}, "who": {"phone": "13900139000"}}]}""".getBytes(StandardCharsets.UTF_8));
        assertThat(entries.get(0).response().score()).isEqualTo(5);
        assertThat(entries.get(0).response().mobile()).isEqualTo("13900139000");
        assertThat(entries.get(1).rejects()).singleElement().satisfies(p -> {
            assertThat(p.column()).isEqualTo("rating.value");
            assertThat(p.reason().english()).isEqualTo("response 2 ($.data[1]): \"score\" (at /rating/value) must be a whole number 1–5, got \"great\"");
            assertThat(p.reason().in(Messages.of(Language.ZH)))
                    .isEqualTo("第 2 份回复（$.data[1]）：\"score\"（位于 /rating/value） 必须是 1–5 的整数，实际是 \"great\"");
        });
    }

    @Test
    void aMappingKeyThatIsNotAPointerIsRefusedAtStartUp() {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.surveys.map.score", "rating.value"));
        assertThatThrownBy(() -> SurveyMapping.from(settings)).hasMessageContaining("dangan.surveys.map.score")
                .hasMessageContaining("DANGAN_SURVEYS_MAP_SCORE").hasMessageContaining("JSON pointer");
    }
}
