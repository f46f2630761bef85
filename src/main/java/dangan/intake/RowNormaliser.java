package dangan.intake;

import dangan.i18n.Messages;
import dangan.normalise.ConsentValue;
import dangan.normalise.DateValue;
import dangan.normalise.EmailAddress;
import dangan.normalise.Gender;
import dangan.normalise.LunarDate;
import dangan.normalise.InvalidValueException;
import dangan.normalise.Masking;
import dangan.normalise.MaxLength;
import dangan.normalise.MobileNumber;
import dangan.normalise.Money;
import dangan.normalise.ResidentId;
import dangan.normalise.Text;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns one spreadsheet line into a {@link CustomerRow}, or rejects it. A line is rejected
 * only when it has no name or no valid way to identify the customer (mobile, ID number,
 * email); an invalid optional value leaves that value empty and adds a warning (D-13: an
 * unclear value is confirmed again, never guessed).
 */
public final class RowNormaliser {

    /** The parts of a visit that do not make one on their own (CustomerRow.Visit#isEmpty). */
    private static final List<Field> VISIT_PARTS = List.of(Field.PAYMENT, Field.STAFF, Field.BRANCH, Field.PLACE);

    private final ColumnMap.Layout layout;
    private final Messages messages;
    /**
     * The fields of this layout that have a maximum length (MaxLength), and each one's maximum: looked up once, not per
     * line, and kept in arrays (iterating a map's entries made an object per field and line: 0.9 GB at 10⁶ lines).
     */
    private final Field[] limited;
    private final int[] limits;
    /**
     * Where each field stands in a line (by the field's ordinal; -1: the file has no such column), looked up once: a line
     * reads some thirty fields, and the layout's map lookups were a tenth of the JVM's time staging a million lines.
     */
    private final int[] columns = new int[Field.values().length];

    /** @param messages the language of the reject reasons and warnings (dangan.locale) */
    public RowNormaliser(ColumnMap.Layout layout, Messages messages) {
        this.layout = layout;
        this.messages = messages;
        List<Field> withLimits = new ArrayList<>();
        for (Field field : Field.values()) {
            Integer max = MaxLength.of(field.key());
            if (max != null && layout.has(field)) withLimits.add(field);
            columns[field.ordinal()] = layout.fields().getOrDefault(field, -1);
        }
        limited = withLimits.toArray(Field[]::new);
        limits = withLimits.stream().mapToInt(field -> MaxLength.of(field.key())).toArray();
    }

    /** The outcome for one line: the row (absent when rejected) and every issue found. */
    public record Result(CustomerRow row, List<RowIssue> issues) {
        public boolean rejected() {
            return row == null;
        }
    }

    public Result normalise(int lineNo, List<String> cells) {
        Line line = new Line(lineNo, cells);
        String name = Text.clean(line.raw(Field.NAME));
        String mobile = line.parse(Field.MOBILE, MobileNumber::parse, MobileNumber::digits);
        ResidentId id = line.parse(Field.ID_NUMBER, ResidentId::parse, Function.identity());
        String email = line.parse(Field.EMAIL, EmailAddress::parse, EmailAddress::value);
        Extra extra = line.extra(id);
        if (id == null) id = extra.residentId();

        if (name == null) {
            line.issues.add(0, RowIssue.reject(lineNo, layout.heading(Field.NAME), "", messages.text("intake.reject.no-name")));
        }
        if (mobile == null && id == null && email == null) {
            line.rejectUnidentified();
        }
        line.rejectTooLong();
        if (line.hasReject()) {
            return new Result(null, line.issues);
        }

        Gender gender = line.parse(Field.GENDER, Gender::parse, Function.identity());
        LunarDate lunarBirthday = line.parse(Field.LUNAR_BIRTHDAY, LunarDate::parse, Function.identity());
        LocalDate birthDate;
        if (LunarDate.looksLunar(line.raw(Field.BIRTH_DATE))) {
            // 农历三月初八 in the birthday column: a lunar birthday (the 农历生日 column wins when both are given)
            LunarDate written = line.parse(Field.BIRTH_DATE, LunarDate::parse, Function.identity());
            if (lunarBirthday == null) lunarBirthday = written;
            birthDate = lunarBirthday == null ? null : lunarBirthday.gregorianBirth();
        } else {
            birthDate = line.parse(Field.BIRTH_DATE, DateValue::parse, Function.identity());
        }
        if (id != null) {
            if (birthDate != null && !birthDate.equals(id.birthDate())) {
                line.warn(Field.BIRTH_DATE, birthDate.toString(), messages.text("intake.warn.birth-differs", "idBirth", id.birthDate()));
            }
            if (gender != null && gender != id.gender()) {
                line.warn(Field.GENDER, gender.name(), messages.text("intake.warn.gender-differs"));
            }
            birthDate = id.birthDate();
            gender = id.gender();
        }
        CustomerRow.Visit visit = new CustomerRow.Visit(
                line.parse(Field.VISIT_DATE, DateValue::parse, Function.identity()),
                line.parse(Field.AMOUNT, Money::parse, Function.identity()),
                line.text(Field.SERVICE), line.text(Field.PAYMENT), line.text(Field.STAFF), line.text(Field.BRANCH),
                line.text(Field.CONTRACT_NO), line.text(Field.PLACE));
        if (visit.isEmpty()) line.warnVisitPartsAlone();

        CustomerRow row = new CustomerRow(lineNo, name, gender, birthDate, lunarBirthday, mobile, email,
                line.text(Field.ADDRESS), id, line.text(Field.EMPLOYER), line.text(Field.JOB_TITLE),
                line.text(Field.NATIONALITY), extra.attributes(), visit.isEmpty() ? null : visit,
                line.text(Field.ROOM_PREFERENCES), line.text(Field.DINING_PREFERENCES), line.text(Field.PREFERENCES),
                line.text(Field.ALLERGIES), line.text(Field.HEALTH),
                line.parse(Field.ANNIVERSARY, DateValue::parse, Function.identity()),
                line.text(Field.COMPANIONS), line.text(Field.REFERRER), consent(line), extra.held());
        line.issues.sort(Comparator.comparingInt(issue -> layout.headings().indexOf(issue.column())));
        return new Result(row, line.issues);
    }

