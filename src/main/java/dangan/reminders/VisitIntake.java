package dangan.reminders;

import dangan.i18n.Messages;
import dangan.intake.ArchiveIntake;
import dangan.intake.ArchiveLines;
import dangan.intake.ArchiveLines.Problem;
import dangan.intake.FileName;
import dangan.intake.IngestRun;
import dangan.intake.IntakeTally;
import dangan.intake.SpreadsheetIntake;
import dangan.intake.read.ReadLimits;
import dangan.intake.read.RowHandler;
import dangan.intake.read.SpreadsheetReader;
import dangan.normalise.DateValue;
import dangan.normalise.InvalidValueException;
import dangan.privacy.SensitiveFields;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Visits made (D-8), dropped as CSV/XLSX into {@code inbox/visits/}: columns archive_no or mobile,
 * visited_on, staff, role, channel, outcome, notes (Chinese headings too). Each good line becomes a
 * visit-ledger entry, closes the open visit and follow-up reminders of that archive and role, and
 * so moves the role's next due date (the visit plan counts from the last entry). Bad lines are
 * rejected with their reason ({@code outbox/rejects/<file>.rejects.csv}); the ingest ledger
 * records the file (channel {@code visits}); the same content dropped again changes nothing.
 */
public final class VisitIntake {

    private static final Logger LOG = LoggerFactory.getLogger(VisitIntake.class);
    static final String CHANNEL = "visits";

    /** Heading (lower case, as written) → column. */
    private static final Map<String, String> HEADINGS = new HashMap<>();

    static {
        alias("archive_no", "archive_no", "archive no", "archive", "档案号", "档案编号");
        alias("mobile", "mobile", "phone", "手机", "手机号", "手机号码");
        alias("visited_on", "visited_on", "visited on", "date", "visit_date", "拜访日期", "日期");
        alias("staff", "staff", "拜访人", "员工", "人员");
        alias("role", "role", "owner_role", "角色", "岗位");
        alias("channel", "channel", "方式", "拜访方式");
        alias("outcome", "outcome", "结果");
        alias("notes", "notes", "note", "备注");
    }

    private static final Map<String, String> CHANNELS = Map.ofEntries(
            Map.entry("phone", "phone"), Map.entry("电话", "phone"), Map.entry("visit", "visit"), Map.entry("上门", "visit"),
            Map.entry("拜访", "visit"), Map.entry("letter", "letter"), Map.entry("信函", "letter"), Map.entry("信", "letter"),
            Map.entry("email", "email"), Map.entry("邮件", "email"), Map.entry("sms", "sms"), Map.entry("短信", "sms"));

    private static void alias(String column, String... headings) {
        for (String h : headings) HEADINGS.put(h, column);
    }

    private final ArchiveIntake intake;
    private final Jdbi jdbi;
    private final SensitiveFields sensitive;
    private final ReadLimits limits;
    private final Set<String> roles;
    private final ZoneId zone;
    private final Path rejects;
    private final IntakeTally tally;

    public VisitIntake(ArchiveIntake intake, DataSource dataSource, SensitiveFields sensitive, ReadLimits limits,
                       Set<String> roles, ZoneId zone, Path rejects, IntakeTally tally) {
        this.intake = intake;
        this.jdbi = Db.jdbi(dataSource);
        this.sensitive = sensitive;
        this.limits = limits;
        this.roles = roles;
        this.zone = zone;
        this.rejects = rejects;
        this.tally = tally;
    }

    /** One good line. */
    private record Visit(int line, String archiveNo, String mobile, LocalDate on, String staff, String role, String channel,
                         String outcome, String notes) {
    }

    public void handle(Exchange exchange) throws Exception {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        String name = FileName.shown(file.getFileName().toString());
        IngestRun run = intake.open("file", CHANNEL, name, SpreadsheetIntake.sha256(file), Files.size(file));
        exchange.setProperty(SpreadsheetIntake.RUN, run);
        if (run.isDuplicateFile()) {
            LOG.info("{}", intake.messages().text("visits.file.duplicate", "file", name, "earlier", run.duplicateOf()));
            tally.handled();
            return;
        }
        List<Visit> visits = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<Integer, String> raw = new HashMap<>();
        LocalDate today = LocalDate.now(zone);
        String format = read(file, visits, problems, raw, today);

        jdbi.useTransaction(h -> {
            stage(h, visits);
            problems.addAll(ArchiveLines.unmatched(h, "visit_in", intake.messages()));
            int recorded = h.createUpdate("""
                    insert into visit_ledger (customer_id, visited_on, staff, channel, outcome, notes, owner_role, source_ingest_id, source_line)
                    select distinct on (v.customer_id, v.visited_on, v.role, v.channel, coalesce(v.staff, ''))
                           v.customer_id, v.visited_on, v.staff, v.channel, v.outcome, v.notes, v.role, :ingest, v.line_no
                    from visit_in v
                    where v.customer_id is not null and v.problem is null
                      and not exists (select 1 from visit_ledger l where l.customer_id = v.customer_id
                                      and l.visited_on = v.visited_on and l.owner_role = v.role and l.channel = v.channel
                                      and l.staff is not distinct from v.staff)
                    order by v.customer_id, v.visited_on, v.role, v.channel, coalesce(v.staff, ''), v.line_no""")
                    .bind("ingest", run.id()).execute();
            int closed = h.createUpdate("""
                    update reminder r set status = 'closed', closed_at = now(), closed_by_visit = l.id
                    from (select distinct on (customer_id, owner_role) id, customer_id, owner_role from visit_ledger
                          where source_ingest_id = :ingest order by customer_id, owner_role, visited_on desc, id desc) l
                    where r.customer_id = l.customer_id and r.owner_role = l.owner_role and r.status = 'open'
                      and r.kind in ('visit', 'follow-up')""")
                    .bind("ingest", run.id()).execute();
            int rejectedLines = (int) problems.stream().mapToInt(Problem::line).distinct().count();
            int total = raw.size();
            int duplicates = total - rejectedLines - recorded;
            ArchiveLines.issues(h, run.id(), problems, "reject", raw, sensitive);
            h.createUpdate("""
                    update ingest set status = 'done', format = :format, rows_total = :total, rows_updated = :recorded,
                           rows_duplicate = :duplicates, rows_rejected = :rejected, finished_at = clock_timestamp() where id = :ingest""")
                    .bind("format", format).bind("total", total).bind("recorded", recorded).bind("duplicates", duplicates)
                    .bind("rejected", rejectedLines).bind("ingest", run.id()).execute();
            LOG.info("{}", intake.messages().text("visits.file.summary", "file", name, "format", format, "lines", total,
                    "recorded", recorded, "duplicates", duplicates, "rejected", rejectedLines, "closed", closed));
        });
        intake.report(run, rejects);
        tally.handled();
    }

