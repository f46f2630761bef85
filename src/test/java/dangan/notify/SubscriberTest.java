package dangan.notify;

import dangan.access.Role;
import dangan.access.RoleViews;
import dangan.config.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Subscribers from configuration: a wrong definition is refused, naming the key and its variable. */
@Tag("fast")
class SubscriberTest {

    /** The subscribers as the service wires them: each work-chat robot's role's view from RoleViews (D-24). */
    private static List<Subscriber> all(Settings settings) {
        RoleViews views = RoleViews.from(settings);
        return Subscriber.all(settings, role -> views.labels(Role.of(role)));
    }

    private static Settings settings(Map<String, String> keys, Map<String, String> environment) {
        Map<String, String> all = new HashMap<>(keys);
        all.put("dangan.home", "/srv/dangan");
        return Settings.load(Path.of("config", "application.properties"), environment, new Properties()).with(all);
    }

    @Test
    void subscribersAreReadWithTheirKindsChannelAndTarget() {
        List<Subscriber> all = all(settings(Map.of(
                "dangan.notify.subscribers", "floor-staff, files",
                "dangan.notify.subscriber.floor-staff.kinds", "guest_returned, preference_changed",
                "dangan.notify.subscriber.floor-staff.channel", "email",
                "dangan.notify.subscriber.floor-staff.to", "floor@example.cn",
                "dangan.smtp.url", "smtp://localhost:25",
                "dangan.mail.from", "archive@example.cn",
                "dangan.notify.subscriber.files.channel", "FILE"), Map.of()));
        assertThat(all).hasSize(2);
        assertThat(all.get(0).wants("guest_returned")).isTrue();
        assertThat(all.get(0).wants("complaint")).isFalse();
        assertThat(all.get(1).wants("complaint")).isTrue();
        assertThat(all.get(1).to()).isEqualTo("/srv/dangan/outbox/notifications");
    }

    @Test
    void theEnvironmentSetsASubscribersKeysWithDashesAsUnderscores() {
        List<Subscriber> all = all(settings(Map.of("dangan.notify.subscribers", "marketing-hook"), Map.of(
                "DANGAN_NOTIFY_SUBSCRIBER_MARKETING_HOOK_CHANNEL", "webhook",
                "DANGAN_NOTIFY_SUBSCRIBER_MARKETING_HOOK_TO", "https://crm.example.cn/hook",
                "DANGAN_NOTIFY_SUBSCRIBER_MARKETING_HOOK_SECRET", "k")));
        assertThat(all.get(0).to()).isEqualTo("https://crm.example.cn/hook");
        assertThat(all.get(0).secret()).isEqualTo("k");
    }