    /** One line being read: its cells and the issues found so far. */
    private final class Line {
        private final int lineNo;
        private final List<String> cells;
        private final List<RowIssue> issues = new ArrayList<>();
        private final List<String> identifierProblems = new ArrayList<>();

        Line(int lineNo, List<String> cells) {
            this.lineNo = lineNo;
            this.cells = cells;
        }

        /** The field's cell, or null when the file has no such column or the line is short (as {@link ColumnMap.Layout#cell}). */
        String raw(Field field) {
            int index = columns[field.ordinal()];
            return index < 0 || index >= cells.size() ? null : cells.get(index);
        }

        String text(Field field) {
            return Text.clean(raw(field));
        }

        /** Parses an optional value; an invalid one becomes a warning (or, for identifiers, a note for the reject reason). */
        <T, R> R parse(Field field, Function<String, T> parser, Function<T, R> view) {
            String raw = raw(field);
            try {
                T value = parser.apply(raw);
                return value == null ? null : view.apply(value);
            } catch (InvalidValueException e) {
                if (isIdentifier(field)) {
                    identifierProblems.add(layout.heading(field) + ": " + e.reason(messages));
                }
                warn(field, shown(field, raw), e.reason(messages));
                return null;
            }
        }

        void warn(Field field, String value, String reason) {
            issues.add(RowIssue.warning(lineNo, layout.heading(field), value, reason));
        }

        /** A payment, staff, branch or place without a visit date, amount, service or contract is no visit (D-2): said, not dropped silently. */
        void warnVisitPartsAlone() {
            for (Field field : VISIT_PARTS) {
                String value = text(field);
                if (value != null) warn(field, value, messages.text("intake.warn.visit-part-alone", "field", layout.heading(field)));
            }
        }

        /** A text longer than its field takes (MaxLength) rejects the line: field and limit named, the value not echoed. */
        void rejectTooLong() {
            for (int i = 0; i < limited.length; i++) {
                Field field = limited[i];
                int max = limits[i];
                String value = Text.clean(raw(field));
                if (value != null && MaxLength.length(value) > max) {
                    issues.add(RowIssue.reject(lineNo, layout.heading(field), "", messages.text("intake.reject.too-long",
                            "field", layout.heading(field), "length", MaxLength.length(value), "max", max)));
                }
            }
            for (Map.Entry<Integer, String> column : layout.extra().entrySet()) {
                String value = column.getKey() < cells.size() ? Text.clean(cells.get(column.getKey())) : null;
                if (value != null && MaxLength.length(value) > MaxLength.EXTRA) {
                    issues.add(RowIssue.reject(lineNo, column.getValue(), "", messages.text("intake.reject.too-long",
                            "field", column.getValue(), "length", MaxLength.length(value), "max", MaxLength.EXTRA)));
                }
            }
        }

        void rejectUnidentified() {
            // the identifier warnings become part of the reject: the line is not filed at all
            issues.removeIf(i -> i.severity() != RowIssue.Severity.REJECT);
            String why = identifierProblems.isEmpty()
                    ? messages.text("intake.reject.no-identifier")
                    : String.join("; ", identifierProblems);
            issues.add(RowIssue.reject(lineNo, identifierColumns(), "", messages.text("intake.reject.unidentified", "why", why)));
        }

