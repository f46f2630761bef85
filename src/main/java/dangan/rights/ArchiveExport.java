package dangan.rights;

import dangan.i18n.FailureText;
import dangan.i18n.Localized;
import dangan.i18n.Messages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Category;
import dangan.access.Request;
import dangan.access.RoleViews;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.access.QueryParams;
import dangan.privacy.SensitiveFields;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bean behind {@code GET /api/archives/{archiveNo}/export?request_id=} (keeper only): the
 * customer's whole archive as one JSON document for their access request (PIPL; D-28) — every
 * category, sensitive values decrypted through {@link SensitiveFields}, each fact with the file or
 * message and line it came from, consents (when the consents table exists), the change history and
 * the customer's requests. Audited as {@code export}; the access request closes as done in the
 * same transaction.
 */
public final class ArchiveExport {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveExport.class);

    /** Fact tables exported per customer, under these names; tables another version adds are found by name. */
    private static final Map<String, String> FACTS = new LinkedHashMap<>();

    static {
        FACTS.put("consumption", "consumption");
        FACTS.put("visits", "visit_ledger");
        FACTS.put("preferences", "preference");
        FACTS.put("special_dates", "special_date");
        FACTS.put("companions", "companion");
        FACTS.put("health", "health_fact");
        FACTS.put("feedback", "feedback");
        FACTS.put("survey_responses", "survey_response");
    }

    /** Columns that are bookkeeping, not the customer's data (keyed hashes, de-duplication keys). */
    private static final List<String> SKIPPED = List.of("customer_id", "fact_key", "id_number_hash", "allergy_hash", "health_hash",
            "proposed_hash");

    private final Jdbi jdbi;
    private final SensitiveFields sensitive;
    private final AuditTrail audit;

    private final RoleViews views;

    public ArchiveExport(DataSource dataSource, SensitiveFields sensitive, AuditTrail audit, RoleViews views) {
        this.views = views;
        this.jdbi = Db.jdbi(dataSource);
        this.sensitive = sensitive;
        this.audit = audit;
    }

    public void export(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        String archiveNo = Request.archiveNo(exchange);
        Long requestId = QueryParams.of(exchange).wholeOrNull("request_id");
        if (requestId == null) {
            throw ApiProblem.localized(400, "api.export.request", "archive", archiveNo);
        }
        ObjectNode doc = jdbi.inTransaction(h -> {
            SubjectRequests.Open request = SubjectRequests.lockOpen(h, requestId, archiveNo, "access");
            // separation of duties: categories the exporter's own view withholds leave only with a second person's approval
            List<String> beyondView = Arrays.stream(Category.values()).filter(k -> !views.sees(caller.role(), k))
                    .map(Category::label).toList();
            String approvedBy = request.exportApprovedBy();
            if (!beyondView.isEmpty() && (approvedBy == null || approvedBy.equals(caller.name()))) {
                throw ApiProblem.forbiddenFor(archiveNo, beyondView, "api.export.beyond-view", "categories", String.join(", ", beyondView),
                        "role", caller.role().label(), "by", String.valueOf(request.receivedBy()), "id", String.valueOf(requestId));
            }
            // the document is the customer's, in the request's language (the configured one unless it asks for another)
            Messages said = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class),
                    audit.messages().language());
            ObjectNode document = document(h, request.customerId(), archiveNo, requestId, said);
            int facts = document.get("facts_total").asInt();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "export", archiveNo,
                    Arrays.stream(Category.values()).map(Category::label).toList(), audit.messages().text("audit.purpose.access-request", "id", requestId), null,
                    AuditEntry.OK, Localized.of("audit.export.archive", "request", requestId, "facts", facts, "by", caller.name(),
                    "hasApproval", approvedBy == null ? "no" : "yes", "approvedBy", approvedBy == null ? "" : approvedBy)));
            SubjectRequests.close(h, requestId, caller.name(), audit.messages().text("records.outcome.exported", "facts", facts));
            return document;
        });
        exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"archive-" + archiveNo + ".json\"");
        exchange.getMessage().setBody(doc);
    }

    /** The whole archive of one customer, read in the caller's transaction. */
    ObjectNode document(Handle h, long customerId, String archiveNo, long requestId, Messages said) {
        Map<Long, ObjectNode> sources = new HashMap<>();
        ObjectNode doc = Api.JSON.createObjectNode();
        doc.put("archive_no", archiveNo);
        doc.put("exported_at", Instant.now().toString());
        doc.put("request_id", requestId);
        doc.put("about", said.text("records.export.about"));
        ArrayNode basic = rows(h, "select * from customer where id = :customer", customerId, sources, said);
        doc.set("basic", basic.isEmpty() ? Api.JSON.createObjectNode() : basic.get(0));
        int facts = 0;
        for (Map.Entry<String, String> f : FACTS.entrySet()) {
            ArrayNode rows = rows(h, "select * from " + f.getValue() + " where customer_id = :customer order by 1", customerId, sources, said);
            doc.set(f.getKey(), rows);
            facts += rows.size();
        }
        List<String> consentTables = consentTables(h);
        ArrayNode consents = Api.JSON.createArrayNode();
        for (String table : consentTables) {
            for (JsonNode row : rows(h, "select * from " + table + " where customer_id = :customer", customerId, sources, said)) {
                ((ObjectNode) row).put("table", table);
                consents.add(row);
            }
        }
        doc.set("consents", consentTables.isEmpty() ? null : consents);
        doc.set("change_history", rows(h, "select id, field, old_value, new_value, changed_at, changed_by, reason, source,"
                + " source_ingest_id, source_line from change_log where customer_id = :customer order by changed_at, id", customerId, sources, said));
        doc.set("requests", rows(h, "select id, kind, received_at, received_via, received_by, due_at, status, closed_at, closed_by, outcome"
                + " from subject_request where customer_id = :customer order by id", customerId, sources, said));
        doc.put("facts_total", facts);
        doc.set("sources", sources(h, sources));
        return doc;
    }

    /** Rows as JSON objects: *_enc values decrypted (under the name without _enc), hashes left out, provenance gathered. */
    private ArrayNode rows(Handle h, String sql, long customerId, Map<Long, ObjectNode> sources, Messages said) {
        ArrayNode out = Api.JSON.createArrayNode();
        h.createQuery(sql).bind("customer", customerId).map((rs, ctx) -> row(rs, sources, said)).forEach(out::add);
        return out;
    }

    /** One row of any table, column by column as its metadata names them (the tables are the archive's, found by name). */
    private ObjectNode row(ResultSet rs, Map<Long, ObjectNode> sources, Messages said) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        ObjectNode row = Api.JSON.createObjectNode();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String name = md.getColumnLabel(i);
            if (SKIPPED.contains(name) || name.endsWith("_hash")) continue;
            int type = md.getColumnType(i);
            if (type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY) {
                if (name.endsWith("_enc")) row.put(name.substring(0, name.length() - 4), decrypt(rs.getBytes(name), said));
                continue;
            }
            put(row, name, rs, type);
            if (name.equals("source_ingest_id") && rs.getObject(name) != null) sources.put(rs.getLong(name), null);
        }
        return row;
    }

    private String decrypt(byte[] sealed, Messages said) {
        if (sealed == null) return null;
        try {
            return sensitive.decryptOrDestroyed(sealed);
        } catch (RuntimeException e) {
            LOG.debug(e.toString(), e); // the library's words, for an operator
            return said.text("records.export.unreadable", "failure", FailureText.said(e));
        }
    }

    private static void put(ObjectNode row, String name, ResultSet rs, int type) throws SQLException {
        Object v = rs.getObject(name);
        if (v == null) {
            row.putNull(name);
            return;
        }
        switch (type) {
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> row.put(name, rs.getObject(name, OffsetDateTime.class).toString());
            case Types.DATE -> row.put(name, rs.getString(name));
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT -> row.put(name, rs.getLong(name));
            case Types.NUMERIC, Types.DECIMAL -> row.put(name, rs.getBigDecimal(name));
            case Types.BOOLEAN, Types.BIT -> row.put(name, rs.getBoolean(name));
            default -> {
                String typeName = rs.getMetaData().getColumnTypeName(rs.findColumn(name));
                if (typeName.equals("jsonb") || typeName.equals("json")) {
                    try {
                        row.set(name, Api.JSON.readTree(rs.getString(name)));
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("column " + name + " holds no JSON the database would store", e);
                    }
                } else {
                    row.put(name, rs.getString(name));
                }
            }
        }
    }

    /** Where the facts came from: each ingest named (file, mail, poll) with its channel and time. */
    private static ArrayNode sources(Handle h, Map<Long, ObjectNode> sources) {
        ArrayNode out = Api.JSON.createArrayNode();
        if (sources.isEmpty()) return out;
        h.createQuery("select id, source_type, channel, source_name, started_at from ingest where id = any(:ids) order by id")
                .bindArray("ids", Long.class, List.copyOf(sources.keySet()))
                .map((rs, ctx) -> Api.JSON.createObjectNode().put("ingest", rs.getLong("id")).put("type", rs.getString("source_type"))
                        .put("channel", rs.getString("channel")).put("name", rs.getString("source_name"))
                        .put("received_at", rs.getObject("started_at", OffsetDateTime.class).toString()))
                .forEach(out::add);
        return out;
    }

    /** Tables of consents (the consents capability's), when this database has them. */
    private static List<String> consentTables(Handle h) {
        return h.createQuery("""
                        select t.table_name from information_schema.tables t
                         where t.table_schema = current_schema() and t.table_type = 'BASE TABLE' and t.table_name like 'consent%'
                           and exists (select 1 from information_schema.columns k where k.table_schema = t.table_schema
                                       and k.table_name = t.table_name and k.column_name = 'customer_id')
                         order by t.table_name""")
                .mapTo(String.class).stream().filter(name -> name.matches("[a-z_][a-z0-9_]*")).toList();
    }
}
