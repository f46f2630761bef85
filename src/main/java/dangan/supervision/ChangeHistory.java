package dangan.supervision;

import dangan.i18n.Localized;

import dangan.access.QueryParams;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Category;
import dangan.access.Request;
import dangan.access.Role;
import dangan.access.RoleViews;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bean {@code changeHistory}: {@code GET /api/archives/{archiveNo}/history} answers D-27's
 * question — what did this field say on a date, who changed it, why, from which source — from the
 * change register ({@code change_log}). The register records changes, not the values an archive
 * was opened with: before a field's first change its value is that change's old value, set when
 * the archive was opened from the customer's source line; a field never changed has held its
 * current value since the opening. Fields are shown by the caller's role (D-24), each field in
 * its category; sensitive values are masked in the register itself. Every answer is audited as a read.
 */
public final class ChangeHistory {

    /** Where a value came from: an ingest (file, mail, poll) and its line, or a note (e.g. 'correction request #3'). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(Long ingest, String name, String channel, Integer line, String note) {
    }

    /** One change of one field. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Change(long id, String field, Category category, String oldValue, String newValue, OffsetDateTime changedAt,
                         String changedBy, String reason, Source source) {
    }

    /** What a field said on a day, since when, who set it, why, from where. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FieldOnDate(String field, Category category, String value, OffsetDateTime since, String changedBy,
                              String reason, Source source) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Changes(String archiveNo, OffsetDateTime openedAt, Source openedFrom, List<Change> changes) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OnDate(String archiveNo, LocalDate on, OffsetDateTime openedAt, List<FieldOnDate> fields, String note) {
    }

    /** The archive's own fields, in the order a person reads them (the register may name others: contracts, extras…). */
    static final List<String> FIELDS = List.of("name", "gender", "birth_date", "mobile", "email", "address", "id_number",
            "employer", "job_title", "nationality", "tier", "review_status");

    private static final String CUSTOMER = """
            select c.id, c.name, c.gender::text, c.birth_date::text, c.mobile, c.email, c.address, c.id_number_masked,
                   c.employer, c.job_title, c.nationality, c.tier::text, c.review_status, c.extra::text,
                   c.created_at, c.source_ingest_id, c.source_line, g.source_name, g.channel,
                   c.sealed_at is not null or c.status = 'sealed' as sealed
              from customer c left join ingest g on g.id = c.source_ingest_id
             where c.archive_no = :archiveNo""";

    private static final String CHANGES = """
            select l.id, l.field, l.old_value, l.new_value, l.changed_at, l.changed_by, l.reason,
                   l.source_ingest_id, l.source_line, g.source_name, g.channel, l.source
              from change_log l left join ingest g on g.id = l.source_ingest_id
             where l.customer_id = :customer
             order by l.changed_at, l.id""";

    private final Jdbi jdbi;
    private final RoleViews views;
    private final AuditTrail audit;
    private final ZoneId zone;
    private final ObjectMapper json = new ObjectMapper();

    public ChangeHistory(DataSource dataSource, RoleViews views, AuditTrail audit, ZoneId zone) {
        this.jdbi = Db.jdbi(dataSource);
        this.views = views;
        this.audit = audit;
        this.zone = zone;
    }

    /** The category a field of the change register belongs to (D-24 views). */
    public static Category category(String field) {
        if (field.startsWith("contract")) return Category.CONSUMPTION;
        if (field.startsWith("consumption") || field.startsWith("visit")) return Category.CONSUMPTION;
        if (field.equals("feedback") || field.startsWith("feedback.")) return Category.FEEDBACK;
        if (field.startsWith("preference") || field.startsWith("special_date") || field.startsWith("companion")) {
            return Category.PREFERENCES;
        }
        if (field.startsWith("health") || field.startsWith("allerg")) return Category.HEALTH;
        return Category.BASIC;
    }

