package dangan.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dangan.i18n.Language;
import dangan.i18n.Messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The work-chat message of an event, in the language of {@code dangan.locale} (Simplified Chinese
 * unless it says {@code en}), from the bundle area {@code chat} ({@code i18n/chat_zh.properties} /
 * {@code chat_en.properties}, through {@link Messages}).
 * Short, and only what the receiving group's role may see of an archive ({@code dangan.views.ROLE}):
 * name and tier with {@code basic}, where the guest is with {@code consumption}, preferences with
 * {@code preferences}, a complaint's score with {@code feedback}; never health data (a health change
 * says only that there was one) and never an ID number (no event carries one). A link to the console
 * page when {@code dangan.console.url} is set.
 */
public final class ChatMessages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Messages messages;
    private final String consoleUrl;

    /** The messages of this language (the relay's log lines too). */
    Messages messages() {
        return messages;
    }

    public ChatMessages(Language language, String consoleUrl) {
        this.messages = Messages.of(language);
        this.consoleUrl = consoleUrl == null || consoleUrl.isBlank() ? null : consoleUrl.strip().replaceAll("/+$", "");
        if (this.consoleUrl != null && !this.consoleUrl.matches("(?i)https?://\\S+")) {
            throw dangan.i18n.ConfigurationException.of("config.console-url", "value", this.consoleUrl);
        }
    }

    /** A message of the notifications' bundles in this language (mail subjects and texts: area {@code notify}). */
    public String text(String key, Object... namesAndValues) {
        return messages.text(key, namesAndValues);
    }

    /** The message of one delivery for a group whose role sees the given categories. */
    public ChatMessage of(DeliveryBook.Delivery d, Set<String> sees) throws Exception {
        JsonNode p = JSON.readTree(d.payload());
        String archiveNo = d.archiveNo() != null ? d.archiveNo() : p.path("archive_no").asText(null);
        boolean basic = sees.contains("basic");
        List<String> lines = new ArrayList<>();
        return switch (d.kind()) {
            case "guest_returned" -> {
                String tier = text(p, "tier");
                if (basic) {
                    lines.add(tier == null ? t("chat.guest_returned.guest", "name", text(p, "name"))
                            : t("chat.guest_returned.guest_tier", "name", text(p, "name"), "tier", tier));
                }
                if (sees.contains("consumption")) {
                    String where = join(" · ", text(p, "visit_date"), text(p, "branch"), text(p, "place"), text(p, "service"));
                    if (!where.isEmpty()) lines.add(t("chat.guest_returned.where", "where", where));
                }
                if (sees.contains("preferences")) {
                    List<String> prefs = new ArrayList<>();
                    for (JsonNode pref : p.path("preferences")) prefs.add(preference(pref));
                    lines.add(prefs.isEmpty() ? t("chat.guest_returned.no_preferences") : t("chat.guest_returned.preferences",
                            "preferences", String.join(t("chat.separator"), prefs)));
                }
                lines.add(t("chat.archive", "archive", archiveNo));
                yield new ChatMessage(t("chat.guest_returned.title"), lines, link("archive/" + archiveNo), t("chat.link"), false);
            }
            case "complaint" -> {
                if (basic) lines.add(t("chat.complaint.guest", "name", text(p, "name")));
                if (sees.contains("feedback")) {
                    lines.add(t("chat.complaint.score", "score", p.path("score").asText("?")));
                    if (text(p, "service") != null) lines.add(t("chat.complaint.service", "service", text(p, "service")));
                    if (p.path("has_comment").asBoolean(false)) lines.add(t("chat.complaint.comment"));
                }
                lines.add(t("chat.archive", "archive", archiveNo));
                lines.add(t("chat.complaint.follow"));
                yield new ChatMessage(t("chat.complaint.title"), lines, link("archive/" + archiveNo), t("chat.link"), true);
            }
            case "tier_changed" -> {
                lines.add(t("chat.tier_changed.line", "archive", archiveNo, "old", p.path("old_tier").asText("-"), "new", p.path("new_tier").asText("-")));
                yield new ChatMessage(t("chat.tier_changed.title"), lines, link("archive/" + archiveNo), t("chat.link"), false);
            }
            case "preference_changed" -> {
                if (basic) lines.add(t("chat.complaint.guest", "name", text(p, "name")));
                if (sees.contains("preferences")) {
                    List<String> prefs = new ArrayList<>();
                    for (JsonNode pref : p.path("added")) prefs.add(preference(pref));
                    if (!prefs.isEmpty()) lines.add(t("chat.guest_returned.preferences", "preferences", String.join(t("chat.separator"), prefs)));
                }
                lines.add(t("chat.archive", "archive", archiveNo));
                yield new ChatMessage(t("chat.preference_changed.title"), lines, link("archive/" + archiveNo), t("chat.link"), false);
            }
            case "health_changed" -> {
                lines.add(t("chat.health_changed.line"));
                lines.add(t("chat.archive", "archive", archiveNo));
                yield new ChatMessage(t("chat.health_changed.title"), lines, link("archive/" + archiveNo), t("chat.link"), false);
            }
            case "delivery_parked" -> {
                lines.add(t("chat.delivery_parked.what", "subscriber", text(p, "subscriber"), "kind", kindName(text(p, "kind")),
                        "attempts", p.path("attempts").asInt()));
                lines.add(t("chat.delivery_parked.why", "reason", text(p, "reason")));
                lines.add(t("chat.delivery_parked.action", "event", text(p, "event_id")));
                yield new ChatMessage(t("chat.delivery_parked.title"), lines, link("jobs"), t("chat.link"), true);
            }
            case "access_requested" -> {
                lines.add(t("chat.access_requested.who", "requester", text(p, "requester"), "role", roleName(text(p, "requester_role"))));
                lines.add(t("chat.access_requested.what", "archives", p.path("archives").asInt(), "categories", join(t("chat.separator.short"), strings(p.path("categories")).stream().map(c -> optional("chat.category." + c, c)).toList()),
                        "days", p.path("days").asInt()));
                lines.add(t("chat.access_requested.action", "request", p.path("request_id").asText()));
                yield new ChatMessage(t("chat.access_requested.title"), lines, link("approvals"), t("chat.link"), false);
            }
            case "visit_plan" -> {
                int count = p.path("count").asInt();
                JsonNode first = p.path("first");
                lines.add(t("chat.visit_plan.count", "count", count, "shown", first.size()));
                int n = 0;
                for (JsonNode r : first) {
                    String who = basic ? text(r, "name") : r.path("archive_no").asText();
                    lines.add(t("chat.visit_plan.item", "n", ++n, "who", who, "tier", r.path("tier").asText("-"),
                            "due", r.path("due_on").asText(), "channel", channelName(text(r, "channel"))));
                }
                if (count > first.size()) lines.add(t("chat.visit_plan.more", "more", count - first.size(), "day", p.path("day").asText()));
                yield new ChatMessage(t("chat.visit_plan.title", "day", p.path("day").asText(), "role", roleName(text(p, "owner_role"))), lines,
                        null, t("chat.link"), false); // no console page lists reminders: the feed is in the outbox
            }
            default -> {
                lines.add(t("chat.archive", "archive", archiveNo));
                yield new ChatMessage(kindName(d.kind()), lines, link("archive/" + archiveNo), t("chat.link"), false);
            }
        };
    }

    /** What a robot's answer other than ok means, for the delivery's last_error and the people who fix it. */
    public String answer(ChatPlatform platform, ChatPlatform.Answer answer) {
        String key = switch (answer.verdict()) {
            case RATE_LIMITED -> "chat.answer.rate_limited";
            case REFUSED -> "chat.answer.refused";
            default -> answer.code() == ChatPlatform.NOT_JSON ? "chat.answer.not-json"
                    : answer.code() == ChatPlatform.NO_CODE ? "chat.answer.no-code" : "chat.answer.failed";
        };
        return t(key, "platform", platform.label(), "code", String.valueOf(answer.code()),
                "message", answer.message().isBlank() ? "-" : answer.message());
    }

    /** The console page, or null when dangan.console.url is not set (or the page needs an archive it lacks). */
    private String link(String page) {
        if (consoleUrl == null || page.endsWith("/null")) return null;
        return consoleUrl + "/#/" + page;
    }

    /** "客房 靠窗" for a room or dining preference, the detail alone for any other. */
    private String preference(JsonNode pref) {
        String category = pref.path("category").asText("other");
        String detail = pref.path("detail").asText();
        return category.equals("other") ? detail : optional("chat.preference." + category, category) + " " + detail;
    }

    /** An event kind as people read it ({@code chat.kind.<kind>}: 回头客到店, 客户投诉 …), or the kind itself. */
    public String kindName(String kind) {
        return kind == null ? "?" : optional("chat.kind." + kind, kind);
    }

    private String roleName(String role) {
        return role == null ? "?" : optional("chat.role." + role, role);
    }

    private String channelName(String channel) {
        return channel == null ? "" : optional("chat.channel." + channel, channel);
    }

    private String optional(String key, String fallback) {
        return messages.has(key) ? messages.text(key) : fallback;
    }

    /** One message of the bundle with its named arguments (name/value pairs). */
    String t(String key, Object... namesAndValues) {
        return messages.text(key, namesAndValues);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> all = new ArrayList<>();
        array.forEach(v -> all.add(v.asText()));
        return all;
    }

    private static String join(String separator, String... parts) {
        return join(separator, java.util.Arrays.asList(parts));
    }

    private static String join(String separator, List<String> parts) {
        return String.join(separator, parts.stream().filter(s -> s != null && !s.isBlank()).toList());
    }
}
