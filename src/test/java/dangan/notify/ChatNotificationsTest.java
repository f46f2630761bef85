package dangan.notify;

import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Work-chat group robots end to end: the real intake, survey and relay routes, the embedded
 * database, and local robots ({@link ChatRobots}) that check each platform's format and signature
 * as published and answer with the platform's codes.
 */
@Tag("service")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatNotificationsTest {

    static final String MOBILE = "13900139000";
    static final String DING_SECRET = "SEC3b6d6e2f0a4c4d1b9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6";
    static final String FEISHU_SECRET = "feishu-secret-for-tests";

    @TempDir
    static Path home;
    static ChatRobots robots;
    static RunningService dangan;
    static Instant t0 = Instant.now();

    @BeforeAll
    static void start() throws Exception {
        robots = new ChatRobots()
                .robot("floor-key", null)                 // WeCom: the key in the URL
                .robot("desk-token", DING_SECRET)         // DingTalk with 加签
                .robot("managers-hook", FEISHU_SECRET)    // Feishu with 签名校验
                .robot("busy-key", null);                 // WeCom, rate-limited below
        Map<String, String> s = new HashMap<>();
        s.put("dangan.db.url", TestDatabase.freshDatabase());
        s.put("dangan.db.user", "postgres");
        s.put("dangan.jobs.notification-relay.cron", "0 0 0 1 1 ? 2099");
        s.put("dangan.notify.retry-base-seconds", "60");
        s.put("dangan.notify.max-attempts", "3");
        s.put("dangan.console.url", "https://console.example.cn/");
        s.put("dangan.notify.subscribers", "floor, desk, managers, broken, busy");
        s.put("dangan.notify.subscriber.floor.channel", "wecom");
        s.put("dangan.notify.subscriber.floor.kinds", "guest_returned");
        s.put("dangan.notify.subscriber.floor.to", robots.wecomUrl("floor-key"));
        s.put("dangan.notify.subscriber.floor.role", "service");
        s.put("dangan.notify.subscriber.desk.channel", "dingtalk");
        s.put("dangan.notify.subscriber.desk.kinds", "guest_returned, complaint");
        s.put("dangan.notify.subscriber.desk.to", robots.dingTalkUrl("desk-token"));
        s.put("dangan.notify.subscriber.desk.secret", DING_SECRET);
        s.put("dangan.notify.subscriber.desk.role", "front-desk");
        s.put("dangan.notify.subscriber.desk.format", "text");
        s.put("dangan.notify.subscriber.managers.channel", "feishu");
        s.put("dangan.notify.subscriber.managers.kinds", "complaint, delivery_parked");
        s.put("dangan.notify.subscriber.managers.to", robots.feishuUrl("managers-hook"));
        s.put("dangan.notify.subscriber.managers.secret", FEISHU_SECRET);
        s.put("dangan.notify.subscriber.managers.role", "manager");
        s.put("dangan.notify.subscriber.broken.channel", "wecom");
        s.put("dangan.notify.subscriber.broken.kinds", "complaint");
        s.put("dangan.notify.subscriber.broken.to", robots.wecomUrl("revoked-key"));
        s.put("dangan.notify.subscriber.busy.channel", "wecom");
        s.put("dangan.notify.subscriber.busy.kinds", "tier_changed");
        s.put("dangan.notify.subscriber.busy.to", robots.wecomUrl("busy-key"));
        dangan = RunningService.start(home, s);
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
        if (robots != null) robots.close();
    }

    @Test
    @Order(1)
    void aReturningGuestReachesTheFloorGroupWithPreferencesAndTheFrontDeskWithout() throws Exception {
        String today = LocalDate.now(ZoneId.of("Asia/Shanghai")).toString();
        String old = LocalDate.now(ZoneId.of("Asia/Shanghai")).minusDays(40).toString();
        dangan.drop("first.csv", "姓名,手机,偏好,过敏史,身份证号,消费日期,消费金额\n李四," + MOBILE + ",安静房间,青霉素,110101199003071234,"
                + old + ",300\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("first.csv").toString()).contains("/done/");
        try (Connection c = dangan.service().database().dataSource().getConnection();
             var ps = c.prepareStatement("update customer set tier = 'A' where mobile = ?")) {
            ps.setString(1, MOBILE);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        dangan.drop("arrival.csv", "姓名,手机,消费日期,消费金额,服务项目,门店\n李四," + MOBILE + "," + today + ",880,精油按摩,福田店\n",
                StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("arrival.csv").toString()).contains("/done/");
        String archiveNo = (String) dangan.row("select archive_no from customer where mobile = ?", MOBILE).get("archive_no");

        relay(t0);

        // WeCom, markdown, the service view: guest, tier, where, preferences, and the console page
        assertThat(robots.at("floor-key")).hasSize(1);
        ChatRobots.Message floor = robots.at("floor-key").get(0);
        assertThat(floor.body().get("msgtype").asText()).isEqualTo("markdown");
        assertThat(floor.text()).isEqualTo("### 回头客到店\n"
                + "客人：李四（A 级）\n"
                + "偏好：安静房间\n"
                + "档案号：" + archiveNo + "\n"
                + "[在控制台打开](https://console.example.cn/#/archive/" + archiveNo + ")");
        // DingTalk, text, signed: the front desk sees where the guest is, not the preferences
        assertThat(robots.at("desk-token")).hasSize(1);
        assertThat(robots.at("desk-token").get(0).text()).isEqualTo("【回头客到店】\n"
                + "客人：李四（A 级）\n"
                + "到店：" + today + " · 福田店 · 精油按摩\n"
                + "档案号：" + archiveNo + "\n"
                + "在控制台打开：https://console.example.cn/#/archive/" + archiveNo);
        // never health data nor the ID number, in any group
        assertThat(robots.accepted.toString()).doesNotContain("青霉素").doesNotContain("110101199003071234").doesNotContain("1234");
        assertThat(robots.refusals).isEmpty();
        assertThat(dangan.count("select count(*) from notification_delivery where status = 'delivered'")).isEqualTo(2);
    }

    @Test
    @Order(2)
    void aComplaintReachesTheManagersCardAndARevokedRobotIsParkedAtOnceWithTheReason() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"survey_id": "chat-1", "submitted_at": "2026-11-20T14:30:00+08:00",
                                 "customer": {"mobile": "%s"}, "score": 1, "comment": "房间有烟味", "service": "客房"}"""
                                .formatted(MOBILE), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(answer.statusCode()).isEqualTo(201);
        String complaint = dangan.row("select id::text as id from notification_event where kind = 'complaint'").get("id").toString();

        relay(t0.plusSeconds(1));

        // Feishu interactive card, signed, red, with the score the manager may see — not the comment's words
        assertThat(robots.at("managers-hook")).hasSize(1);
        ChatRobots.Message card = robots.at("managers-hook").get(0);
        assertThat(card.body().get("msg_type").asText()).isEqualTo("interactive");
        assertThat(card.body().at("/card/header/template").asText()).isEqualTo("red");
        assertThat(card.text()).startsWith("客户投诉（满意度调查）\n客人：李四\n评分：1\n服务：客房\n客人留了意见，请在控制台查看并跟进\n")
                .doesNotContain("烟味");
        // DingTalk front desk: no feedback in its view, so no score
        assertThat(robots.at("desk-token")).hasSize(2);
        assertThat(robots.at("desk-token").get(1).text()).startsWith("【客户投诉（满意度调查）】\n客人：李四\n档案号：")
                .doesNotContain("评分");

        // the revoked WeCom key: parked on the first answer (93000), the key nowhere in the reason
        Map<String, Object> broken = delivery(complaint, "broken");
        assertThat(broken).containsEntry("status", "parked").containsEntry("attempts", 1);
        assertThat((String) broken.get("last_error")).contains("企业微信 WeCom answered 93000").doesNotContain("revoked-key");

        // … and the managers hear of it in the next run
        relay(t0.plusSeconds(2));
        assertThat(robots.at("managers-hook")).hasSize(2);
        assertThat(robots.at("managers-hook").get(1).text()).startsWith("通知未能送达，已搁置\n订阅：broken，通知类型：客户投诉，已尝试 1 次\n")
                .contains("notifications retry " + complaint).doesNotContain("revoked-key");
    }

    @Test
    @Order(3)
    void aRateLimitedRobotGetsEveryMessageInOrderExactlyOnce() throws Exception {
        robots.limit("busy-key", 3); // the robot takes 3 a minute, then answers 45009
        List<String> sent = new ArrayList<>();
        try (Connection c = dangan.service().database().dataSource().getConnection()) {
            for (int i = 1; i <= 25; i++) {
                String no = "T%02d".formatted(i);
                Outbox.record(c, "tier_changed", null, "{\"archive_no\": \"" + no + "\", \"old_tier\": \"C\", \"new_tier\": \"B\"}");
                sent.add(no);
            }
        }
        Instant now = t0.plusSeconds(10);
        relay(now);
        assertThat(robots.at("busy-key")).hasSize(3);
        assertThat(dangan.count("select count(*) from notification_delivery where subscriber = 'busy' and status = 'pending'")).isEqualTo(22);
        // within the wait nothing more is tried
        relay(now.plusSeconds(30));
        assertThat(robots.refusals.stream().filter(r -> r.startsWith("busy-key")).count()).isEqualTo(1);

        for (int minute = 1; minute <= 10 && robots.at("busy-key").size() < 25; minute++) {
            robots.nextMinute("busy-key");
            relay(now.plusSeconds(61L * minute));
        }
        List<String> received = robots.at("busy-key").stream()
                .map(m -> m.text().replaceAll("(?s).*\n(T\\d\\d)：C → B.*", "$1")).toList();
        assertThat(received).containsExactlyElementsOf(sent);
        assertThat(dangan.count("select count(*) from notification_delivery where subscriber = 'busy' and status = 'delivered' "
                + "and attempts = 1")).isEqualTo(25);
        assertThat(dangan.count("select count(*) from notification_delivery where status = 'parked'")).isEqualTo(1); // only "broken"
        // it was rate-limited each minute, and never more than the robot was willing to take
        assertThat(robots.refusals.stream().filter(r -> r.equals("busy-key 45009")).count()).isGreaterThanOrEqualTo(8);
        assertThat(IntStream.range(0, 25).allMatch(i -> received.get(i).equals(sent.get(i)))).isTrue();
    }

    private static void relay(Instant now) {
        dangan.service().camelContext().createProducerTemplate()
                .requestBodyAndHeader("direct:job-notification-relay", null, NotificationRelay.NOW_HEADER, now);
    }

    private static Map<String, Object> delivery(String eventId, String subscriber) throws Exception {
        return dangan.row("select status, attempts, last_error from notification_delivery where event_id = ?::uuid and subscriber = ?",
                eventId, subscriber);
    }
}
