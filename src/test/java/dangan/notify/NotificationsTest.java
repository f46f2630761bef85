package dangan.notify;

import dangan.access.Role;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import dangan.support.ApiClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dangan.support.Commands;
import dangan.support.RunningService;
import dangan.support.TestMailbox;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Change notifications end to end: real intake and survey routes write the events in their
 * transactions; the relay route, run through direct:job-notification-relay with an injected "now",
 * delivers them by mail (GreenMail), signed webhook (a local HTTP receiver) and file, retries with
 * back-off, parks what keeps failing, and delivers nothing twice.
 */
@Tag("service")
class NotificationsTest {

    static final String SECRET = "s3cret-for-tests";
    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger GUESTS = new AtomicInteger();

    @RegisterExtension
    @Order(1)
    static GreenMailExtension mail = new GreenMailExtension(TestMailbox.patient(ServerSetupTest.SMTP))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("dangan@localhost", "dangan@localhost", "secret"))
            .withPerMethodLifecycle(false);

    static final WebhookReceiver receiver = WebhookReceiver.unchecked();
    static final Map<String, String> settings = new HashMap<>();

    // one service for the class; every test starts from no events or deliveries, an empty mailbox, a fresh receiver and
    // an empty outbox/notifications, and files a guest of its own (its own mobile, file names and survey)
    @RegisterExtension
    @Order(2)
    static final RunningService dangan = RunningService.perClass(() -> {
        settings.put("dangan.smtp.url", "smtp://127.0.0.1:" + mail.getSmtp().getPort());
        settings.put("dangan.smtp.user", "dangan@localhost");
        settings.put("dangan.smtp.password", "secret");
        settings.put("dangan.mail.from", "archive@dangan.example");
        // the schedule must not fire during the test: the test runs the job itself
        settings.put("dangan.jobs.notification-relay.cron", "0 0 0 1 1 ? 2099");
        settings.put("dangan.notify.retry-base-seconds", "60");
        settings.put("dangan.notify.max-attempts", "3");
        settings.put("dangan.notify.subscribers", "floor-staff, crm, flaky, down, files");
        settings.put("dangan.notify.subscriber.floor-staff.kinds", "guest_returned,preference_changed");
        settings.put("dangan.notify.subscriber.floor-staff.channel", "email");
        settings.put("dangan.notify.subscriber.floor-staff.to", "floor@dangan.test, area-b@dangan.test");
        settings.put("dangan.notify.subscriber.crm.kinds", "*");
        settings.put("dangan.notify.subscriber.crm.channel", "webhook");
        settings.put("dangan.notify.subscriber.crm.to", receiver.url("/crm"));
        settings.put("dangan.notify.subscriber.crm.secret", SECRET);
        settings.put("dangan.notify.subscriber.flaky.kinds", "complaint");
        settings.put("dangan.notify.subscriber.flaky.channel", "webhook");
        settings.put("dangan.notify.subscriber.flaky.to", receiver.url("/flaky"));
        settings.put("dangan.notify.subscriber.flaky.secret", SECRET);
        settings.put("dangan.notify.subscriber.down.kinds", "health_changed");
        settings.put("dangan.notify.subscriber.down.channel", "webhook");
        settings.put("dangan.notify.subscriber.down.to", receiver.url("/down"));
        settings.put("dangan.notify.subscriber.down.secret", SECRET);
        settings.put("dangan.notify.subscriber.files.channel", "file");
        return settings;
    });

    final String mobile = String.format("138001380%02d", GUESTS.incrementAndGet());
    final Instant t0 = Instant.now();
    Path home;

    @BeforeEach
    void noEventsDeliveriesMailsOrFiles() throws Exception {
        home = dangan.home();
        dangan.rows("delete from notification_delivery returning event_id");
        dangan.rows("delete from notification_event returning id");
        mail.purgeEmailFromAllMailboxes();
        receiver.reset();
        receiver.failing("/flaky", 1);
        receiver.failing("/down", Integer.MAX_VALUE);
        Path files = home.resolve("outbox").resolve("notifications");
        if (Files.isDirectory(files)) {
            try (Stream<Path> all = Files.list(files)) {
                for (Path f : all.toList()) Files.delete(f);
            }
        }
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void theRelayIsScheduledInQuartzWithTheCronOfTheConfiguration() throws Exception {
        // a cron with spaces, from a placeholder, in the route's parameters
        assertThat(dangan.row("select cron_expression from qrtz_cron_triggers where trigger_group = 'dangan' "
                + "and trigger_name = 'notification-relay'")).containsEntry("cron_expression", "0 0 0 1 1 ? 2099");
        // webhook timeouts from the configuration reach Camel's http component
        var http = dangan.service().camelContext().getComponent("http", org.apache.camel.component.http.HttpComponent.class);
        assertThat(http.getConnectTimeout()).isEqualTo(10_000L);
        assertThat(http.getResponseTimeout()).isEqualTo(30_000L);
    }

    @Test
    void aNewArchiveMakesNoEvent() throws Exception {
        givenAGuest();
        assertThat(dangan.count("select count(*) from customer where mobile = ?", mobile)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from notification_event")).isZero();
    }

    @Test
    void anAllergyAndAPreferenceAddedToAnExistingArchiveAreEvents() throws Exception {
        givenAGuest();
        givenAnAllergyAndAPreference();

        long ingest = (Long) dangan.row("select id from ingest where source_name = ?", file("update")).get("id");
        JsonNode health = payload("health_changed");
        assertThat(health.get("change").asText()).isEqualTo("health data added");
        assertThat(health.get("ingest_id").asLong()).isEqualTo(ingest);
        assertThat(health.toString()).doesNotContain("花生").doesNotContain("海鲜").doesNotContain("allergy");
        JsonNode preference = payload("preference_changed");
        assertThat(preference.get("added").toString()).contains("靠窗座位").doesNotContain("安静房间");
        assertThat(preference.get("name").asText()).isEqualTo("张三");
        // the events and the change are one transaction: the events carry the customer of the change
        assertThat(dangan.count("select count(*) from notification_event e join customer c on c.id = e.customer_id "
                + "where c.mobile = ?", mobile)).isEqualTo(2);
        assertThat(dangan.count("select count(*) from notification_event where kind = 'guest_returned'")).isZero();
    }

    @Test
    void aReturningGuestsVisitIsAnEventWithThePreferences() throws Exception {
        givenAGuest();
        givenAnAllergyAndAPreference();
        givenAReturningGuest();
        String old = today().minusDays(30).toString();

        assertThat(dangan.count("select count(*) from notification_event where kind = 'guest_returned'")).isEqualTo(1);
        JsonNode returned = payload("guest_returned");
        assertThat(returned.get("visit_date").asText()).isEqualTo(today().toString());
        assertThat(returned.get("service").asText()).isEqualTo("精油按摩");
        assertThat(returned.get("preferences").toString()).contains("靠窗座位").contains("安静房间");
        assertThat(returned.toString()).doesNotContain("花生").doesNotContain("海鲜");

        // an old visit only (a late history import) is no arrival
        dangan.drop(file("history"), "姓名,手机,消费日期,消费金额,服务项目\n张三," + mobile + "," + old + ",50,足浴\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled(file("history")).toString()).contains("/done/");
        assertThat(dangan.count("select count(*) from notification_event where kind = 'guest_returned'")).isEqualTo(1);
    }

    @Test
    void aLowSurveyScoreIsAComplaintEvent() throws Exception {
        givenAGuest();
        givenAComplaint();
        JsonNode complaint = payload("complaint");
        assertThat(complaint.get("score").asInt()).isEqualTo(1);
        assertThat(complaint.has("comment")).as("free text stays in the archive").isFalse();
        assertThat(complaint.get("has_comment").asBoolean()).isTrue();
        assertThat(complaint.get("survey_id").asText()).isEqualTo("notify-" + mobile);
    }

    @Test
    void theRelayDeliversByMailWebhookAndFile() throws Exception {
        givenTheFourEvents();
        relay(t0);
        Map<String, String> ids = eventIds();
        assertThat(ids.keySet()).containsExactlyInAnyOrder("health_changed", "preference_changed", "guest_returned", "complaint");

        // webhook: one signed JSON POST per event, carrying its id
        List<WebhookReceiver.Request> crm = receiver.at("/crm");
        assertThat(crm).hasSize(4);
        for (WebhookReceiver.Request r : crm) {
            assertThat(r.header("X-Dangan-Signature")).isEqualTo(WebhookSignature.of(SECRET, r.body()));
            assertThat(r.header("Content-Type")).startsWith("application/json");
            JsonNode body = JSON.readTree(r.body());
            assertThat(r.header("X-Dangan-Event-Id")).isEqualTo(body.get("id").asText());
            assertThat(ids.get(body.get("kind").asText())).isEqualTo(body.get("id").asText());
            assertThat(body.get("archive_no").asText()).isNotBlank();
            assertThat(r.header("DanganRelayNow")).isNull();
        }
        assertThat(receiver.at("/crm").stream().map(WebhookReceiver.Request::text).collect(Collectors.joining()))
                .doesNotContain("花生");

        // files: one JSON file per event, named by its id
        Path folder = home.resolve("outbox").resolve("notifications");
        for (String id : ids.values()) {
            Path file = folder.resolve(id + ".files.json");
            assertThat(file).exists();
            assertThat(JSON.readTree(file.toFile()).get("id").asText()).isEqualTo(id);
        }
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.count()).isEqualTo(4);
        }

        // mail: the floor staff hear of the returning guest (with preferences) and of the new preference
        MimeMessage[] mails = mail.getReceivedMessages();
        assertThat(mails).hasSize(4); // two events, two recipients
        String all = Stream.of(mails).map(GreenMailUtil::getWholeMessage).collect(Collectors.joining("\n"));
        assertThat(Stream.of(mails).map(m -> {
            try {
                return m.getSubject();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.toSet())).anyMatch(s -> s.startsWith("[档案] 回头客到店：")).anyMatch(s -> s.startsWith("[档案] 偏好变更："));
        assertThat(all).contains(ids.get("guest_returned")).contains(ids.get("preference_changed"));
        assertThat(mails[0].getFrom()[0].toString()).isEqualTo("archive@dangan.example");

        // the flaky and the broken receivers failed once: pending, to be retried after the back-off
        assertThat(delivery(ids.get("complaint"), "flaky")).containsEntry("status", "pending").containsEntry("attempts", 1);
        assertThat((String) delivery(ids.get("complaint"), "flaky").get("last_error")).contains("HTTP 500");
        assertThat(delivery(ids.get("health_changed"), "down")).containsEntry("status", "pending").containsEntry("attempts", 1);
        assertThat(dangan.count("select count(*) from notification_delivery where status = 'delivered'")).isEqualTo(4 + 4 + 2);
    }

    @Test
    void failuresAreRetriedAfterTheBackOffAndParkedAfterTheLastAttempt() throws Exception {
        givenTheFourEvents();
        relay(t0); // attempt 1: the flaky and the broken receiver fail
        Map<String, String> ids = eventIds();
        // before the back-off has passed nothing is attempted
        relay(t0.plusSeconds(30));
        assertThat(receiver.at("/flaky")).hasSize(1);
        assertThat(receiver.at("/down")).hasSize(1);

        relay(t0.plusSeconds(61)); // attempt 2: the flaky receiver is back, the broken one is not
        assertThat(delivery(ids.get("complaint"), "flaky")).containsEntry("status", "delivered").containsEntry("attempts", 2);
        assertThat(receiver.at("/flaky")).hasSize(2);
        assertThat(receiver.at("/flaky").get(1).header("X-Dangan-Event-Id")).isEqualTo(ids.get("complaint"));
        assertThat(delivery(ids.get("health_changed"), "down")).containsEntry("status", "pending").containsEntry("attempts", 2);

        relay(t0.plusSeconds(61 + 60)); // the second back-off is twice the first: not yet
        assertThat(receiver.at("/down")).hasSize(2);
        relay(t0.plusSeconds(61 + 121)); // attempt 3 of 3: parked
        assertThat(receiver.at("/down")).hasSize(3);
        assertThat(delivery(ids.get("health_changed"), "down")).containsEntry("status", "parked").containsEntry("attempts", 3);

        relay(t0.plusSeconds(86_400)); // a parked delivery waits for a person; nothing is delivered twice
        assertThat(receiver.at("/down")).hasSize(3);
        assertThat(receiver.at("/crm")).hasSize(4);
        assertThat(mail.getReceivedMessages()).hasSize(4);
        assertThat(dangan.count("select count(*) from notification_delivery")).isEqualTo(4 + 4 + 2 + 1 + 1);
    }

    @Test
    void parkedDeliveriesAreListedAndRetriedFromTheCommandLine() throws Exception {
        givenTheFourEvents();
        relay(t0);
        relay(t0.plusSeconds(61));
        relay(t0.plusSeconds(61 + 121)); // the broken receiver's third failure: parked
        String health = eventIds().get("health_changed");
        assertThat(delivery(health, "down")).containsEntry("status", "parked");
        Commands.Run listed = command("list", "--parked");
        assertThat(listed.out()).startsWith("已搁置的投递：1 条").contains(health).contains("down").contains("HTTP 500").contains("已搁置");
        JsonNode parked = JSON.readTree(command("list", "--parked", "--json").out());
        assertThat(parked).hasSize(1);
        assertThat(parked.get(0).get("event_id").asText()).isEqualTo(health);
        assertThat(parked.get(0).get("subscriber").asText()).isEqualTo("down");
        assertThat(parked.get(0).get("status").asText()).isEqualTo("parked");
        assertThat(parked.get(0).get("attempts").asInt()).isEqualTo(3);
        Commands.Run both = command("list", "--parked", "--pending");
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.out()).isEmpty();
        assertThat(both.err()).contains("这些选项只能选一个").contains("--parked").contains("--pending");

        receiver.failing("/down", 0);
        ApiClient.asNewUser(dangan, "ops." + mobile, Role.ADMIN);
        Commands.Run unnamed = command("retry", health, "down");
        assertThat(unnamed.status()).isEqualTo(2); // an administrator's decision: --by names them
        assertThat(unnamed.err()).contains("--by");
        assertThat(delivery(health, "down")).containsEntry("status", "parked");
        assertThat(command("retry", health, "down", "--by", "ops." + mobile).out()).contains("事件 " + health + " 的 1 条投递将在下一次转发时重试");
        assertThat(delivery(health, "down")).containsEntry("status", "pending").containsEntry("attempts", 0);
        relay(Instant.now().plusSeconds(1));
        assertThat(delivery(health, "down")).containsEntry("status", "delivered").containsEntry("attempts", 1);
        assertThat(receiver.at("/down")).hasSize(4);
        assertThat(command("list", "--parked").out()).startsWith("已搁置的投递：0 条");
        assertThat(dangan.row("select actor, role, detail from audit_log where action = 'retry'"))
                .containsEntry("actor", "ops." + mobile).containsEntry("role", "admin")
                .containsEntry("detail", "重试通知 " + health + "：1 次投递");
        Commands.Run none = command("retry", UUID.randomUUID().toString(), "--by", "ops." + mobile);
        assertThat(none.status()).isEqualTo(1);
        assertThat(none.err()).contains("没有已搁置或待发的投递");
        Commands.Run notAnId = command("retry", "not-an-event", "--by", "ops." + mobile);
        assertThat(notAnId.status()).isEqualTo(2);
        assertThat(notAnId.err()).contains("EVENT_ID 的值“not-an-event”无效");
    }

    @Test
    void twoInstancesRelayingAtOnceDeliverEachEventOnce(@TempDir Path otherHome) throws Exception {
        Map<String, String> same = new HashMap<>(settings);
        same.put("dangan.db.url", dangan.service().settings().require("dangan.db.url"));
        same.put("dangan.db.user", "postgres");
        try (RunningService other = RunningService.start(otherHome, same)) {
            int before = receiver.at("/crm").size();
            try (Handle h = Db.jdbi(dangan.service().database().dataSource()).open()) {
                for (int i = 0; i < 60; i++) Outbox.record(h, "tier_changed", null, "{\"n\": " + i + "}");
            }
            Instant now = Instant.now().plusSeconds(1);
            Callable<Object> one = () -> relayOn(dangan, now);
            Callable<Object> two = () -> relayOn(other, now);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                for (var f : pool.invokeAll(List.of(one, two, one, two))) f.get();
            } finally {
                pool.shutdown();
            }
            // a run that claimed before another's fan-out committed found nothing: one more run takes the rest
            relayOn(other, now);
            List<String> delivered = receiver.at("/crm").subList(before, receiver.at("/crm").size()).stream()
                    .map(r -> r.header("X-Dangan-Event-Id")).toList();
            assertThat(delivered).hasSize(60).doesNotHaveDuplicates();
            assertThat(dangan.count("select count(*) from notification_delivery where subscriber = 'crm' and status = 'delivered'"))
                    .isEqualTo(60);
        }
    }

    private void givenAGuest() throws Exception {
        dangan.drop(file("first-visit"), "姓名,手机,偏好,过敏史,消费日期,消费金额\n张三," + mobile + ",安静房间,海鲜," + today() + ",300\n",
                StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled(file("first-visit")).toString()).contains("/done/");
    }

    private void givenAnAllergyAndAPreference() throws Exception {
        dangan.drop(file("update"), "姓名,手机,过敏史,偏好\n张三," + mobile + ",花生,靠窗座位\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled(file("update")).toString()).contains("/done/");
    }

    private void givenAReturningGuest() throws Exception {
        String old = today().minusDays(30).toString();
        dangan.drop(file("visits"), "姓名,手机,消费日期,消费金额,服务项目,门店\n张三," + mobile + "," + today() + ",880,精油按摩,福田店\n"
                + "张三," + mobile + "," + old + ",100,茶饮,福田店\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled(file("visits")).toString()).contains("/done/");
    }

    private void givenAComplaint() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + ApiClient.asSurveySource(dangan).token())
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"survey_id": "notify-%s", "submitted_at": "2026-11-20T14:30:00+08:00",
                                 "customer": {"mobile": "%s"}, "score": 1, "comment": "等了四十分钟", "service": "精油按摩",
                                 "staff": "李师傅"}""".formatted(mobile, mobile), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(answer.statusCode()).isEqualTo(201);
    }

    /** The four kinds of event the relay tests deliver: health, preference, a returning guest, a complaint. */
    private void givenTheFourEvents() throws Exception {
        givenAGuest();
        givenAnAllergyAndAPreference();
        givenAReturningGuest();
        givenAComplaint();
    }

    /** A file name of this test's own: the service and its ingest ledger are the class's. */
    private String file(String name) {
        return name + "-" + mobile + ".csv";
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneId.of("Asia/Shanghai"));
    }

    private void relay(Instant now) {
        relayOn(dangan, now);
    }

    private static Object relayOn(RunningService service, Instant now) {
        return service.service().camelContext().createProducerTemplate()
                .requestBodyAndHeader("direct:job-notification-relay", null, NotificationRelay.NOW_HEADER, now);
    }

    private JsonNode payload(String kind) throws Exception {
        return JSON.readTree(dangan.row("select payload::text as p from notification_event where kind = ?", kind).get("p").toString());
    }

    private Map<String, String> eventIds() throws Exception {
        return dangan.rows("select kind, id::text as id from notification_event where kind <> 'tier_changed'").stream()
                .collect(Collectors.toMap(r -> (String) r.get("kind"), r -> (String) r.get("id")));
    }

    private Map<String, Object> delivery(String eventId, String subscriber) throws Exception {
        return dangan.row("select status, attempts, last_error from notification_delivery where event_id = ?::uuid and subscriber = ?",
                eventId, subscriber);
    }

    private Commands.Run command(String... args) {
        List<String> line = new java.util.ArrayList<>(List.of("notifications"));
        line.addAll(List.of(args));
        return Commands.run(dangan.service().settings(), line.toArray(String[]::new));
    }
}
