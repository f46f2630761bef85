package dangan.reminders;

import dangan.i18n.FailureText;
import dangan.i18n.Localized;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dangan.i18n.Messages;
import dangan.intake.RejectReport;
import dangan.privacy.SensitiveFields;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.StatementContext;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The feed marketing receives ({@code outbox/reminders/}): every reminder a job issued for a day,
 * as CSV (UTF-8 with BOM, formula-safe cells) and JSON, and the digest mail text of what a run
 * newly issued. The visit plan writes {@code <date>.csv/.json}, the other jobs
 * {@code <date>-<job>.csv/.json}. Health facts appear only on reminders of roles that may see
 * them (D-24), decrypted while writing; the digest mail never carries them. Marketing reminders
 * (visit, greeting, follow-up) of a customer without marketing consent — withdrawn since they
 * were issued — are left out of both (PIPL: a withdrawal takes effect at once).
 */
public final class FeedWriter {

    static final String[] COLUMNS = {"reminder", "job", "kind", "due_on", "archive_no", "name", "mobile", "tier",
            "owner_role", "channel", "subject", "details", "health", "status"};

    private static final String ROWS = """
            select r.id, r.job, r.kind, r.due_on, c.archive_no, c.name, c.mobile, coalesce(c.tier, 'E') as tier,
                   r.owner_role, r.channel, r.subject, r.facts::text as facts, r.status
            from reminder r join customer c on c.id = r.customer_id
            where (%s) and (cast(:purpose as text) is null or contact_ok(c.id, cast(:purpose as text)))
            order by r.owner_role, r.due_on, c.archive_no, r.kind, r.subject""";

    /** The columns of a feed's counts file ({@code <feed>.counts.csv}): one row, then one column per left-out reason. */
    static final List<String> COUNT_COLUMNS = List.of("job", "date", "consent_purpose", "due", "issued", "listed");

    /** What {@link #write} left: the two files and how many reminders they list. */
    public record Written(Path csv, Path json, int rows) {
    }

    private final Jdbi jdbi;
    private final SensitiveFields sensitive;
    private final Set<String> healthRoles;
    private final Path folder;
    private final int digestMaxLines;
    private final Map<String, String> purposes;
    private final FeedText text;
    /** The digest is a mail to people: always in their words, whatever the CSV headings are. */
    private final FeedText mail;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    /**
     * @param purposes the consent purpose of each job that reaches customers: a reminder of a customer who
     *                 no longer may be contacted for it (a withdrawal since it was issued) is left out at once
     * @param headings {@code dangan.feeds.headings}: {@code people} (default) or {@code keys}
     */
    public FeedWriter(DataSource dataSource, SensitiveFields sensitive, Set<String> healthRoles, Path folder, int digestMaxLines,
                      Map<String, String> purposes, Messages messages, String headings) {
        this.jdbi = Db.jdbi(dataSource);
        this.sensitive = sensitive;
        this.healthRoles = healthRoles;
        this.folder = folder;
        this.digestMaxLines = digestMaxLines;
        this.purposes = Map.copyOf(purposes);
        this.text = new FeedText(messages, FeedText.keys(headings));
        this.mail = new FeedText(messages, false);
    }

    /** The file name (without extension) of a job's feed for a day. */
    public static String baseName(String job, LocalDate day) {
        return "visit-plan".equals(job) ? day.toString() : day + "-" + job;
    }

    /** Writes (or rewrites, whole) the day's feed of a job: every reminder it issued for that day. */
    public Written write(String job, LocalDate day, JobTally tally) throws IOException {
        Files.createDirectories(folder);
        String base = baseName(job, day);
        String unique = java.util.UUID.randomUUID().toString();
        Path csvPart = folder.resolve("." + base + ".csv." + unique + ".part");
        Path jsonPart = folder.resolve("." + base + ".json." + unique + ".part");
        try {
            return write(job, day, tally, base, csvPart, jsonPart);
        } catch (IOException | RuntimeException e) {
            // a full disk (or a lost database) leaves no partial feed behind; the reminders stay issued, a re-run writes it whole
            Files.deleteIfExists(csvPart);
            Files.deleteIfExists(jsonPart);
            if (!(e instanceof IOException)) throw e;
            throw new FeedNotWritten(Localized.of("recovery.feed-not-written", "job", job, "day", day.toString(),
                    "folder", folder.toString(), "reason", FailureText.said(e)), e);
        }
    }

