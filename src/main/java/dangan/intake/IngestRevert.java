package dangan.intake;

import dangan.i18n.Localized;

import dangan.archive.ArchiveLock;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.rules.RuleException;
import dangan.store.Db;
import dangan.store.ForeignKeyWalk;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Undo a file: {@link #revert} takes back what one ingest (file, mail, poll, survey batch) did, from its
 * provenance ({@code source_ingest_id}) and the change register's before-values, all or nothing in one
 * transaction holding the archive lock:
 * <ol>
 *   <li>archives it opened are removed (every row of them, as the foreign keys lead) — unless something
 *       else touched them since: another source's change or fact, a read or export by a person in the audit
 *       log, a reminder or notification already delivered; such an archive stays as it is and is named;</li>
 *   <li>fields it changed on other archives go back to their value before it, each restoration a change of
 *       its own in the register — unless a later change of the same field followed (named, not guessed),
 *       or the value before is not kept exactly (an ID number is kept only masked; a contract's earlier terms
 *       only in part);</li>
 *   <li>facts it added to other archives (visits, contracts, preferences, health facts, special dates, lunar
 *       birthdays, companions, consents) are removed; changes of it still waiting for review are withdrawn;</li>
 *   <li>notifications it caused are withdrawn if not yet delivered to any subscriber (named otherwise).</li>
 * </ol>
 * The ingest is marked {@code reverted} (by whom, when, the counts and exceptions), which frees its checksum:
 * the same file dropped again is filed again. The revert is audited with its counts.
 */
public final class IngestRevert {

    /** Something the revert left as it is, and why (a message key of the area {@code ingest} and its archive). */
    public record NotUndone(String archiveNo, String what, String reason) {
    }

    /** What a revert did: counts, the archives removed, and every exception. */
    public record Result(long ingestId, String source, String by, int archivesRemoved, int fieldsRestored,
                         int factsRemoved, int reviewsWithdrawn, int notificationsWithdrawn, List<String> removed,
                         List<NotUndone> exceptions) {
    }

    /** One ingest of the ledger, as {@code ingest list} and {@code GET /api/ingests} show it. */
    public record Entry(long id, String sourceType, String channel, String source, String status, Timestamp startedAt,
                        Timestamp finishedAt, int lines, int created, int updated, int duplicates, int review,
                        int rejected, int warnings, String revertedBy, Timestamp revertedAt) {
    }

    /** Tables of facts a merge adds, each row carrying the ingest and line it came from, and its archive. */
    static final List<String> FACTS = List.of("consumption", "preference", "health_fact", "special_date",
            "lunar_birthday", "companion", "consent");

    /**
     * Tables with rows from an ingest that a revert leaves (named in its report with their count): a visit
     * recorded from inbox/visits/ may have closed a reminder, which a revert cannot reopen by itself.
     */
    private static final List<String> NOT_COVERED = List.of("visit_ledger");

    /** Fields of customer that a change register entry names and a revert can set back, with their SQL type. */
    private static final Map<String, String> COLUMNS = Map.of("name", "text", "gender", "text", "birth_date", "date",
            "mobile", "text", "email", "text", "address", "text", "employer", "text", "job_title", "text",
            "nationality", "text", "tier", "text");

    private static final String LIST = """
            select id, source_type, channel, source_name, status, started_at, finished_at, rows_total, rows_new,
                   rows_updated, rows_duplicate, coalesce(rows_review, 0) as rows_review, rows_rejected, warnings,
                   reverted_by, reverted_at
            from ingest where status in ('done', 'reverted', 'failed') order by id desc limit :limit""";

    private final Jdbi jdbi;
    private final AuditTrail audit;

    public IngestRevert(DataSource dataSource, AuditTrail audit) {
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
    }

    /** The latest ingests (filed, reverted, failed), newest first. */
    public List<Entry> list(int limit) {
        return jdbi.withHandle(h -> h.createQuery(LIST).bind("limit", limit)
                .map((rs, ctx) -> new Entry(rs.getLong("id"), rs.getString("source_type"), rs.getString("channel"),
                        rs.getString("source_name"), rs.getString("status"), rs.getTimestamp("started_at"),
                        rs.getTimestamp("finished_at"), rs.getInt("rows_total"), rs.getInt("rows_new"),
                        rs.getInt("rows_updated"), rs.getInt("rows_duplicate"), rs.getInt("rows_review"),
                        rs.getInt("rows_rejected"), rs.getInt("warnings"), rs.getString("reverted_by"),
                        rs.getTimestamp("reverted_at")))
                .list());
    }

    /**
     * Reverts one ingest, all or nothing.
     *
     * @throws RuleException.NotFound     no such ingest
     * @throws RuleException.Conflict     the ingest is not filed (running, failed, a duplicate, reverted already)
     * @throws RuleException.NotPermitted {@code by} is no active manager
     */
    public Result revert(long ingestId, String by) {
        return jdbi.inTransaction(h -> {
            ArchiveLock.hold(h);
            Map<String, Object> ingest = h.createQuery("select id, source_name, status, finished_at from ingest where id = :id for update")
                    .bind("id", ingestId).mapToMap().findOne()
                    .orElseThrow(() -> RuleException.notFound("ingest.revert.no-ingest", "id", String.valueOf(ingestId)));
            if (!"done".equals(ingest.get("status"))) {
                throw RuleException.conflict("ingest.revert.not-filed", "id", String.valueOf(ingestId), "status", String.valueOf(ingest.get("status")));
            }
            boolean manager = h.createQuery("select count(*) from staff_user where name = :by and role = 'manager' and active")
                    .bind("by", by == null ? "" : by).mapTo(Integer.class).one() > 0;
            if (!manager) {
                throw RuleException.notPermitted("ingest.revert.not-manager", "by", String.valueOf(by));
            }
            String source = (String) ingest.get("source_name");
            String reason = audit.messages().text("audit.change.revert", "id", ingestId, "file", String.valueOf(source));
            String changedBy = by; // who changed it: the manager; the reason says it was a revert (D-27)
            String from = audit.messages().text("records.source.revert", "id", ingestId); // reverts_ingest_id tells machines
            List<NotUndone> exceptions = new ArrayList<>();

            // 1. archives it opened: removed unless something else touched them since
            List<Map<String, Object>> opened = h.createQuery(OPENED).bind("id", ingestId).mapToMap().list();
            List<Long> removable = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            List<Long> kept = new ArrayList<>();
            for (Map<String, Object> a : opened) {
                String archiveNo = (String) a.get("archive_no");
                List<String> why = new ArrayList<>();
                if (Boolean.TRUE.equals(a.get("changed_elsewhere"))) why.add("ingest.revert.touched.changed");
                if (Boolean.TRUE.equals(a.get("facts_elsewhere"))) why.add("ingest.revert.touched.facts");
                if (Boolean.TRUE.equals(a.get("read_since"))) why.add("ingest.revert.touched.read");
                if (Boolean.TRUE.equals(a.get("reminded"))) why.add("ingest.revert.touched.reminded");
                if (Boolean.TRUE.equals(a.get("notified"))) why.add("ingest.revert.touched.notified");
                if (why.isEmpty()) {
                    removable.add(((Number) a.get("id")).longValue());
                    removed.add(archiveNo);
                } else {
                    kept.add(((Number) a.get("id")).longValue());
                    for (String w : why) exceptions.add(new NotUndone(archiveNo, "ingest.revert.kept", w));
                }
            }

            // 2. fields it changed on archives it did not open
            int restored = 0;
            for (Map<String, Object> ch : h.createQuery(CHANGED).bind("id", ingestId).mapToMap().list()) {
                String archiveNo = (String) ch.get("archive_no");
                String field = (String) ch.get("field");
                long customer = ((Number) ch.get("customer_id")).longValue();
                String before = (String) ch.get("before");
                String after = (String) ch.get("after");
                if (((Number) ch.get("later")).intValue() > 0) {
                    exceptions.add(new NotUndone(archiveNo, field, "ingest.revert.later-change"));
                    continue;
                }
                if (COLUMNS.containsKey(field)) {
                    h.createUpdate("update customer set " + field + " = cast(:before as " + COLUMNS.get(field) + "), updated_at = now() where id = :id")
                            .bind("before", before).bind("id", customer).execute();
                } else if (field.startsWith("extra.")) {
                    String key = field.substring("extra.".length());
                    h.createUpdate(before == null ? "update customer set extra = extra - :key, updated_at = now() where id = :id"
                                    : "update customer set extra = extra || jsonb_build_object(:key, :before), updated_at = now() where id = :id")
                            .bind("key", key).bind("before", before).bind("id", customer).execute();
                } else if (field.equals("id_number") && before == null) {
                    h.createUpdate("update customer set id_number_enc = null, id_number_hash = null, id_number_masked = null,"
                            + " updated_at = now() where id = :id").bind("id", customer).execute();
                } else if (field.equals("id_number")) {
                    exceptions.add(new NotUndone(archiveNo, field, "ingest.revert.masked"));
                    continue;
                } else if (field.startsWith("contract ")) {
                    exceptions.add(new NotUndone(archiveNo, field, "ingest.revert.contract"));
                    continue;
                } else {
                    exceptions.add(new NotUndone(archiveNo, field, "ingest.revert.unknown-field"));
                    continue;
                }
                h.createUpdate("""
                        insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source, reverts_ingest_id)
                        values (:customer, :field, :after, :before, :by, :reason, :source, :id)""")
                        .bind("customer", customer).bind("field", field).bind("after", after).bind("before", before)
                        .bind("by", changedBy).bind("reason", reason).bind("source", from).bind("id", ingestId).execute();
                restored++;
            }

            // 3. facts it added to archives that stay (a contract whose terms it changed stays: named above)
            int facts = 0;
            List<Long> openedIds = opened.stream().map(a -> ((Number) a.get("id")).longValue()).toList();
            for (String table : FACTS) {
                String contractTerms = table.equals("consumption") ? """
                         and not exists (select 1 from change_log l where l.source_ingest_id = :id and l.customer_id = t.customer_id
                                         and l.field = 'contract ' || t.contract_no)""" : "";
                facts += h.createUpdate("delete from " + table + " t where t.source_ingest_id = :id"
                                + " and t.customer_id <> all(:opened)" + contractTerms)
                        .bind("id", ingestId).bindArray("opened", Long.class, openedIds).execute();
            }
            // a survey batch: the feedback it filed, its responses and their review entries (on archives that stay;
            // those it opened go whole below), so the same responses are taken again when the batch is dropped again
            facts += h.createUpdate("delete from feedback t where t.source_ingest_id = :id and t.customer_id <> all(:opened)")
                    .bind("id", ingestId).bindArray("opened", Long.class, openedIds).execute();
            h.createUpdate("""
                    delete from survey_review v using survey_response r
                    where v.survey_id = r.survey_id and r.source_ingest_id = :id
                      and (r.customer_id is null or r.customer_id <> all(:opened))""")
                    .bind("id", ingestId).bindArray("opened", Long.class, openedIds).execute();
            facts += h.createUpdate("delete from survey_response r where r.source_ingest_id = :id"
                            + " and (r.customer_id is null or r.customer_id <> all(:opened))")
                    .bind("id", ingestId).bindArray("opened", Long.class, openedIds).execute();
            int reviews = h.createUpdate("delete from pending_change where source_ingest_id = :id and status = 'pending'"
                    + " and customer_id <> all(:kept)").bind("id", ingestId).bindArray("kept", Long.class, kept).execute();

            // 4. notifications it caused: withdrawn if no subscriber has had them yet
            for (Map<String, Object> n : h.createQuery(DELIVERED).bind("id", ingestId).mapToMap().list()) {
                exceptions.add(new NotUndone((String) n.get("archive_no"), "ingest.revert.notification",
                        "ingest.revert.delivered"));
            }
            h.createUpdate("""
                    delete from notification_delivery d using notification_event e
                    where d.event_id = e.id and e.payload ->> 'ingest_id' = cast(:id as text)
                      and not exists (select 1 from notification_delivery x where x.event_id = e.id and x.status = 'delivered')""")
                    .bind("id", ingestId).execute();
            int withdrawn = h.createUpdate("""
                    delete from notification_event e where e.payload ->> 'ingest_id' = cast(:id as text)
                      and not exists (select 1 from notification_delivery x where x.event_id = e.id)""")
                    .bind("id", ingestId).execute();

            // rows it brought that a revert does not take back (a visits file's ledger):
            // named with their count, not guessed
            for (String table : NOT_COVERED) {
                long left = h.createQuery("select count(*) from " + table + " t where t.source_ingest_id = :id"
                                + " and (t.customer_id is null or t.customer_id <> all(:removable))")
                        .bind("id", ingestId).bindArray("removable", Long.class, removable).mapTo(Long.class).one();
                if (left > 0) exceptions.add(new NotUndone(null, table + " ×" + left, "ingest.revert.not-covered"));
            }

            // 1 (continued). the archives it opened that nothing else touched, every row of them
            if (!removable.isEmpty()) {
                ForeignKeyWalk.from(h, "customer").delete(h, "id = any(:removable)",
                        Map.of("removable", removable.toArray(Long[]::new)));
            }

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("archives_removed", removed.size());
            summary.put("fields_restored", restored);
            summary.put("facts_removed", facts);
            summary.put("reviews_withdrawn", reviews);
            summary.put("notifications_withdrawn", withdrawn);
            summary.put("exceptions", exceptions.stream().map(e -> Map.of("archive_no", e.archiveNo() == null ? "" : e.archiveNo(),
                    "what", e.what(), "reason", e.reason())).toList());
            h.createUpdate("""
                    update ingest set status = 'reverted', reverted_at = clock_timestamp(), reverted_by = :by,
                           revert_summary = cast(:summary as jsonb) where id = :id""")
                    .bind("by", by).bind("summary", json(summary)).bind("id", ingestId).execute();
            audit.record(h, new AuditEntry(by, "manager", "revert", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.revert.done", "id", ingestId, "file", String.valueOf(source), "removed", removed.size(),
                            "restored", restored, "facts", facts, "reviews", reviews, "withdrawn", withdrawn, "exceptions", exceptions.size())));
            return new Result(ingestId, source, by, removed.size(), restored, facts, reviews, withdrawn, List.copyOf(removed),
                    List.copyOf(exceptions));
        });
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A change of the register that still stands: not one of an ingest reverted since (its value was set back,
     * or the revert named why not), nor a revert's own restoration ({@code reverts_ingest_id}; before V43 its English
     * source).
     */
    private static final String STANDS = """
            (%1$s.source_ingest_id is null or %1$s.source_ingest_id not in (select id from ingest where status = 'reverted'))
            and %1$s.reverts_ingest_id is null and coalesce(%1$s.source, '') not like 'ingest revert #%%'""";

    /** The archives an ingest opened, and whether anything else touched each since. */
    private static final String OPENED = """
            select c.id, c.archive_no,
                   exists (select 1 from change_log l where l.customer_id = c.id
                           and l.source_ingest_id is distinct from :id and %1$s) as changed_elsewhere,
                   exists (select 1 from consumption f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from preference f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from health_fact f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from special_date f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from lunar_birthday f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from companion f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from consent f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from feedback f where f.customer_id = c.id and f.source_ingest_id is distinct from :id)
                   or exists (select 1 from visit_ledger f where f.customer_id = c.id)
                   or exists (select 1 from pending_change f where f.customer_id = c.id and f.source_ingest_id <> :id) as facts_elsewhere,
                   exists (select 1 from audit_log a where a.archive_no = c.archive_no and a.outcome = 'ok'
                           and a.action in ('read', 'export') and a.actor not like 'system:%%') as read_since,
                   exists (select 1 from reminder r where r.customer_id = c.id and r.digested_at is not null) as reminded,
                   exists (select 1 from notification_event e join notification_delivery d on d.event_id = e.id
                           where e.customer_id = c.id and d.status = 'delivered') as notified
            from customer c where c.source_ingest_id = :id order by c.archive_no""".formatted(STANDS.formatted("l"));

    /**
     * The fields an ingest changed on archives it did not open: per archive and field, the value before its
     * first change and after its last, and how many changes of the field came after.
     */
    private static final String CHANGED = """
            with mine as (
                select customer_id, field, min(id) as first_id, max(id) as last_id
                from change_log where source_ingest_id = :id group by customer_id, field
            )
            select m.customer_id, c.archive_no, m.field, f.old_value as before, l.new_value as after,
                   (select count(*) from change_log x where x.customer_id = m.customer_id and x.field = m.field
                    and x.id > m.last_id and %1$s) as later
            from mine m
            join change_log f on f.id = m.first_id
            join change_log l on l.id = m.last_id
            join customer c on c.id = m.customer_id
            where c.source_ingest_id is distinct from :id
            order by c.archive_no, m.field""".formatted(STANDS.formatted("x"));

    /** Notifications of the ingest that some subscriber has had already. */
    private static final String DELIVERED = """
            select distinct coalesce(e.payload ->> 'archive_no', '') as archive_no
            from notification_event e join notification_delivery d on d.event_id = e.id
            where e.payload ->> 'ingest_id' = cast(:id as text) and d.status = 'delivered'""";
}
