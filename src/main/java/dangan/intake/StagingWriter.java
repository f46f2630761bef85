package dangan.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.normalise.LunarDate;
import dangan.privacy.DataKey;
import dangan.privacy.SensitiveFields;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Streams normalised rows into the staging table with PostgreSQL's COPY (text format): the
 * bulk path never makes a round trip per row. Sensitive values are encrypted here, before
 * they leave the JVM, and blind-indexed for matching: each line that carries any gets a fresh data
 * key of its own (staged with the line, wrapped), which the merge files under the line's customer. The values of
 * columns whose heading looks sensitive are sealed the same way, for the review queue ({@code held}).
 */
final class StagingWriter implements AutoCloseable {

    private static final String COPY = "COPY intake_row (ingest_id, line_no, name, gender, birth_date, mobile, email,"
            + " address, id_hash, id_enc, id_masked, employer, job_title, nationality, extra, visit_date, amount, service,"
            + " payment, staff, branch, pref_room, pref_dining, pref_other, allergy_enc, allergy_hash, health_enc,"
            + " health_hash, anniversary, companions, referrer, contract_no, key_id, key_wrapped, consent_service,"
            + " consent_contact, consent_marketing, consent_sensitive, consent_version, lunar_year, lunar_month, leap_month, lunar_day, place,"
            + " held) FROM STDIN";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private final long ingestId;
    private final SensitiveFields sensitive;
    private final PGCopyOutputStream copy;
    private final Writer out;
    private final StringBuilder line = new StringBuilder(512);
    private long rows;

    StagingWriter(Connection connection, long ingestId, SensitiveFields sensitive) throws SQLException {
        this.ingestId = ingestId;
        this.sensitive = sensitive;
        this.copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class), COPY, 1 << 16);
        this.out = new BufferedWriter(new OutputStreamWriter(copy, StandardCharsets.UTF_8), 1 << 16);
    }

    void write(CustomerRow row) {
        line.setLength(0);
        CustomerRow.Visit visit = row.visit();
        DataKey key = row.residentId() != null || row.allergies() != null || row.health() != null || !row.held().isEmpty()
                ? sensitive.newKey() : null;
        field(ingestId).field(row.lineNo()).field(row.name()).field(row.gender() == null ? null : row.gender().name())
                .field(row.birthDate()).field(row.mobile()).field(row.email()).field(row.address());
        if (row.residentId() == null) {
            field(null).field(null).field(null);
        } else {
            String id = row.residentId().value();
            bytes(sensitive.blindIndex(id)).bytes(sensitive.encrypt(key, id)).field(row.residentId().masked());
        }
        field(row.employer()).field(row.jobTitle()).field(row.nationality()).field(json(row))
                .field(visit == null ? null : visit.date()).field(visit == null ? null : visit.amount())
                .field(visit == null ? null : visit.service()).field(visit == null ? null : visit.payment())
                .field(visit == null ? null : visit.staff()).field(visit == null ? null : visit.branch())
                .field(row.roomPreferences()).field(row.diningPreferences()).field(row.otherPreferences())
                .bytes(key == null ? null : sensitive.encrypt(key, row.allergies())).bytes(sensitive.blindIndex(row.allergies()))
                .bytes(key == null ? null : sensitive.encrypt(key, row.health())).bytes(sensitive.blindIndex(row.health()))
                .field(row.anniversary()).field(row.companions()).field(row.referrer())
                .field(visit == null ? null : visit.contractNo())
                .field(key == null ? null : key.id()).bytes(key == null ? null : key.wrapped());
        CustomerRow.Consent consent = row.consent();
        field(consent == null ? null : consent.service()).field(consent == null ? null : consent.contact())
                .field(consent == null ? null : consent.marketing())
                .field(consent == null ? null : consent.sensitive()).field(consent == null ? null : consent.version());
        LunarDate lunar = row.lunarBirthday();
        field(lunar == null ? null : lunar.year()).field(lunar == null ? null : lunar.month())
                .field(lunar == null ? null : lunar.leap()).field(lunar == null ? null : lunar.day());
        field(visit == null ? null : visit.place());
        field(held(row, key));
        line.setCharAt(line.length() - 1, '\n');
        try {
            out.append(line);
        } catch (IOException e) {
            throw new UncheckedIOException("COPY into the staging table failed", e);
        }
        rows++;
    }

    long rows() {
        return rows;
    }

    /** Abandons an unfinished COPY so the connection can roll back (pgjdbc blocks other calls while a COPY is open). */
    void abort() {
        if (copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException e) {
                // the transaction is rolled back next; nothing was filed
            }
        }
    }

    /** Ends the COPY; the rows are visible to the merge in the same transaction. */
    @Override
    public void close() throws IOException {
        out.close();
    }

    /**
     * The values of columns whose heading looks sensitive, each sealed under the line's key and blind-indexed:
     * {@code {"<heading>": {"enc": base64, "hash": base64}}}; the merge makes each a held change for review.
     */
    private String held(CustomerRow row, DataKey key) {
        if (row.held().isEmpty()) return null;
        java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
        com.fasterxml.jackson.databind.node.ObjectNode held = JSON.createObjectNode();
        row.held().forEach((heading, value) -> held.putObject(heading)
                .put("enc", base64.encodeToString(sensitive.encrypt(key, value)))
                .put("hash", base64.encodeToString(sensitive.blindIndex(value))));
        return held.toString();
    }

    private String json(CustomerRow row) {
        if (row.extra().isEmpty()) return null;
        try {
            return JSON.writeValueAsString(row.extra());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private StagingWriter bytes(byte[] value) {
        if (value == null) return field(null);
        line.append("\\\\x").append(HEX.formatHex(value)).append('\t');
        return this;
    }

    /** No character COPY's text format escapes (backslash, tab, newline, carriage return; none below a space). */
    private static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < ' ' || c == '\\') return false;
        }
        return true;
    }

    private StagingWriter field(Object value) {
        if (value == null) {
            line.append("\\N");
        } else {
            String text = value.toString();
            if (plain(text)) {
                line.append(text).append('\t'); // the common value: nothing to escape, appended whole
                return this;
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '\\' -> line.append("\\\\");
                    case '\t' -> line.append("\\t");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    default -> line.append(c);
                }
            }
        }
        line.append('\t');
        return this;
    }
}
