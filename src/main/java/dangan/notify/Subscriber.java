package dangan.notify;

import dangan.config.Settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * One receiver of notification events, from configuration: {@code dangan.notify.subscriber.NAME.kinds}
 * (event kinds, {@code *} for all), {@code .channel} (email, webhook, file, wecom, dingtalk or feishu),
 * {@code .to} (address list, URL, folder or the group robot's webhook URL) and, for webhooks, DingTalk
 * and Feishu, {@code .secret} (the HMAC-SHA256 key of the signature). A work-chat group robot also has
 * {@link Chat its own keys}.
 */
public record Subscriber(String name, Set<String> kinds, Channel channel, String to, String secret, Chat chat) {

    /** The event kinds Dangan records (tier_changed is recorded by the tier review). */
    public static final Set<String> KINDS = Set.of("tier_changed", "health_changed", "preference_changed", "complaint",
            "guest_returned", "access_requested", "visit_plan", "delivery_parked");

    public enum Channel {
        EMAIL, WEBHOOK, FILE, WECOM, DINGTALK, FEISHU;

        /** The work-chat platform of a group-robot channel, or null. */
        public ChatPlatform platform() {
            return switch (this) {
                case WECOM -> ChatPlatform.WECOM;
                case DINGTALK -> ChatPlatform.DINGTALK;
                case FEISHU -> ChatPlatform.FEISHU;
                default -> null;
            };
        }
    }

    /**
     * A work-chat group robot: {@code .format} text or markdown (Feishu: an interactive card; the
     * default), {@code .role} whose view of an archive ({@code dangan.views.ROLE}) the group gets
     * (default service), {@code .per-minute} messages the robot takes a minute (default 20), and
     * {@code .owner-role} to receive only that owner role's visit plan (default: every role's).
     */
    public record Chat(ChatPlatform platform, boolean markdown, String role, Set<String> sees, int perMinute, String ownerRole) {
    }


    /** Every subscriber named in {@code dangan.notify.subscribers}; a wrong definition stops start-up, naming the key. */
    /** @param views the categories (labels) the role with a label sees (access.RoleViews); unknown role: IllegalArgumentException */
    public static List<Subscriber> all(Settings settings, Function<String, Set<String>> views) {
        List<Subscriber> all = new ArrayList<>();
        String names = settings.get("dangan.notify.subscribers", "");
        for (String name : names.split("\\s*,\\s*")) {
            if (!name.isBlank()) all.add(of(settings, views, name.trim()));
        }
        return List.copyOf(all);
    }

    static Subscriber of(Settings settings, Function<String, Set<String>> views, String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw invalid("dangan.notify.subscribers", "config.subscriber.name", "name", name);
        }
        String prefix = "dangan.notify.subscriber." + name + ".";
        Set<String> kinds = new LinkedHashSet<>();
        for (String kind : settings.get(prefix + "kinds", "*").split("\\s*,\\s*")) {
            if (kind.isBlank()) continue;
            if (!kind.equals("*") && !KINDS.contains(kind)) {
                throw invalid(prefix + "kinds", "config.subscriber.kind", "kind", kind, "known", String.join(", ", KINDS.stream().sorted().toList()));
            }
            kinds.add(kind);
        }
        String channelName = settings.get(prefix + "channel");
        if (channelName == null) throw invalid(prefix + "channel", "config.subscriber.no-channel");
        Channel channel;
        try {
            channel = Channel.valueOf(channelName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(prefix + "channel", "config.subscriber.channel", "value", channelName);
        }
        String to = settings.get(prefix + "to");
        String secret = settings.get(prefix + "secret");
        switch (channel) {
            case EMAIL -> {
                if (to == null) throw invalid(prefix + "to", "config.subscriber.no-addresses");
                if (settings.get("dangan.smtp.url") == null) {
                    throw invalid("dangan.smtp.url", "config.subscriber.needs-mail", "name", name);
                }
                if (settings.get("dangan.mail.from") == null) {
                    throw invalid("dangan.mail.from", "config.subscriber.needs-mail", "name", name);
                }
            }
            case WEBHOOK -> {
                if (to == null || !to.matches("(?i)https?://.+")) {
                    throw invalid(prefix + "to", "config.subscriber.webhook-url");
                }
                if (secret == null) throw invalid(prefix + "secret", "config.subscriber.no-secret");
            }
            case FILE -> to = settings.home().resolve(to == null ? "outbox/notifications" : to).normalize().toString();
            case WECOM, DINGTALK, FEISHU -> {
                if (to == null || !to.matches("(?i)https?://[^\\s]+")) {
                    throw invalid(prefix + "to", "config.subscriber.robot-url", "platform", channel.platform().label());
                }
                if (channel == Channel.WECOM && secret != null) {
                    throw invalid(prefix + "secret", "config.subscriber.wecom-secret");
                }
            }
        }
        return new Subscriber(name, Set.copyOf(kinds), channel, to, secret, chat(settings, views, prefix, channel));
    }

    private static Chat chat(Settings settings, Function<String, Set<String>> views, String prefix, Channel channel) {
        if (channel.platform() == null) return null;
        String format = settings.get(prefix + "format", "markdown").trim().toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("markdown")) {
            throw invalid(prefix + "format", "config.subscriber.format", "value", format);
        }
        String role = settings.get(prefix + "role", "service").trim();
        Set<String> sees;
        try {
            sees = views.apply(role); // the role's view of an archive (dangan.views.ROLE, D-24), as the API applies it
        } catch (IllegalArgumentException e) {
            throw invalid(prefix + "role", "config.subscriber.role", "role", role);
        }
        int perMinute = settings.getInt(prefix + "per-minute", 20);
        if (perMinute < 1) throw invalid(prefix + "per-minute", "config.subscriber.per-minute", "value", String.valueOf(perMinute));
        String ownerRole = settings.get(prefix + "owner-role");
        return new Chat(channel.platform(), format.equals("markdown"), role, Set.copyOf(sees), perMinute,
                ownerRole == null || ownerRole.isBlank() ? null : ownerRole.trim());
    }

    /** True when this subscriber receives events of the kind ({@code *} is every kind but delivery_parked, which is named). */
    public boolean wants(String kind) {
        return kinds.contains(kind) || (kinds.contains("*") && !kind.equals("delivery_parked"));
    }

    public Path folder() {
        return Path.of(to);
    }

    /** A subscriber's setting refused: the key, its variable, and why (a message of area config with its arguments). */
    private static RuntimeException invalid(String key, String why, Object... namesAndValues) {
        return dangan.i18n.ConfigurationException.of("config.subscriber.invalid", "key", key, "variable", Settings.environmentName(key),
                "why", dangan.i18n.Localized.of(why, namesAndValues));
    }

    @Override
    public String toString() {
        return name + " (" + channel.name().toLowerCase(Locale.ROOT) + ")";
    }
}
