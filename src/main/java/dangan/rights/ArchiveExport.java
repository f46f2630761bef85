package dangan.rights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Category;
import dangan.access.Request;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.access.QueryParams;
import dangan.privacy.SensitiveFields;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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

    private final DataSource dataSource;
    private final SensitiveFields sensitive;
    private final AuditTrail audit;

    public ArchiveExport(DataSource dataSource, SensitiveFields sensitive, AuditTrail audit) {
        this.dataSource = dataSource;
        this.sensitive = sensitive;
        this.audit = audit;
    }

    public void export(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        String archiveNo = Request.archiveNo(exchange);
        Long requestId = QueryParams.of(exchange).wholeOrNull("request_id");
        if (requestId == null) {
            throw ApiProblem.badRequest("an export answers the customer's access request: give request_id"
                    + " (record the request with POST /api/archives/" + archiveNo + "/requests {\"kind\": \"access\", \"via\": \"desk\"})");
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                SubjectRequests.Open request = SubjectRequests.lockOpen(c, requestId, archiveNo, "access");
                ObjectNode doc = document(c, request.customerId(), archiveNo, requestId);
                int facts = doc.get("facts_total").asInt();
                audit.record(c, new AuditEntry(caller.name(), caller.role().label(), "export", archiveNo,
                        Arrays.stream(Category.values()).map(Category::label).toList(), "access request #" + requestId, null,
                        AuditEntry.OK, "whole archive exported for the customer's access request #" + requestId + ": " + facts + " facts"));
                SubjectRequests.close(c, requestId, caller.name(), "archive exported as JSON (" + facts + " facts)");
                c.commit();
                exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"archive-" + archiveNo + ".json\"");
                exchange.getMessage().setBody(doc);
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The whole archive of one customer, read in the caller's transaction. */
    ObjectNode document(Connection c, long customerId, String archiveNo, long requestId) throws Exception {
        Map<Long, ObjectNode> sources = new HashMap<>();
        ObjectNode doc = Api.JSON.createObjectNode();
        doc.put("archive_no", archiveNo);
        doc.put("exported_at", Instant.now().toString());
        doc.put("request_id", requestId);
        doc.put("about", "Everything this archive holds about the customer (PIPL access request): basic information,"
                + " consumption, preferences, health data, feedback, where each came from, consents, and every recorded change.");
        ArrayNode basic = rows(c, "select * from customer where id = ?", customerId, sources);
        doc.set("basic", basic.isEmpty() ? Api.JSON.createObjectNode() : basic.get(0));
        int facts = 0;
        for (Map.Entry<String, String> f : FACTS.entrySet()) {
            ArrayNode rows = rows(c, "select * from " + f.getValue() + " where customer_id = ? order by 1", customerId, sources);
            doc.set(f.getKey(), rows);
            facts += rows.size();
        }
        List<String> consentTables = consentTables(c);
        ArrayNode consents = Api.JSON.createArrayNode();
        for (String table : consentTables) {
            for (JsonNode row : rows(c, "select * from " + table + " where customer_id = ?", customerId, sources)) {
                ((ObjectNode) row).put("table", table);
                consents.add(row);
            }
        }
        doc.set("consents", consentTables.isEmpty() ? null : consents);
        doc.set("change_history", rows(c, "select id, field, old_value, new_value, changed_at, changed_by, reason, source,"
                + " source_ingest_id, source_line from change_log where customer_id = ? order by changed_at, id", customerId, sources));
        doc.set("requests", rows(c, "select id, kind, received_at, received_via, received_by, due_at, status, closed_at, closed_by, outcome"
                + " from subject_request where customer_id = ? order by id", customerId, sources));
        doc.put("facts_total", facts);
        doc.set("sources", sources(c, sources));
        return doc;
    }

    /** Rows as JSON objects: *_enc values decrypted (under the name without _enc), hashes left out, provenance gathered. */
    private ArrayNode rows(Connection c, String sql, long customerId, Map<Long, ObjectNode> sources) throws Exception {
        ArrayNode out = Api.JSON.createArrayNode();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    ObjectNode row = Api.JSON.createObjectNode();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        String name = md.getColumnLabel(i);
                        if (SKIPPED.contains(name) || name.endsWith("_hash")) continue;
                        int type = md.getColumnType(i);
                        if (type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY) {
                            if (name.endsWith("_enc")) row.put(name.substring(0, name.length() - 4), decrypt(rs.getBytes(i)));
                            continue;
                        }
                        put(row, name, rs, i, type);
                        if (name.equals("source_ingest_id") && rs.getObject(i) != null) sources.put(rs.getLong(i), null);
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    private String decrypt(byte[] sealed) {
        if (sealed == null) return null;
        try {
            return sensitive.decryptOrDestroyed(sealed);
        } catch (RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void put(ObjectNode row, String name, ResultSet rs, int i, int type) throws Exception {
        Object v = rs.getObject(i);
        if (v == null) {
            row.putNull(name);
            return;
        }
        switch (type) {
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> row.put(name, rs.getObject(i, OffsetDateTime.class).toString());
            case Types.DATE -> row.put(name, rs.getString(i));
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT -> row.put(name, rs.getLong(i));
            case Types.NUMERIC, Types.DECIMAL -> row.put(name, rs.getBigDecimal(i));
            case Types.BOOLEAN, Types.BIT -> row.put(name, rs.getBoolean(i));
            default -> {
                String typeName = rs.getMetaData().getColumnTypeName(i);
                if (typeName.equals("jsonb") || typeName.equals("json")) row.set(name, Api.JSON.readTree(rs.getString(i)));
                else row.put(name, rs.getString(i));
            }
        }
    }

    /** Where the facts came from: each ingest named (file, mail, poll) with its channel and time. */
    private static ArrayNode sources(Connection c, Map<Long, ObjectNode> sources) throws SQLException {
        ArrayNode out = Api.JSON.createArrayNode();
        if (sources.isEmpty()) return out;
        try (PreparedStatement ps = c.prepareStatement(
                "select id, source_type, channel, source_name, started_at from ingest where id = any(?) order by id")) {
            ps.setArray(1, c.createArrayOf("bigint", sources.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode s = out.addObject();
                    s.put("ingest", rs.getLong(1));
                    s.put("type", rs.getString(2));
                    s.put("channel", rs.getString(3));
                    s.put("name", rs.getString(4));
                    s.put("received_at", rs.getObject(5, OffsetDateTime.class).toString());
                }
            }
        }
        return out;
    }

    /** Tables of consents (the consents capability's), when this database has them. */
    private static List<String> consentTables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select t.table_name from information_schema.tables t
                 where t.table_schema = current_schema() and t.table_type = 'BASE TABLE' and t.table_name like 'consent%'
                   and exists (select 1 from information_schema.columns k where k.table_schema = t.table_schema
                               and k.table_name = t.table_name and k.column_name = 'customer_id')
                 order by t.table_name""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (name.matches("[a-z_][a-z0-9_]*")) tables.add(name);
            }
        }
        return tables;
    }
}
