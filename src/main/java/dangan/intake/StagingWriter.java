package dangan.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.carrotsearch.hppc.IntArrayList;
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
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Predicate;

/**
 * Streams normalised rows into the staging table with PostgreSQL's COPY (text format): the
 * bulk path never makes a round trip per row. Sensitive values are encrypted here, before
 * they leave the JVM, and blind-indexed for matching: each line that carries any gets a fresh data
 * key of its own (staged with the line, wrapped), which the merge files under the line's customer. The values of
 * columns whose heading looks sensitive are sealed the same way, for the review queue ({@code held}).
 * <p>
 * Only the staging columns the file's layout can fill are COPYed (the others stay null): a file of eight
 * columns sends eleven values a line, not forty-five, and the database parses no more than that. A value
 * for a column left out would be a mistake in {@link #COLUMNS}; it fails the file rather than being lost.
 */
final class StagingWriter implements AutoCloseable {

    /** A staging column, and whether a file of this layout can give it a value. */
    private record Column(String name, Predicate<ColumnMap.Layout> filled) {
    }

    private static Predicate<ColumnMap.Layout> any(Field... fields) {
        return layout -> Arrays.stream(fields).anyMatch(layout::has);
    }

    /** An ID number, and so its birth date, gender and data key, may also come from a column of no field's. */
    private static Predicate<ColumnMap.Layout> anyOrExtra(Field... fields) {
        return any(fields).or(layout -> !layout.extra().isEmpty());
    }

    private static final Predicate<ColumnMap.Layout> ALWAYS = layout -> true;
    private static final Predicate<ColumnMap.Layout> EXTRA = layout -> !layout.extra().isEmpty();

    /** Every column, in the order {@link #write} gives the values. */
    private static final List<Column> COLUMNS = List.of(
            new Column("ingest_id", ALWAYS), new Column("line_no", ALWAYS), new Column("name", ALWAYS),
            new Column("gender", anyOrExtra(Field.GENDER, Field.ID_NUMBER)),
            new Column("birth_date", anyOrExtra(Field.BIRTH_DATE, Field.LUNAR_BIRTHDAY, Field.ID_NUMBER)),
            new Column("mobile", any(Field.MOBILE)), new Column("email", any(Field.EMAIL)), new Column("address", any(Field.ADDRESS)),
            new Column("id_hash", anyOrExtra(Field.ID_NUMBER)), new Column("id_enc", anyOrExtra(Field.ID_NUMBER)),
            new Column("id_masked", anyOrExtra(Field.ID_NUMBER)),
            new Column("employer", any(Field.EMPLOYER)), new Column("job_title", any(Field.JOB_TITLE)),
            new Column("nationality", any(Field.NATIONALITY)), new Column("extra", EXTRA),
            new Column("visit_date", any(Field.VISIT_DATE)), new Column("amount", any(Field.AMOUNT)),
            new Column("service", any(Field.SERVICE)), new Column("payment", any(Field.PAYMENT)),
            new Column("staff", any(Field.STAFF)), new Column("branch", any(Field.BRANCH)),
            new Column("pref_room", any(Field.ROOM_PREFERENCES)), new Column("pref_dining", any(Field.DINING_PREFERENCES)),
            new Column("pref_other", any(Field.PREFERENCES)),
            new Column("allergy_enc", any(Field.ALLERGIES)), new Column("allergy_hash", any(Field.ALLERGIES)),
            new Column("health_enc", any(Field.HEALTH)), new Column("health_hash", any(Field.HEALTH)),
            new Column("anniversary", any(Field.ANNIVERSARY)), new Column("companions", any(Field.COMPANIONS)),
            new Column("referrer", any(Field.REFERRER)), new Column("contract_no", any(Field.CONTRACT_NO)),
            new Column("key_id", anyOrExtra(Field.ID_NUMBER, Field.ALLERGIES, Field.HEALTH)),
            new Column("key_wrapped", anyOrExtra(Field.ID_NUMBER, Field.ALLERGIES, Field.HEALTH)),
            new Column("consent_service", any(Field.CONSENT_SERVICE)), new Column("consent_contact", any(Field.CONSENT_CONTACT)),
            new Column("consent_marketing", any(Field.CONSENT_MARKETING)),
            new Column("consent_sensitive", any(Field.CONSENT_SENSITIVE)), new Column("consent_version", any(Field.CONSENT_VERSION)),
            new Column("lunar_year", any(Field.LUNAR_BIRTHDAY, Field.BIRTH_DATE)),
            new Column("lunar_month", any(Field.LUNAR_BIRTHDAY, Field.BIRTH_DATE)),
            new Column("leap_month", any(Field.LUNAR_BIRTHDAY, Field.BIRTH_DATE)),
            new Column("lunar_day", any(Field.LUNAR_BIRTHDAY, Field.BIRTH_DATE)),
            new Column("place", any(Field.PLACE)), new Column("held", EXTRA));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private final long ingestId;
    private final SensitiveFields sensitive;
    /** Per column of {@link #COLUMNS}: whether it is COPYed. */
    private final boolean[] staged;
    private final PGCopyOutputStream copy;
    private final Writer out;
    private final StringBuilder line = new StringBuilder(512);
    /** Whether two staged lines share a key: the merge opens the archives of a file whose keys are all distinct directly. */
    private final StagedKeys keys = new StagedKeys();
    /** At most this many line numbers skipped between staged lines are kept (a few rejected lines, not a file of blanks). */
    static final int MAX_GAPS = 100_000;
    /** The line numbers skipped between staged lines (rejected, blank), ascending; null once too many or out of order. */
    private IntArrayList gaps = new IntArrayList();
    private int lastLine = -1;
    /** The column the next value of a line is for. */
    private int column;
    private long rows;