    public void history(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        QueryParams q = QueryParams.of(exchange);
        // digits only, before anything else: the path is not a place for text that would reach the audit log (as a denied attempt)
        String archiveNo = Request.archiveNo(exchange);
        String field = q.text("field");
        LocalDate on = q.date("on");
        String purpose = q.text("purpose");
        Set<Category> visible = views.of(caller.role());
        if (visible.isEmpty()) {
            throw ApiProblem.forbiddenFor(archiveNo, List.of(Category.BASIC.label()), "api.history.no-contents",
                    "role", caller.role().label());
        }
        if (field != null && !visible.contains(category(field))) {
            throw ApiProblem.forbiddenFor(archiveNo, List.of(category(field).label()), "api.history.category",
                    "role", caller.role().label(), "category", category(field).label(), "field", field);
        }
        Object body = jdbi.inTransaction(h -> {
            Archive archive = archive(h, archiveNo);
            if (archive == null || (archive.sealed && !caller.is(Role.MANAGER, Role.KEEPER))) {
                throw ApiProblem.localized(404, "api.archive.none", "archive", archiveNo);
            }
            List<Change> changes = changes(h, archive.id);
            Set<String> shownCategories = new TreeSet<>();
            Object answer;
            if (on == null) {
                List<Change> shown = new ArrayList<>();
                for (Change ch : changes) {
                    if (!visible.contains(ch.category()) || (field != null && !field.equals(ch.field()))) continue;
                    shown.add(ch);
                    shownCategories.add(ch.category().label());
                }
                if (field != null) shownCategories.add(category(field).label());
                answer = new Changes(archiveNo, archive.createdAt, archive.openedFrom, shown);
            } else {
                answer = onDate(archive, changes, field, on, visible, shownCategories);
            }
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "read", archiveNo, List.copyOf(shownCategories),
                    purpose, null, AuditEntry.OK, Localized.of("audit.history.read", "hasField", field == null ? "no" : "yes",
                    "field", field == null ? "" : dangan.audit.AuditText.field(field), "hasOn", on == null ? "no" : "yes", "on", on == null ? "" : on)));
            return answer;
        });
        exchange.getMessage().setBody(body);
    }

    private OnDate onDate(Archive archive, List<Change> changes, String field, LocalDate on, Set<Category> visible,
                          Set<String> shownCategories) {
        Instant endOfDay = on.plusDays(1).atStartOfDay(zone).toInstant();
        if (!archive.createdAt.toInstant().isBefore(endOfDay)) {
            return new OnDate(archive.archiveNo, on, archive.createdAt, List.of(),
                    audit.messages().text("records.history.not-yet", "opened", archive.createdAt.atZoneSameInstant(zone).toLocalDate(),
                            "on", on));
        }
        Set<String> names = new LinkedHashSet<>(FIELDS);
        names.addAll(archive.current.keySet());
        changes.forEach(ch -> names.add(ch.field()));
        List<FieldOnDate> fields = new ArrayList<>();
        for (String name : names) {
            Category category = category(name);
            if (!visible.contains(category) || (field != null && !field.equals(name))) continue;
            Change last = null;
            Change next = null;
            for (Change ch : changes) {
                if (!ch.field().equals(name)) continue;
                if (ch.changedAt().toInstant().isBefore(endOfDay)) last = ch;
                else if (next == null) next = ch;
            }
            FieldOnDate f;
            if (last != null) {
                f = new FieldOnDate(name, category, last.newValue(), last.changedAt(), last.changedBy(), last.reason(), last.source());
            } else if (next != null) {
                f = new FieldOnDate(name, category, next.oldValue(), archive.createdAt, null, audit.messages().text("audit.history.opened"), archive.openedFrom);
            } else if (archive.current.containsKey(name) || FIELDS.contains(name)) {
                f = new FieldOnDate(name, category, archive.current.get(name), archive.createdAt, null, audit.messages().text("audit.history.opened"), archive.openedFrom);
            } else {
                continue;
            }
            fields.add(f);
            shownCategories.add(category.label());
        }
        if (field != null) shownCategories.add(category(field).label());
        return new OnDate(archive.archiveNo, on, archive.createdAt, fields, null);
    }

    private record Archive(long id, String archiveNo, Map<String, String> current, OffsetDateTime createdAt, Source openedFrom,
                           boolean sealed) {
    }

    private Archive archive(Handle h, String archiveNo) {
        record Row(Archive archive, String extra) {
        }
        Row row = h.createQuery(CUSTOMER).bind("archiveNo", archiveNo).map((rs, ctx) -> {
            Map<String, String> current = new LinkedHashMap<>();
            for (String name : FIELDS) current.put(name, rs.getString(name.equals("id_number") ? "id_number_masked" : name));
            Long ingest = rs.getObject("source_ingest_id", Long.class);
            Source from = new Source(ingest, rs.getString("source_name"), rs.getString("channel"),
                    rs.getObject("source_line", Integer.class), ingest == null ? audit.messages().text("records.history.no-source") : null);
            return new Row(new Archive(rs.getLong("id"), archiveNo, current, rs.getObject("created_at", OffsetDateTime.class), from,
                    rs.getBoolean("sealed")), rs.getString("extra"));
        }).findOne().orElse(null);
        if (row == null) return null;
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = json.readTree(row.extra()).fields(); it.hasNext(); ) {
                var e = it.next();
                row.archive().current().put("extra." + e.getKey(), e.getValue().asText());
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("archive " + archiveNo + ": its extra attributes are not JSON", e);
        }
        return row.archive();
    }

    private static List<Change> changes(Handle h, long customerId) {
        return h.createQuery(CHANGES).bind("customer", customerId).map((rs, ctx) -> {
            Source source = new Source(rs.getObject("source_ingest_id", Long.class), rs.getString("source_name"), rs.getString("channel"),
                    rs.getObject("source_line", Integer.class), rs.getString("source"));
            String field = rs.getString("field");
            return new Change(rs.getLong("id"), field, category(field), rs.getString("old_value"), rs.getString("new_value"),
                    rs.getObject("changed_at", OffsetDateTime.class), rs.getString("changed_by"), rs.getString("reason"), source);
        }).list();
    }
}