        boolean hasReject() {
            return issues.stream().anyMatch(i -> i.severity() == RowIssue.Severity.REJECT);
        }

        /**
         * The columns that map to no field, as extra attributes — never a way around the sealed fields: a
         * column whose heading looks sensitive ({@link ColumnMap#looksSensitive}) is held for review, whatever its
         * value (sealed with the line, a pending change {@code held:<heading>} once its archive is known); a valid resident ID (checksum) in any other is an ID number, whatever the heading — the line's
         * ID number when it has none (sealed, masked, matched by blind index), else held back — and one
         * inside a longer text is masked there.
         */
        Extra extra(ResidentId id) {
            Map<String, String> attributes = new LinkedHashMap<>();
            Map<String, String> held = new LinkedHashMap<>();
            ResidentId found = null;
            for (Map.Entry<Integer, String> column : new java.util.TreeMap<>(layout.extra()).entrySet()) {
                int index = column.getKey();
                String heading = column.getValue();
                String value = index < cells.size() ? Text.clean(cells.get(index)) : null;
                if (value == null) continue;
                if (ColumnMap.looksSensitive(heading)) {
                    // the value goes to the review queue, sealed: the warning keeps no copy of the line
                    held.put(heading, value);
                    warn(heading, "***", messages.text("dropfolder.held-sensitive-heading", "heading", heading));
                    continue;
                }
                List<ResidentId> ids = residentIds(value);
                if (ids.isEmpty()) {
                    attributes.put(heading, value);
                } else if (ids.size() == 1 && ids.get(0).value().equals(value.replace(" ", "").toUpperCase(java.util.Locale.ROOT))) {
                    ResidentId alone = ids.get(0);
                    if (id == null && found == null) {
                        found = alone;
                        warn(heading, alone.masked(), messages.text("dropfolder.id-in-extra"));
                    } else if (!alone.equals(id != null ? id : found)) {
                        issues.add(RowIssue.held(lineNo, heading, messages.text("dropfolder.second-id-held")));
                    }
                } else {
                    if (id == null && found == null) found = ids.get(0);
                    String masked = Masking.maskIdLikeRuns(value);
                    attributes.put(heading, masked);
                    warn(heading, masked, messages.text("dropfolder.id-in-text"));
                }
            }
            return new Extra(attributes, found, held);
        }

        private void warn(String heading, String value, String reason) {
            issues.add(RowIssue.warning(lineNo, heading, value, reason));
        }
    }

    /**
     * The extra attributes of a line to file, a resident ID found among them (null when none), and the values of
     * columns whose heading looks sensitive, by heading, held for review.
     */
    private record Extra(Map<String, String> attributes, ResidentId residentId, Map<String, String> held) {
    }

    private static final java.util.regex.Pattern ID_RUN = java.util.regex.Pattern.compile("(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])");

    /** The valid resident IDs (18 characters, checksum and birth date right) in a text. */
    static List<ResidentId> residentIds(String text) {
        List<ResidentId> ids = new ArrayList<>();
        java.util.regex.Matcher run = ID_RUN.matcher(text.replace(" ", ""));
        while (run.find()) {
            try {
                ids.add(new ResidentId(run.group().toUpperCase(java.util.Locale.ROOT)));
            } catch (InvalidValueException notAnId) {
                // a long number that is not a resident ID (an order, a card): left as it is
            }
        }
        return ids;
    }

    /** What the line says about consent; a value that is neither yes nor no is a warning and counts as not said. */
    private CustomerRow.Consent consent(Line line) {
        CustomerRow.Consent consent = new CustomerRow.Consent(
                line.parse(Field.CONSENT_SERVICE, ConsentValue::parse, Function.identity()),
                line.parse(Field.CONSENT_CONTACT, ConsentValue::parse, Function.identity()),
                line.parse(Field.CONSENT_MARKETING, ConsentValue::parse, Function.identity()),
                line.parse(Field.CONSENT_SENSITIVE, ConsentValue::parse, Function.identity()),
                line.text(Field.CONSENT_VERSION));
        return consent.isEmpty() ? null : consent;
    }

    private boolean isIdentifier(Field field) {
        return field == Field.MOBILE || field == Field.ID_NUMBER || field == Field.EMAIL;
    }

    private String identifierColumns() {
        List<String> present = new ArrayList<>();
        for (Field f : List.of(Field.MOBILE, Field.ID_NUMBER, Field.EMAIL)) {
            if (layout.has(f)) present.add(layout.heading(f));
        }
        return present.isEmpty() ? "mobile/id_number/email" : String.join("/", present);
    }

    /** How a value may appear in a report: sensitive values masked. */
    static String shown(Field field, String raw) {
        String value = Text.clean(raw);
        if (value == null) return "";
        if (!field.sensitive()) return value;
        return Masking.mask(value);
    }

}
