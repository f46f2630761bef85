package dangan.audit;

import dangan.i18n.Localized;
import dangan.i18n.Messages;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Audit entries for the places outside the API that show archives to people or systems (D-26): the
 * command line ({@code review}, {@code tiers}: actor {@code cli:<os user>}), the reminder feeds and
 * digests and the notification relay ({@code system:<job>}). One entry per command or per file,
 * mail or relay run — never one per row; the detail counts archives and names none.
 */
public final class Exposure {

    private static final Logger LOG = LoggerFactory.getLogger(Exposure.class);

    /** Exchange property: the job whose digest mail is in hand. */
    public static final String JOB = "DanganExposureJob";

    private Exposure() {
    }

    /** The actor of a command typed at the command line: {@code cli:<os user>}. */
    public static String cliActor() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    /** A command that showed or changed archives; {@code archiveNo} when it was about exactly one. */
    public static void command(AuditTrail trail, String action, String archiveNo, Localized detail) {
        command(trail, cliActor(), null, action, archiveNo, detail);
    }

    /** A command that acted for a named member of staff ({@code --by}, checked): the entry names them and their role. */
    public static void command(AuditTrail trail, String actor, String role, String action, String archiveNo, Localized detail) {
        trail.record(new AuditEntry(actor, role, action, archiveNo, List.of(), null, null, AuditEntry.OK, detail));
    }

    /**
     * {@code review accept|reject ID…}: one entry per archive whose held changes were decided
     * (a decision is a change of that archive), naming the changes; nothing when none was decided.
     */
    public static void reviewDecision(DataSource dataSource, AuditTrail trail, boolean accept, Collection<Long> changeIds, String reviewer,
                                      String role) {
        if (changeIds.isEmpty()) return;
        Map<String, List<Localized>> byArchive = new java.util.TreeMap<>();
        Db.jdbi(dataSource).useHandle(h -> h.createQuery("""
                        select u.archive_no, p.id, p.field
                          from pending_change p join customer u on u.id = p.customer_id
                         where p.id = any(:ids) order by u.archive_no, p.id""")
                .bindArray("ids", Long.class, changeIds)
                .map((rs, ctx) -> Map.entry(rs.getString("archive_no"), Localized.of("audit.review.change", "id", rs.getLong("id"),
                        "field", AuditText.field(rs.getString("field")))))
                .forEach(e -> byArchive.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>()).add(e.getValue())));
        Messages m = trail.messages();
        byArchive.forEach((archiveNo, changes) -> command(trail, reviewer, role, "change", archiveNo, Localized.of("audit.review.command",
                "accept", accept ? "yes" : "no", "changes", String.join(m.text("audit.separator"), changes.stream().map(c -> c.in(m)).toList()))));
    }

    /** A reminder job's feed file: one entry, the count of reminders and of archives it lists. */
    public static void feed(Exchange exchange, DataSource dataSource, String job, LocalDate day, String file, int reminders) {
        long archives = archives(dataSource, "job = :job and issued_on = :day", Map.of("job", job, "day", day));
        record(exchange, AuditEntry.system(job, "export", null, Localized.of("audit.export.feed", "file", "outbox/reminders/" + file,
                "reminders", reminders, "archives", archives)));
    }

    /** A reminder digest mail that went out: one entry, the count of reminders and archives it listed. */
    public static void digest(Exchange exchange, DataSource dataSource, String job, List<Long> reminderIds) {
        long archives = archives(dataSource, "id = any(:ids)", Map.of("ids", reminderIds.toArray(Long[]::new)));
        record(exchange, AuditEntry.system(job, "export", null, Localized.of("audit.export.digest", "reminders", reminderIds.size(),
                "archives", archives)));
    }

    /** One run of the notification relay that delivered something: counts only. */
    public static void relay(Exchange exchange, int deliveries, int archives) {
        record(exchange, AuditEntry.system("notification-relay", "export", null,
                Localized.of("audit.export.relay", "deliveries", deliveries, "archives", archives)));
    }

    private static void record(Exchange exchange, AuditEntry entry) {
        AuditTrail trail = exchange == null ? null
                : exchange.getContext().getRegistry().lookupByNameAndType("auditTrail", AuditTrail.class);
        if (trail == null) {
            LOG.warn("No audit trail to record: {} {}", entry.actor(), entry.detail() == null ? null : entry.detail().english());
            return;
        }
        trail.record(entry);
    }

    private static long archives(DataSource dataSource, String where, Map<String, ?> parameters) {
        return Db.jdbi(dataSource).withHandle(h -> h.createQuery("select count(distinct customer_id) from reminder where " + where)
                .bindMap(parameters).mapTo(Long.class).one());
    }
}