    @Test
    void wrongDefinitionsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "hook",
                "dangan.notify.subscriber.hook.channel", "webhook",
                "dangan.notify.subscriber.hook.to", "https://crm.example.cn/hook"), Map.of())))
                .hasMessageContaining("dangan.notify.subscriber.hook.secret")
                .hasMessageContaining("DANGAN_NOTIFY_SUBSCRIBER_HOOK_SECRET");
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "x",
                "dangan.notify.subscriber.x.channel", "sms"), Map.of())))
                .hasMessageContaining("'sms' is not email, webhook, file, wecom, dingtalk or feishu");
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "x",
                "dangan.notify.subscriber.x.channel", "file", "dangan.notify.subscriber.x.kinds", "birthday"), Map.of())))
                .hasMessageContaining("unknown event kind 'birthday'");
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "x",
                "dangan.notify.subscriber.x.channel", "email", "dangan.notify.subscriber.x.to", "a@example.cn"), Map.of())))
                .hasMessageContaining("dangan.smtp.url");
    }

    @Test
    void aWorkChatRobotHasItsPlatformFormatRoleViewAndRate() {
        List<Subscriber> all = all(settings(Map.of(
                "dangan.notify.subscribers", "floor, plan",
                "dangan.notify.subscriber.floor.channel", "dingtalk",
                "dangan.notify.subscriber.floor.to", "https://oapi.dingtalk.com/robot/send?access_token=abc",
                "dangan.notify.subscriber.floor.secret", "SECabc",
                "dangan.notify.subscriber.floor.role", "front-desk",
                "dangan.notify.subscriber.floor.format", "text",
                "dangan.notify.subscriber.plan.channel", "wecom",
                "dangan.notify.subscriber.plan.kinds", "visit_plan",
                "dangan.notify.subscriber.plan.owner-role", "store-manager",
                "dangan.notify.subscriber.plan.to", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"), Map.of()));
        Subscriber.Chat floor = all.get(0).chat();
        assertThat(floor.platform()).isEqualTo(ChatPlatform.DINGTALK);
        assertThat(floor.markdown()).isFalse();
        assertThat(floor.sees()).containsExactlyInAnyOrder("basic", "consumption"); // dangan.views.front-desk
        // a view the configuration leaves unset is the role's default view, as the API applies it (RoleViews)
        Settings unset = settings(Map.of("dangan.notify.subscribers", "floor", "dangan.notify.subscriber.floor.channel", "dingtalk",
                "dangan.notify.subscriber.floor.to", "https://oapi.dingtalk.com/robot/send?access_token=abc",
                "dangan.notify.subscriber.floor.role", "front-desk", "dangan.views.front-desk", ""), Map.of());
        assertThat(all(unset).get(0).chat().sees()).containsExactlyInAnyOrder("basic", "consumption");
        assertThat(floor.perMinute()).isEqualTo(20);
        Subscriber.Chat plan = all.get(1).chat();
        assertThat(plan.markdown()).isTrue();
        assertThat(plan.role()).isEqualTo("service");
        assertThat(plan.ownerRole()).isEqualTo("store-manager");
        // "*" is every kind but the relay's own delivery_parked, which is named when wanted
        assertThat(new Subscriber("x", java.util.Set.of("*"), Subscriber.Channel.FILE, "/tmp", null, null).wants("delivery_parked")).isFalse();
        assertThat(all.get(0).toString()).doesNotContain("access_token");
    }

    @Test
    void wrongWorkChatRobotsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "x",
                "dangan.notify.subscriber.x.channel", "wecom",
                "dangan.notify.subscriber.x.to", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "dangan.notify.subscriber.x.secret", "s"), Map.of())))
                .hasMessageContaining("dangan.notify.subscriber.x.secret").hasMessageContaining("WeCom robots have no signature");
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "x",
                "dangan.notify.subscriber.x.channel", "feishu", "dangan.notify.subscriber.x.to", "open.feishu.cn/hook"), Map.of())))
                .hasMessageContaining("dangan.notify.subscriber.x.to").hasMessageContaining("飞书 Feishu group robot");
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "x",
                "dangan.notify.subscriber.x.channel", "feishu", "dangan.notify.subscriber.x.to", "https://open.feishu.cn/h",
                "dangan.notify.subscriber.x.role", "cook"), Map.of())))
                .hasMessageContaining("dangan.notify.subscriber.x.role").hasMessageContaining("dangan.views.cook");
        assertThatThrownBy(() -> all(settings(Map.of("dangan.notify.subscribers", "x",
                "dangan.notify.subscriber.x.channel", "feishu", "dangan.notify.subscriber.x.to", "https://open.feishu.cn/h",
                "dangan.notify.subscriber.x.format", "card"), Map.of())))
                .hasMessageContaining("dangan.notify.subscriber.x.format").hasMessageContaining("'card' is not text or markdown");
    }

    @Test
    void backOffDoublesUpToTheMaximum() {
        DeliveryBook book = new DeliveryBook(null, java.time.Duration.ofSeconds(30), java.time.Duration.ofMinutes(5), 10,
                java.time.Duration.ofMinutes(10));
        assertThat(book.backOff(1)).hasSeconds(30);
        assertThat(book.backOff(2)).hasSeconds(60);
        assertThat(book.backOff(4)).hasSeconds(240);
        assertThat(book.backOff(5)).hasSeconds(300);
        assertThat(book.backOff(30)).hasSeconds(300);
    }
}
