package dangan.consent;

import dangan.i18n.Localized;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Role;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET/POST /api/archives/{no}/consents} (routes/consents.yaml): a customer's consent per
 * purpose and its history; recording a decision (grant or withdrawal) is audited in the same
 * transaction. Front desk, service staff, managers and the archive keeper may read and record.
 */
public final class ConsentsApi {

    private static final List<String> CATEGORIES = List.of("basic");
    private static final int MAX_TEXT = 200;

    private final Jdbi jdbi;
    private final Consents consents;
    private final AuditTrail audit;

    public ConsentsApi(DataSource dataSource, Consents consents, AuditTrail audit) {
        this.jdbi = Db.jdbi(dataSource);
        this.consents = consents;
        this.audit = audit;
    }

    /** The answer of GET: the decision that holds per purpose and the whole history, newest first. */
    public record View(@JsonProperty("archive_no") String archiveNo, Map<String, Consents.Consent> current,
                       List<Consents.Consent> history, @JsonProperty("marketing_ok") boolean marketingOk) {
    }

    public void list(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        String archiveNo = archiveNo(exchange);
        View view = jdbi.withHandle(h -> {
            long customerId = customer(h, archiveNo, caller, false);
            Map<String, Consents.Consent> current = consents.current(h, customerId);
            Consents.Consent marketing = current.get("marketing");
            return new View(archiveNo, current, consents.history(customerId), marketing != null && marketing.granted());
        });
        exchange.getMessage().setBody(view);
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", archiveNo, CATEGORIES, audit.messages().text("audit.purpose.consents"), null,
                AuditEntry.OK, Localized.of("audit.consent.read")));
    }

    /** POST body: {@code {"purpose": "marketing", "granted": false, "source": "phone", "wording_version": "v3"}};
     * {@code source} defaults to {@code api}. Answers 201 with the row. */
    public void record(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        String archiveNo = archiveNo(exchange);
        JsonNode body = Api.readJson(exchange);
        String purpose = text(body, "purpose", true);
        if (!Consents.PURPOSES.contains(purpose)) {
            throw ApiProblem.localized(400, "api.consent.purpose", "purpose", String.valueOf(purpose));
        }
        JsonNode granted = body.get("granted");
        if (granted == null || !granted.isBoolean()) {
            throw ApiProblem.localized(400, "api.consent.granted");
        }
        String source = text(body, "source", false);
        String wording = text(body, "wording_version", false);
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!List.of("purpose", "granted", "source", "wording_version").contains(name)) {
                throw ApiProblem.localized(400, "api.consent.unknown-field", "field", name);
            }
        }
        long customerId = jdbi.inTransaction(h -> {
            long customer = customer(h, archiveNo, caller, true);
            long id = consents.record(h, customer, purpose, granted.booleanValue(), source == null ? "api" : source,
                    wording, caller.name());
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "change", archiveNo, CATEGORIES, audit.messages().text("audit.purpose.consent"),
                    null, AuditEntry.OK, Localized.of("audit.consent.recorded", "purpose", purpose, "granted", granted.booleanValue() ? "yes" : "no",
                    "source", source == null ? "api" : source, "hasWording", wording == null ? "no" : "yes", "wording", wording == null ? "" : wording, "id", id)));
            return customer;
        });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("archive_no", archiveNo);
        answer.put("recorded", consents.current(customerId).get(purpose));
        exchange.getMessage().setBody(answer);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
    }

    private static String archiveNo(Exchange exchange) {
        String no = exchange.getMessage().getHeader("no", String.class);
        if (no == null || !no.matches("[0-9A-Za-z-]{1,40}")) {
            throw ApiProblem.localized(400, "api.archive-no.invalid", "value", no == null ? "" : no.replaceAll("[^\\p{Print}]", "?"));
        }
        return no;
    }

    /** The archive's customer id; 404 when there is none, or when it is sealed and the caller is an ordinary role. */
    private static long customer(Handle h, String archiveNo, Caller caller, boolean forUpdate) {
        record Archive(long id, boolean sealed) {
        }
        Archive archive = h.createQuery("select id, sealed_at is not null or status = 'sealed' as sealed from customer"
                        + " where archive_no = :no" + (forUpdate ? " for update" : ""))
                .bind("no", archiveNo)
                .map((rs, ctx) -> new Archive(rs.getLong("id"), rs.getBoolean("sealed")))
                .findOne().orElse(null);
        if (archive == null || (archive.sealed() && !caller.is(Role.MANAGER, Role.KEEPER))) {
            throw ApiProblem.localized(404, "api.archive.none", "archive", archiveNo);
        }
        if (archive.sealed() && forUpdate) {
            throw ApiProblem.localized(409, "api.archive.sealed", "archive", archiveNo);
        }
        return archive.id();
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) throw ApiProblem.localized(400, "api.field.missing", "field", field);
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) throw ApiProblem.localized(400, "api.field.text", "field", field);
        if (node.asText().length() > MAX_TEXT) throw ApiProblem.localized(400, "api.field.too-long", "field", field, "max", String.valueOf(MAX_TEXT));
        return node.asText().strip();
    }
}
