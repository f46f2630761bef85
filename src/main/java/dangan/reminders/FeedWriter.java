package dangan.reminders;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dangan.intake.RejectReport;
import dangan.privacy.SensitiveFields;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
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
                   r.owner_role, r.channel, r.subject, r.facts::text, r.status
            from reminder r join customer c on c.id = r.customer_id
            where (%s) and (r.kind not in ('visit', 'greeting', 'follow-up') or marketing_ok(c.id))
            order by r.owner_role, r.due_on, c.archive_no, r.kind, r.subject""";

    /** What {@link #write} left: the two files and how many reminders they list. */
    public record Written(Path csv, Path json, int rows) {
    }

    private final DataSource dataSource;
    private final SensitiveFields sensitive;
    private final Set<String> healthRoles;
    private final Path folder;
    private final int digestMaxLines;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    public FeedWriter(DataSource dataSource, SensitiveFields sensitive, Set<String> healthRoles, Path folder, int digestMaxLines) {
        this.dataSource = dataSource;
        this.sensitive = sensitive;
        this.healthRoles = healthRoles;
        this.folder = folder;
        this.digestMaxLines = digestMaxLines;
    }

    /** The file name (without extension) of a job's feed for a day. */
    public static String baseName(String job, LocalDate day) {
        return "visit-plan".equals(job) ? day.toString() : day + "-" + job;
    }

    /** Writes (or rewrites, whole) the day's feed of a job: every reminder it issued for that day. */
    public Written write(String job, LocalDate day) throws IOException, SQLException {
        Files.createDirectories(folder);
        String base = baseName(job, day);
        String unique = java.util.UUID.randomUUID().toString();
        Path csvPart = folder.resolve("." + base + ".csv." + unique + ".part");
        Path jsonPart = folder.resolve("." + base + ".json." + unique + ".part");
        int rows = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // streams with a fetch size
            try (PreparedStatement ps = c.prepareStatement(ROWS.formatted("r.job = ? and r.issued_on = ?"))) {
                ps.setFetchSize(5_000);
                ps.setString(1, job);
                ps.setObject(2, day);
                try (ResultSet rs = ps.executeQuery();
                     Writer out = Files.newBufferedWriter(csvPart, StandardCharsets.UTF_8);
                     OutputStream jsonOut = Files.newOutputStream(jsonPart);
                     JsonGenerator gen = json.getFactory().createGenerator(jsonOut, JsonEncoding.UTF8)) {
                    out.write('\uFEFF');
                    CSVPrinter csv = CSVFormat.EXCEL.builder().setHeader(COLUMNS).get().print(out);
                    gen.useDefaultPrettyPrinter();
                    gen.writeStartObject();
                    gen.writeStringField("job", job);
                    gen.writeStringField("date", day.toString());
                    gen.writeArrayFieldStart("reminders");
                    while (rs.next()) {
                        Line line = line(c, rs);
                        List<Object> cells = new ArrayList<>();
                        cells.add(line.id);
                        for (String v : new String[]{job, line.kind, line.dueOn, line.archiveNo, line.name, line.mobile, line.tier,
                                line.role, line.channel, line.subject, details(line.facts), String.join("; ", line.health), line.status}) {
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
                            for (String h : line.health) gen.writeString(h);
                            gen.writeEndArray();
                        }
                        gen.writeEndObject();
                        rows++;
                    }
                    gen.writeEndArray();
                    gen.writeNumberField("count", rows);
                    gen.writeEndObject();
                    csv.flush();
                }
            } finally {
                c.commit();
            }
        }
        Path csv = Files.move(csvPart, folder.resolve(base + ".csv"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path jsonFile = Files.move(jsonPart, folder.resolve(base + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Written(csv, jsonFile, rows);
    }

    /** The digest mail's text: what this run newly issued, grouped by owner role, without health data. */
    public String digest(String job, LocalDate day, List<Long> issued, Written written) throws SQLException, IOException {
        Map<String, List<String>> byRole = new TreeMap<>();
        int shown = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(ROWS.formatted("r.id = any(?)") + " limit " + digestMaxLines)) {
            Array ids = c.createArrayOf("bigint", issued.toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonNode facts = json.readTree(rs.getString(12));
                    ((com.fasterxml.jackson.databind.node.ObjectNode) facts).remove("health");
                    String text = rs.getString(4) + "  " + rs.getString(5) + "  " + rs.getString(6) + "  " + rs.getString(3)
                            + (rs.getString(10) == null ? "" : " (" + rs.getString(10) + ")")
                            + (rs.getString(11).isEmpty() ? "" : "  [" + rs.getString(11) + "]")
                            + (facts.isEmpty() ? "" : "  — " + details(facts));
                    byRole.computeIfAbsent(rs.getString(9), r -> new ArrayList<>()).add(text);
                    shown++;
                }
            }
        }
        StringBuilder body = new StringBuilder();
        body.append("Dangan ").append(job).append(" for ").append(day).append(": ").append(issued.size())
                .append(" new reminder(s).\n")
                .append("The day's full list (").append(written.rows()).append(" reminder(s)) is in outbox/reminders/")
                .append(written.csv().getFileName()).append(" and ").append(written.json().getFileName())
                .append(". Health notes, where a role may see them, are only in those files.\n");
        byRole.forEach((role, lines) -> {
            body.append("\n== ").append(role).append(" (").append(lines.size()).append(") ==\n");
            lines.forEach(l -> body.append(l).append('\n'));
        });
        if (shown < issued.size()) {
            body.append("\n… and ").append(issued.size() - shown).append(" more: see the files.\n");
        }
        return body.toString();
    }

    private Line line(Connection c, ResultSet rs) throws SQLException, IOException {
        Line l = new Line();
        l.id = rs.getLong(1);
        l.kind = rs.getString(3);
        l.dueOn = rs.getString(4);
        l.archiveNo = rs.getString(5);
        l.name = rs.getString(6);
        l.mobile = rs.getString(7);
        l.tier = rs.getString(8);
        l.role = rs.getString(9);
        l.channel = rs.getString(10);
        l.subject = rs.getString(11);
        l.facts = json.readTree(rs.getString(12));
        l.status = rs.getString(13);
        JsonNode health = l.facts.get("health");
        if (health != null && health.isArray() && healthRoles.contains(l.role)) {
            List<Long> ids = new ArrayList<>();
            health.forEach(h -> ids.add(h.path("id").asLong()));
            try (PreparedStatement ps = c.prepareStatement("select kind, detail_enc from health_fact where id = any(?) order by id")) {
                ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
                try (ResultSet h = ps.executeQuery()) {
                    while (h.next()) l.health.add(h.getString(1) + ": " + sensitive.decrypt(h.getBytes(2)));
                }
            }
        }
        return l;
    }

    /** A person's reading of the facts: "preferences: room: 高楼层; dining: 靠窗 | last_visit: on 2026-10-01, channel phone". */
    static String details(JsonNode facts) {
        List<String> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = facts.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("health")) continue;
            parts.add(f.getKey() + ": " + render(f.getValue()));
        }
        return String.join(" | ", parts);
    }

    private static String render(JsonNode node) {
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(render(n)));
            return String.join("; ", items);
        }
        if (node.isObject()) {
            List<String> items = new ArrayList<>();
            node.fields().forEachRemaining(e -> items.add(e.getKey() + " " + render(e.getValue())));
            return String.join(", ", items);
        }
        return node.isBigDecimal() ? node.decimalValue().toPlainString() : node.asText();
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
