package dangan.notify;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import dangan.access.Role;
import dangan.jobs.JobDate;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
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
class ChatNotificationsTest {

    static final String MOBILE = "13900139000";
    static final String DING_SECRET = "SEC3b6d6e2f0a4c4d1b9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6";
    static final String FEISHU_SECRET = "feishu-secret-for-tests";

    // every test on a service and robots of its own; it sets up the archives and events it needs
    @TempDir
    Path home;
    ChatRobots robots;
    RunningService dangan;
    Map<String, String> settings;
    final Instant t0 = Instant.now();

    @BeforeEach
    void start() throws Exception {
        robots = new ChatRobots()
                .robot("floor-key", null)                 // WeCom: the key in the URL
                .robot("desk-token", DING_SECRET)         // DingTalk with 加签
                .robot("managers-hook", FEISHU_SECRET)    // Feishu with 签名校验
                .robot("busy-key", null)                  // WeCom, rate-limited below
                .robot("plan-key", null);                 // WeCom, the store managers' visit plan
        Map<String, String> s = new HashMap<>();
        s.put("dangan.db.url", TestDatabase.freshDatabase());
        s.put("dangan.db.user", "postgres");
        s.put("dangan.jobs.notification-relay.cron", "0 0 0 1 1 ? 2099");
        s.put("dangan.notify.retry-base-seconds", "60");
        s.put("dangan.notify.max-attempts", "3");
        s.put("dangan.console.url", "https://console.example.cn/");
        s.put("dangan.notify.subscribers", "floor, desk, managers, broken, busy, store-plan");
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
        s.put("dangan.notify.subscriber.managers.kinds", "complaint, delivery_parked, access_requested");
        s.put("dangan.notify.subscriber.managers.to", robots.feishuUrl("managers-hook"));
        s.put("dangan.notify.subscriber.managers.secret", FEISHU_SECRET);
        s.put("dangan.notify.subscriber.managers.role", "manager");
        s.put("dangan.notify.subscriber.broken.channel", "wecom");
        s.put("dangan.notify.subscriber.broken.kinds", "complaint");
        s.put("dangan.notify.subscriber.broken.to", robots.wecomUrl("revoked-key"));
        s.put("dangan.notify.subscriber.busy.channel", "wecom");
        s.put("dangan.notify.subscriber.busy.kinds", "tier_changed");
        s.put("dangan.notify.subscriber.busy.to", robots.wecomUrl("busy-key"));
        s.put("dangan.notify.subscriber.store-plan.channel", "wecom");
        s.put("dangan.notify.subscriber.store-plan.kinds", "visit_plan");
        s.put("dangan.notify.subscriber.store-plan.owner-role", "store-manager");
        s.put("dangan.notify.subscriber.store-plan.to", robots.wecomUrl("plan-key"));
        s.put("dangan.notify.subscriber.store-plan.format", "text");
        settings = s;
        dangan = RunningService.start(home, s);
    }

    @AfterEach
    void stop() {
        if (dangan != null) dangan.close();
        if (robots != null) robots.close();
    }

    @Test
    void aReturningGuestReachesTheFloorGroupWithPreferencesAndTheFrontDeskWithout() throws Exception {
        String today = LocalDate.now(ZoneId.of("Asia/Shanghai")).toString();
        givenLiSi();
        dangan.drop("arrival.csv", "姓名,手机,消费日期,消费金额,服务项目,门店,房号\n李四," + MOBILE + "," + today + ",880,精油按摩,福田店,808\n",
                StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("arrival.csv").toString()).contains("/done/");
        String archiveNo = (String) dangan.row("select archive_no from customer where mobile = ?", MOBILE).get("archive_no");
        assertThat(dangan.row("select payload ->> 'place' as place from notification_event where kind = 'guest_returned'"))
                .containsEntry("place", "808");

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
        // DingTalk, text, signed: the front desk sees where the guest is (the room from the file's 房号), not the preferences
        assertThat(robots.at("desk-token")).hasSize(1);
        assertThat(robots.at("desk-token").get(0).text()).isEqualTo("【回头客到店】\n"
                + "客人：李四（A 级）\n"
                + "到店：" + today + " · 福田店 · 808 · 精油按摩\n"
                + "档案号：" + archiveNo + "\n"
                + "在控制台打开：https://console.example.cn/#/archive/" + archiveNo);
        // never health data nor the ID number, in any group
        assertThat(robots.accepted.toString()).doesNotContain("青霉素").doesNotContain("110101199003071234").doesNotContain("1234");
        assertThat(robots.refusals).isEmpty();
        assertThat(dangan.count("select count(*) from notification_delivery where status = 'delivered'")).isEqualTo(2);
    }

