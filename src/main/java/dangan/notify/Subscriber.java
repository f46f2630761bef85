package dangan.notify;

import dangan.config.Settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One receiver of notification events, from configuration: {@code dangan.notify.subscriber.NAME.kinds}
 * (event kinds, {@code *} for all), {@code .channel} (email, webhook or file), {@code .to} (address
 * list, URL or folder) and, for webhooks, {@code .secret} (the HMAC-SHA256 key of the signature).
 */
public record Subscriber(String name, Set<String> kinds, Channel channel, String to, String secret) {

    /** The event kinds Dangan records (tier_changed is recorded by the tier review). */
    public static final Set<String> KINDS = Set.of("tier_changed", "health_changed", "preference_changed", "complaint",
            "guest_returned");

    public enum Channel { EMAIL, WEBHOOK, FILE }

    /** Every subscriber named in {@code dangan.notify.subscribers}; a wrong definition stops start-up, naming the key. */
    public static List<Subscriber> all(Settings settings) {
        List<Subscriber> all = new ArrayList<>();
        String names = settings.get("dangan.notify.subscribers", "");
        for (String name : names.split("\\s*,\\s*")) {
            if (!name.isBlank()) all.add(of(settings, name.trim()));
        }
        return List.copyOf(all);
    }

    static Subscriber of(Settings settings, String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw invalid("dangan.notify.subscribers", "subscriber name '" + name + "' may only have letters, digits, - and _");
        }
        String prefix = "dangan.notify.subscriber." + name + ".";
        Set<String> kinds = new LinkedHashSet<>();
        for (String kind : settings.get(prefix + "kinds", "*").split("\\s*,\\s*")) {
            if (kind.isBlank()) continue;
            if (!kind.equals("*") && !KINDS.contains(kind)) {
                throw invalid(prefix + "kinds", "unknown event kind '" + kind + "' (known: " + String.join(", ", KINDS.stream().sorted().toList()) + ", or *)");
            }
            kinds.add(kind);
        }
        String channelName = settings.get(prefix + "channel");
        if (channelName == null) throw invalid(prefix + "channel", "is not set (email, webhook or file)");
        Channel channel;
        try {
            channel = Channel.valueOf(channelName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(prefix + "channel", "'" + channelName + "' is not email, webhook or file");
        }
        String to = settings.get(prefix + "to");
        String secret = settings.get(prefix + "secret");
        switch (channel) {
            case EMAIL -> {
                if (to == null) throw invalid(prefix + "to", "is not set: the addresses the mails go to, comma separated");
                if (settings.get("dangan.smtp.url") == null) {
                    throw invalid("dangan.smtp.url", "is not set, but subscriber " + name + " receives email");
                }
                if (settings.get("dangan.mail.from") == null) {
                    throw invalid("dangan.mail.from", "is not set, but subscriber " + name + " receives email");
                }
            }
            case WEBHOOK -> {
                if (to == null || !to.matches("(?i)https?://.+")) {
                    throw invalid(prefix + "to", "must be the http:// or https:// URL the events are POSTed to");
                }
                if (secret == null) throw invalid(prefix + "secret", "is not set: webhooks are signed with a shared secret");
            }
            case FILE -> to = settings.home().resolve(to == null ? "outbox/notifications" : to).normalize().toString();
        }
        return new Subscriber(name, Set.copyOf(kinds), channel, to, secret);
    }

    /** True when this subscriber receives events of the kind. */
    public boolean wants(String kind) {
        return kinds.contains("*") || kinds.contains(kind);
    }

    public Path folder() {
        return Path.of(to);
    }

    private static IllegalStateException invalid(String key, String why) {
        return new IllegalStateException("Notification subscribers: configuration key " + key + " (environment "
                + Settings.environmentName(key) + ") " + why + "; see config/application.properties");
    }

    @Override
    public String toString() {
        return name + " (" + channel.name().toLowerCase(Locale.ROOT) + ")";
    }
}