    private Written write(String job, LocalDate day, JobTally tally, String base, Path csvPart, Path jsonPart) throws IOException {
        int rows = jdbi.inTransaction(h -> { // the driver streams with a fetch size only inside a transaction
            int listed = 0;
            try (ResultIterator<Row> found = h.createQuery(ROWS.formatted("r.job = :job and r.issued_on = :day"))
                         .setFetchSize(5_000).bind("job", job).bind("day", day).bind("purpose", purposes.get(job))
                         .map(FeedWriter::row).iterator();
                 Writer out = Files.newBufferedWriter(csvPart, StandardCharsets.UTF_8);
                 OutputStream jsonOut = Files.newOutputStream(jsonPart);
                 JsonGenerator gen = json.getFactory().createGenerator(jsonOut, JsonEncoding.UTF8)) {
                out.write('\uFEFF');
                CSVPrinter csv = CSVFormat.EXCEL.builder().setHeader(text.headings(COLUMNS)).get().print(out);
                gen.useDefaultPrettyPrinter();
                gen.writeStartObject();
                gen.writeStringField("job", job);
                gen.writeStringField("date", day.toString());
                gen.writeArrayFieldStart("reminders");
                while (found.hasNext()) {
                    Line line = line(h, found.next());
                    List<Object> cells = new ArrayList<>();
                    cells.add(line.id);
                    for (String v : new String[]{text.job(job), text.kind(line.kind), text.date(line.dueOn), line.archiveNo,
                            line.name, line.mobile, text.tier(line.tier), text.role(line.role), text.channel(line.channel),
                            text.subject(line.kind, line.subject), text.details(line.facts), String.join("; ", line.health),
                            text.status(line.status)}) {
                        cells.add(RejectReport.spreadsheetSafe(v));
                    }
                    csv.printRecord(cells);
                    gen.writeStartObject();
                    gen.writeNumberField("reminder", line.id);
                    gen.writeStringField("kind", line.kind);
                    gen.writeStringField("due_on", line.dueOn);
                    gen.writeStringField("archive_no", line.archiveNo);
                    gen.writeStringField("name", line.name);
                    gen.writeStringField("mobile", line.mobile);
                    gen.writeStringField("tier", line.tier);
                    gen.writeStringField("owner_role", line.role);
                    gen.writeStringField("channel", line.channel);
                    gen.writeStringField("subject", line.subject);
                    gen.writeStringField("status", line.status);
                    ((com.fasterxml.jackson.databind.node.ObjectNode) line.facts).remove("health");
                    gen.writeFieldName("facts");
                    json.writeTree(gen, line.facts);
                    if (!line.health.isEmpty()) {
                        gen.writeArrayFieldStart("health");
                        for (String health : line.health) gen.writeString(health);
                        gen.writeEndArray();
                    }
                    gen.writeEndObject();
                    listed++;
                }
                gen.writeEndArray();
                gen.writeNumberField("count", listed);
                // who was due and who was left out, and why: an empty feed is never silent
                if (tally.due() != null) gen.writeNumberField("due", tally.due());
                gen.writeNumberField("issued", tally.issued().size());
                if (purposes.get(job) != null) gen.writeStringField("consent_purpose", purposes.get(job));
                gen.writeObjectFieldStart("left_out");
                for (String reason : JobTally.REASONS) {
                    if (tally.due() != null) gen.writeNumberField(reason, tally.leftOut(reason));
                }
                gen.writeEndObject();
                gen.writeEndObject();
                csv.flush();
            }
            return listed;
        });
        Path csv = Files.move(csvPart, folder.resolve(base + ".csv"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path jsonFile = Files.move(jsonPart, folder.resolve(base + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        writeCounts(base, job, day, tally, rows);
        return new Written(csv, jsonFile, rows);
    }

    /**
     * The CSV feed's counts, beside it as {@code <feed>.counts.csv}: one header row and one row — job, day, the
     * consent purpose, how many were due, issued and listed, and how many were left out per reason — so the
     * feed itself stays one table a machine reads and Excel opens, and who was left out is never silent. Headings
     * and words as the feed's ({@code dangan.feeds.headings}); counts not kept by a job (staleness, completeness) empty.
     */
    private void writeCounts(String base, String job, LocalDate day, JobTally tally, int listed) throws IOException {
        List<String> columns = new ArrayList<>(COUNT_COLUMNS);
        columns.addAll(JobTally.REASONS);
        List<Object> row = new ArrayList<>(List.of(text.job(job), text.date(day.toString()),
                purposes.get(job) == null ? "" : text.purpose(purposes.get(job)),
                tally.due() == null ? "" : tally.due(), tally.issued().size(), listed));
        for (String reason : JobTally.REASONS) row.add(tally.due() == null ? "" : tally.leftOut(reason));
        RejectReport.writeSharedCsv(folder, base + ".counts.csv", text.countHeadings(columns), csv -> csv.printRecord(row));
    }

    /** The digest mail's text: what this run newly issued, grouped by owner role, without health data. */
    public String digest(String job, LocalDate day, List<Long> issued, Written written, JobTally tally) throws IOException {
        Map<String, List<String>> byRole = new TreeMap<>();
        int shown = 0;
        List<Row> rows = jdbi.withHandle(h -> h.createQuery(ROWS.formatted("r.id = any(:ids)") + " limit :lines")
                .bindArray("ids", Long.class, issued).bind("purpose", purposes.get(job)).bind("lines", digestMaxLines)
                .map(FeedWriter::row).list());
        for (Row row : rows) {
            JsonNode facts = json.readTree(row.facts());
            ((com.fasterxml.jackson.databind.node.ObjectNode) facts).remove("health");
            String line = mail.date(row.dueOn()) + "  " + row.archiveNo() + "  " + row.name() + "  " + mail.kind(row.kind())
                    + (row.channel() == null ? "" : " (" + mail.channel(row.channel()) + ")")
                    + (row.subject().isEmpty() ? "" : "  [" + mail.subject(row.kind(), row.subject()) + "]")
                    + (facts.isEmpty() ? "" : "  — " + mail.details(facts));
            byRole.computeIfAbsent(mail.role(row.role()), r -> new ArrayList<>()).add(line);
            shown++;
        }
        Messages m = mail.messages();
        String jobName = m.text("reminders.job." + job);
        StringBuilder body = new StringBuilder();
        body.append(m.text("reminders.digest.intro", "job", jobName, "day", day, "count", issued.size())).append('\n')
                .append(m.text("reminders.digest.files", "listed", written.rows(), "csv", written.csv().getFileName().toString(),
                        "json", written.json().getFileName().toString())).append('\n');
        List<String> leftOut = tally.leftOutText(m);
        if (!leftOut.isEmpty()) {
            body.append(m.text("reminders.digest.left-out", "leftOut", String.join(m.text("reminders.list-separator"), leftOut))).append('\n');
        }
        byRole.forEach((role, lines) -> {
            body.append("\n== ").append(role).append(" (").append(lines.size()).append(") ==\n");
            lines.forEach(l -> body.append(l).append('\n'));
        });
        if (shown < issued.size()) {
            body.append('\n').append(m.text("reminders.digest.more", "count", issued.size() - shown)).append('\n');
        }
        return body.toString();
    }

    /** A reminder as {@link #ROWS} reads it. */
    private record Row(long id, String kind, String dueOn, String archiveNo, String name, String mobile, String tier,
                       String role, String channel, String subject, String facts, String status) {
    }

    private static Row row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Row(rs.getLong("id"), rs.getString("kind"), rs.getString("due_on"), rs.getString("archive_no"),
                rs.getString("name"), rs.getString("mobile"), rs.getString("tier"), rs.getString("owner_role"),
                rs.getString("channel"), rs.getString("subject"), rs.getString("facts"), rs.getString("status"));
    }

    private Line line(Handle h, Row row) throws IOException {
        Line l = new Line();
        l.id = row.id();
        l.kind = row.kind();
        l.dueOn = row.dueOn();
        l.archiveNo = row.archiveNo();
        l.name = row.name();
        l.mobile = row.mobile();
        l.tier = row.tier();
        l.role = row.role();
        l.channel = row.channel();
        l.subject = row.subject();
        l.facts = json.readTree(row.facts());
        l.status = row.status();
        JsonNode health = l.facts.get("health");
        if (health != null && health.isArray() && healthRoles.contains(l.role)) {
            List<Long> ids = new ArrayList<>();
            health.forEach(f -> ids.add(f.path("id").asLong()));
            l.health.addAll(h.createQuery("select kind, detail_enc from health_fact where id = any(:ids) order by id")
                    .bindArray("ids", Long.class, ids)
                    .map((rs, ctx) -> rs.getString("kind") + ": " + sensitive.decrypt(rs.getBytes("detail_enc"))).list());
        }
        return l;
    }

    private static final class Line {
        long id;
        String kind;
        String dueOn;
        String archiveNo;
        String name;
        String mobile;
        String tier;
        String role;
        String channel;
        String subject;
        JsonNode facts;
        String status;
        final List<String> health = new ArrayList<>();
    }
}
