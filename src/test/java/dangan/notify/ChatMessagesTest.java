package dangan.notify;

import dangan.i18n.Language;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The work-chat texts: by the group's view, in either language, never health data. */
@Tag("fast")
class ChatMessagesTest {

    static final Set<String> MANAGER = Set.of("basic", "consumption", "preferences", "health", "feedback", "identity");

    static DeliveryBook.Delivery delivery(String kind, String archiveNo, String payload) {
        return new DeliveryBook.Delivery(UUID.randomUUID(), "g", 1, kind, null, archiveNo, OffsetDateTime.now(), payload);
    }

    @Test
    void anArrivalInEnglishWithTheRoomOrTableWhenKnown() throws Exception {
        ChatMessage m = new ChatMessages(Language.EN, "https://c.example.cn").of(delivery("guest_returned", "202612001", """
                {"name": "Li Si", "tier": "B", "visit_date": "2026-12-05", "branch": "Futian", "place": "808", "service": "dinner",
                 "preferences": [{"category": "dining", "detail": "no coriander"}, {"category": "other", "detail": "quiet"}]}"""),
                MANAGER);
        assertThat(m.text()).isEqualTo("""
                【Returning guest arrived】
                Guest: Li Si (tier B)
                Arrived: 2026-12-05 · Futian · 808 · dinner
                Preferences: Dining no coriander; quiet
                Archive: 202612001
                Open in the console: https://c.example.cn/#/archive/202612001""");
    }

    @Test
    void aGroupWhoseRoleSeesNoArchiveContentsGetsOnlyTheArchiveNumber() throws Exception {
        ChatMessage m = new ChatMessages(Language.ZH, null).of(delivery("guest_returned", "202612001", """
                {"name": "李四", "tier": "A", "branch": "福田店", "preferences": [{"category": "room", "detail": "高楼层"}]}"""), Set.of());
        assertThat(m.lines()).containsExactly("档案号：202612001");
        assertThat(m.link()).isNull();
    }

    @Test
    void aHealthChangeSaysOnlyThatThereWasOne() throws Exception {
        ChatMessage m = new ChatMessages(Language.ZH, null).of(delivery("health_changed", "202612001", """
                {"name": "李四", "change": "health data added", "facts_added": 2}"""), MANAGER);
        assertThat(m.text()).isEqualTo("【客户健康信息已更新】\n内容不在群里显示，请在控制台查看\n档案号：202612001");
    }

    @Test
    void theVisitPlanDigestCountsAndListsTheFirstLines() throws Exception {
        ChatMessage m = new ChatMessages(Language.EN, null).of(delivery("visit_plan", null, """
                {"day": "2027-01-09", "owner_role": "sales-manager", "count": 7, "reminders": [1, 2],
                 "first": [{"archive_no": "202612001", "name": "王一", "tier": "A", "due_on": "2027-01-20", "channel": "phone"},
                           {"archive_no": "202612002", "name": "王二", "tier": "A", "due_on": "2027-01-21", "channel": "visit"}]}"""),
                Set.of("consumption"));
        assertThat(m.text()).isEqualTo("""
                【Visit plan 2027-01-09 · sales manager】
                7 new visit reminders, the first 2:
                1. 202612001 (tier A) by 2027-01-20, phone
                2. 202612002 (tier A) by 2027-01-21, visit
                5 more in outbox/reminders/2027-01-09.csv""");
    }

    @Test
    void aConsoleAddressThatIsNoUrlStopsStartUpNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ChatMessages(Language.ZH, "console.example.cn"))
                .hasMessageContaining("dangan.console.url").hasMessageContaining("DANGAN_CONSOLE_URL");
    }

    @Test
    void aRobotsAnswerIsExplainedInTheServicesLanguage() {
        ChatPlatform.Answer slow = new ChatPlatform.Answer(ChatPlatform.Verdict.RATE_LIMITED, 130101, "send too fast");
        assertThat(new ChatMessages(Language.ZH, null).answer(ChatPlatform.DINGTALK, slow))
                .isEqualTo("钉钉 DingTalk 答复 130101（send too fast）：发送太快，消息在队列中等待");
        assertThat(new ChatMessages(Language.EN, null).answer(ChatPlatform.DINGTALK, slow))
                .isEqualTo("钉钉 DingTalk answered 130101 (send too fast): too fast, the message waits in line");
    }

    @Test
    void aGuestWithManyPreferencesStillFitsTheSmallestPlatformLimit() throws Exception {
        StringBuilder prefs = new StringBuilder();
        for (int i = 0; i < 80; i++) prefs.append(i == 0 ? "" : ", ").append("{\"category\": \"other\", \"detail\": \"偏好第").append(i).append("项\"}");
        ChatMessage m = new ChatMessages(Language.ZH, "https://c.example.cn").of(delivery("guest_returned", "202612001",
                "{\"name\": \"李四\", \"tier\": \"A\", \"preferences\": [" + prefs + "]}"), MANAGER);
        assertThat(m.lines().get(1)).startsWith("偏好：偏好第0项；").endsWith("…").hasSize(ChatMessage.MAX_LINE);
        assertThat(m.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(2048); // WeCom text
        assertThat(m.markdownParagraphs().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(2048);
    }
}