    StagingWriter(Connection connection, long ingestId, SensitiveFields sensitive, ColumnMap.Layout layout) throws SQLException {
        this(connection.unwrap(PGConnection.class), ingestId, sensitive, staged(layout));
    }

    private StagingWriter(PGConnection connection, long ingestId, SensitiveFields sensitive, boolean[] staged) throws SQLException {
        this(new PGCopyOutputStream(connection, copyStatement(staged), 1 << 16), ingestId, sensitive, staged);
    }

    private StagingWriter(PGCopyOutputStream copy, long ingestId, SensitiveFields sensitive, boolean[] staged) {
        this(copy, new BufferedWriter(new OutputStreamWriter(copy, StandardCharsets.UTF_8), 1 << 16), ingestId, sensitive, staged);
    }

    /** Lines in COPY's text format into {@code out}, for a file of this layout (a test reads them). */
    StagingWriter(Writer out, long ingestId, SensitiveFields sensitive, ColumnMap.Layout layout) {
        this(null, out, ingestId, sensitive, staged(layout));
    }

    private StagingWriter(PGCopyOutputStream copy, Writer out, long ingestId, SensitiveFields sensitive, boolean[] staged) {
        this.ingestId = ingestId;
        this.sensitive = sensitive;
        this.staged = staged;
        this.copy = copy;
        this.out = out;
    }

    /** Which columns a file of this layout can fill. */
    static boolean[] staged(ColumnMap.Layout layout) {
        boolean[] staged = new boolean[COLUMNS.size()];
        for (int i = 0; i < staged.length; i++) staged[i] = COLUMNS.get(i).filled().test(layout);
        return staged;
    }

    /** The COPY of the staged columns, in the order of {@link #COLUMNS}. */
    static String copyStatement(boolean[] staged) {
        StringJoiner names = new StringJoiner(", ", "COPY intake_row (", ") FROM STDIN");
        for (int i = 0; i < staged.length; i++) if (staged[i]) names.add(COLUMNS.get(i).name());
        return names.toString();
    }

    void write(CustomerRow row) {
        line.setLength(0);
        column = 0;
        noteLine(row.lineNo());
        CustomerRow.Visit visit = row.visit();
        DataKey key = row.residentId() != null || row.allergies() != null || row.health() != null || !row.held().isEmpty()
                ? sensitive.newKey() : null;
        field(ingestId).field(row.lineNo()).field(row.name()).field(row.gender() == null ? null : row.gender().name())
                .field(row.birthDate()).field(row.mobile()).field(row.email()).field(row.address());
        keys.mobile(row.mobile());
        keys.email(row.email());
        if (row.residentId() == null) {
            field(null).field(null).field(null);
        } else {
            String id = row.residentId().value();
            byte[] idHash = sensitive.blindIndex(id);
            keys.idHash(idHash);
            bytes(idHash).bytes(sensitive.encrypt(key, id)).field(row.residentId().masked());
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
        if (column != COLUMNS.size()) throw new IllegalStateException(column + " values for " + COLUMNS.size() + " staging columns");
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

    /** True when no two of the lines written so far share a mobile, an email or an ID number (see {@link StagedKeys}). */
    boolean distinctKeys() {
        return keys.distinct();
    }

    /** The line numbers skipped between the lines written so far, ascending; null when too many, or lines came out of order. */
    int[] lineGaps() {
        return gaps == null ? null : gaps.toArray();
    }

    private void noteLine(int lineNo) {
        if (gaps == null) return;
        if (lastLine >= 0) {
            if (lineNo <= lastLine || lineNo - lastLine - 1 > MAX_GAPS - gaps.size()) {
                gaps = null;
                return;
            }
            for (int skipped = lastLine + 1; skipped < lineNo; skipped++) gaps.add(skipped);
        }
        lastLine = lineNo;
    }

    /** Abandons an unfinished COPY so the connection can roll back (pgjdbc blocks other calls while a COPY is open). */
    void abort() {
        if (copy != null && copy.isActive()) {
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
        if (skipped(value)) return this;
        line.append("\\\\x").append(HEX.formatHex(value)).append('\t');
        return this;
    }

    /**
     * Moves on to the next column; true when it is not COPYed (nothing is appended). A value for such a column means
     * {@link #COLUMNS} is wrong about the layout: the file fails (and is kept) rather than lose the value.
     */
    private boolean skipped(Object value) {
        if (staged[column++]) return false;
        if (value != null) {
            throw new IllegalStateException("staging column " + COLUMNS.get(column - 1).name()
                    + " has a value but is not COPYed for this file's columns");
        }
        return true;
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
        if (skipped(value)) return this;
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