    @Test
    void aComplaintReachesTheManagersCardAndARevokedRobotIsParkedAtOnceWithTheReason() throws Exception {
        givenLiSi();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + ApiClient.asSurveySource(dangan).token())
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
        assertThat(robots.at("desk-token")).hasSize(1);
        assertThat(robots.at("desk-token").get(0).text()).startsWith("【客户投诉（满意度调查）】\n客人：李四\n档案号：")
                .doesNotContain("评分");

        // the revoked WeCom key: parked on the first answer (93000), the key nowhere in the reason
        Map<String, Object> broken = delivery(complaint, "broken");
        assertThat(broken).containsEntry("status", "parked").containsEntry("attempts", 1);
        assertThat((String) broken.get("last_error")).startsWith("企业微信 WeCom 答复 93000（invalid webhook url").contains("机器人拒收").doesNotContain("revoked-key");

        // … and the managers hear of it in the next run
        relay(t0.plusSeconds(2));
        assertThat(robots.at("managers-hook")).hasSize(2);
        assertThat(robots.at("managers-hook").get(1).text()).startsWith("通知未能送达，已搁置\n订阅：broken，通知类型：客户投诉，已尝试 1 次\n")
                .contains("notifications retry " + complaint).doesNotContain("revoked-key");
    }

    @Test
    void aRateLimitedRobotGetsEveryMessageInOrderExactlyOnce() throws Exception {
        robots.limit("busy-key", 3); // the robot takes 3 a minute, then answers 45009
        List<String> sent = new ArrayList<>();
        try (Handle h = Db.jdbi(dangan.service().database().dataSource()).open()) {
            for (int i = 1; i <= 25; i++) {
                String no = "T%02d".formatted(i);
                Outbox.record(h, "tier_changed", null, "{\"archive_no\": \"" + no + "\", \"old_tier\": \"C\", \"new_tier\": \"B\"}");
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
        assertThat(dangan.count("select count(*) from notification_delivery where status = 'parked'")).isZero(); // waiting is no failure
        // it was rate-limited each minute, and never more than the robot was willing to take
        assertThat(robots.refusals.stream().filter(r -> r.equals("busy-key 45009")).count()).isGreaterThanOrEqualTo(8);
        assertThat(IntStream.range(0, 25).allMatch(i -> received.get(i).equals(sent.get(i)))).isTrue();
    }

    @Test
    void theVisitPlanReachesEachOwnerRolesGroupAsADigestWithTheFullFeedInTheOutbox() throws Exception {
        givenLiSi();
        StringBuilder csv = new StringBuilder("姓名,手机,消费日期,消费金额,营销同意\n");
        String[] names = {"王一", "王二", "王三", "王四", "王五", "王六", "王七"};
        for (int i = 0; i < names.length; i++) csv.append(names[i]).append(",1390013910").append(i).append(",2026-01-05,100,同意\n");
        dangan.drop("plan.csv", csv.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("plan.csv").toString()).contains("/done/");
        try (Connection c = dangan.service().database().dataSource().getConnection();
             var ps = c.prepareStatement("update customer set tier = 'A'")) {
            assertThat(ps.executeUpdate()).isEqualTo(8);
        }
        // 李四 consents too (the visit plan goes to customers who agreed to be contacted)
        dangan.drop("consent.csv", "姓名,手机,营销同意\n李四," + MOBILE + ",同意\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("consent.csv").toString()).contains("/done/");
        LocalDate day = LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(35); // both A roles due within its month
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-visit-plan", null,
                JobDate.HEADER, day.toString());
        long storeManager = dangan.count("select count(*) from reminder where job = 'visit-plan' and owner_role = 'store-manager'");
        assertThat(storeManager).isEqualTo(8);
        // one event per owner role, in the transaction that issued the reminders
        assertThat(dangan.rows("select payload ->> 'owner_role' as r from notification_event where kind = 'visit_plan' order by 1")
                .stream().map(r -> r.get("r")).toList()).containsExactly("sales-manager", "store-manager");

        relay(t0.plusSeconds(3600));

        // the store managers' group: its own plan only, the count and the first five, the rest in the feed
        assertThat(robots.at("plan-key")).hasSize(1);
        String digest = robots.at("plan-key").get(0).text();
        assertThat(digest.lines().toList()).hasSize(1 + 1 + 5 + 1).first().isEqualTo("【回访计划 " + day + " · 店长】");
        assertThat(digest).contains("新增 8 条回访提醒，前 5 条：\n1. ").contains("（A 级）").contains("前，拜访")
                .contains("其余 3 条见 outbox/reminders/" + day + ".csv").doesNotContain("销售经理");
        assertThat(digest.lines().filter(l -> l.matches("\\d\\. .*")).count()).isEqualTo(5);
        assertThat(digest).doesNotContain("青霉素");
        // the relay's audit counts the five archives the digest named (D-26)
        assertThat(dangan.row("select detail from audit_log where actor = 'system:notification-relay' order by id desc limit 1"))
                .containsEntry("detail", "通知投递 1 次，涉及档案 5 份");
        // the full feed, as before: every reminder of the day in outbox/reminders/<day>.csv
        Path feed = home.resolve("outbox").resolve("reminders").resolve(day + ".csv");
        assertThat(java.nio.file.Files.readAllLines(feed, StandardCharsets.UTF_8).stream().filter(l -> l.contains(",店长,")))
                .hasSize(8); // the feed for people names the role as the digest does
    }

    @Test
    void anAccessRequestWaitingForAManagerReachesTheManagersGroup() throws Exception {
        givenLiSi();
        String archiveNo = (String) dangan.row("select archive_no from customer where mobile = ?", MOBILE).get("archive_no");
        var desk = ApiClient.asNewUser(dangan, "小王", Role.FRONT_DESK);
        var reply = desk.post("/api/access-requests", """
                {"archive_nos": ["%s"], "categories": ["preferences", "health"], "purpose": "客人要求核对过敏信息", "days": 3}"""
                .formatted(archiveNo));
        assertThat(reply.status()).isEqualTo(201);
        long id = reply.json().get("id").asLong();
        assertThat(dangan.count("select count(*) from notification_event where kind = 'access_requested' "
                + "and (payload ->> 'request_id')::bigint = ?", id)).isEqualTo(1);

        relay(t0.plusSeconds(3700));

        List<ChatRobots.Message> managers = robots.at("managers-hook");
        String card = managers.get(managers.size() - 1).text();
        assertThat(card).isEqualTo("查阅申请待审批\n"
                + "申请人：小王（前台）\n"
                + "范围：1 份档案的 偏好、健康信息，3 天\n"
                + "申请 #" + id + "，请经理审批\n"
                + "https://console.example.cn/#/approvals");
        assertThat(card).doesNotContain("过敏").doesNotContain(archiveNo);
    }

    @Test
    void twoInstancesRelayingToOneRobotAtOnceKeepItsOrderAndSendEachOnce(@TempDir Path otherHome) throws Exception {
        robots.limit("busy-key", 1000);
        int before = robots.at("busy-key").size();
        List<String> sent = new ArrayList<>();
        try (Handle h = Db.jdbi(dangan.service().database().dataSource()).open()) {
            for (int i = 1; i <= 30; i++) {
                String no = "U%02d".formatted(i);
                Outbox.record(h, "tier_changed", null, "{\"archive_no\": \"" + no + "\", \"old_tier\": \"B\", \"new_tier\": \"A\"}");
                sent.add(no);
            }
        }
        try (RunningService other = RunningService.start(otherHome, settings)) {
            Instant now = t0.plusSeconds(7200);
            for (Instant at : List.of(now, now.plusSeconds(61))) { // 20 a minute: two minutes for 30
                java.util.concurrent.Callable<Object> one = () -> relayOn(dangan, at);
                java.util.concurrent.Callable<Object> two = () -> relayOn(other, at);
                var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
                try {
                    for (var f : pool.invokeAll(List.of(one, two, one, two))) f.get();
                } finally {
                    pool.shutdown();
                }
            }
        }
        List<String> received = robots.at("busy-key").subList(before, robots.at("busy-key").size()).stream()
                .map(m -> m.text().replaceAll("(?s).*\n(U\\d\\d)：B → A.*", "$1")).toList();
        assertThat(received).containsExactlyElementsOf(sent);
    }

    /** 李四, filed from a visit 40 days ago with a preference, an allergy and an ID number; tier A. */
    private void givenLiSi() throws Exception {
        String old = LocalDate.now(ZoneId.of("Asia/Shanghai")).minusDays(40).toString();
        dangan.drop("first.csv", "姓名,手机,偏好,过敏史,身份证号,消费日期,消费金额\n李四," + MOBILE + ",安静房间,青霉素,110101199003071234,"
                + old + ",300\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("first.csv").toString()).contains("/done/");
        try (Connection c = dangan.service().database().dataSource().getConnection();
             var ps = c.prepareStatement("update customer set tier = 'A' where mobile = ?")) {
            ps.setString(1, MOBILE);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static Object relayOn(RunningService service, Instant now) {
        return service.service().camelContext().createProducerTemplate()
                .requestBodyAndHeader("direct:job-notification-relay", null, NotificationRelay.NOW_HEADER, now);
    }

    private void relay(Instant now) {
        dangan.service().camelContext().createProducerTemplate()
                .requestBodyAndHeader("direct:job-notification-relay", null, NotificationRelay.NOW_HEADER, now);
    }

    private Map<String, Object> delivery(String eventId, String subscriber) throws Exception {
        return dangan.row("select status, attempts, last_error from notification_delivery where event_id = ?::uuid and subscriber = ?",
                eventId, subscriber);
    }
}