    private String read(Path file, List<Visit> visits, List<Problem> problems, Map<Integer, String> raw, LocalDate today)
            throws Exception {
        Messages m = intake.messages();
        Map<String, Integer> at = new LinkedHashMap<>();
        List<String> headings = new ArrayList<>();
        var summary = new SpreadsheetReader(limits).read(file, new RowHandler() {
            @Override
            public void header(List<String> columns) {
                headings.addAll(columns);
                ArchiveLines.columns(columns, HEADINGS, List.of("visited_on", "role", "channel"), "visits", at);
            }

            @Override
            public void row(int lineNo, List<String> cells) {
                raw.put(lineNo, String.join(",", cells));
                List<Problem> mine = new ArrayList<>();
                ArchiveLines.Named named = ArchiveLines.named(lineNo, cells, at, m, mine);
                LocalDate on = null;
                String dateText = ArchiveLines.cell(cells, at.get("visited_on"));
                if (dateText == null) {
                    mine.add(new Problem(lineNo, "visited_on", "", m.text("visits.line.no-date")));
                } else {
                    try {
                        on = DateValue.parse(dateText);
                        if (on.isAfter(today)) {
                            mine.add(new Problem(lineNo, "visited_on", dateText, m.text("visits.line.future")));
                        }
                    } catch (InvalidValueException e) {
                        mine.add(new Problem(lineNo, "visited_on", dateText, e.reason(m)));
                    }
                }
                String role = ArchiveLines.cell(cells, at.get("role"));
                if (role == null || !roles.contains(role.toLowerCase(Locale.ROOT))) {
                    mine.add(new Problem(lineNo, "role", role == null ? "" : role,
                            m.text("visits.line.role", "empty", role == null ? "yes" : "no", "roles", String.join(", ", roles))));
                }
                String channelText = ArchiveLines.cell(cells, at.get("channel"));
                String channel = channelText == null ? null : CHANNELS.get(channelText.toLowerCase(Locale.ROOT));
                if (channel == null) {
                    mine.add(new Problem(lineNo, "channel", channelText == null ? "" : channelText,
                            m.text("visits.line.channel", "empty", channelText == null ? "yes" : "no")));
                }
                if (mine.isEmpty()) {
                    visits.add(new Visit(lineNo, named.archiveNo(), named.mobile(), on, ArchiveLines.cell(cells, at.get("staff")), role.toLowerCase(Locale.ROOT), channel,
                            ArchiveLines.cell(cells, at.get("outcome")), ArchiveLines.cell(cells, at.get("notes"))));
                } else {
                    problems.addAll(mine);
                }
            }
        });
        return summary.format() + ", " + summary.encoding();
    }

    /** The good lines into a temporary table, with the archive each names. */
    private static void stage(Handle h, List<Visit> visits) {
        h.execute("""
                create temporary table visit_in (line_no integer primary key, archive_no text, mobile text, visited_on date,
                    staff text, role text, channel text, outcome text, notes text, customer_id bigint, problem text)
                on commit drop""");
        PreparedBatch batch = h.prepareBatch("""
                insert into visit_in (line_no, archive_no, mobile, visited_on, staff, role, channel, outcome, notes)
                values (:line, :archiveNo, :mobile, :on, :staff, :role, :channel, :outcome, :notes)""");
        for (Visit v : visits) {
            batch.bind("line", v.line()).bind("archiveNo", v.archiveNo()).bind("mobile", v.mobile()).bind("on", v.on())
                    .bind("staff", v.staff()).bind("role", v.role()).bind("channel", v.channel()).bind("outcome", v.outcome())
                    .bind("notes", v.notes()).add();
        }
        if (batch.size() > 0) batch.execute();
        ArchiveLines.match(h, "visit_in");
    }
}
