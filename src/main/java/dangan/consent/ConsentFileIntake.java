package dangan.consent;

import dangan.i18n.Localized;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
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
import dangan.normalise.ConsentValue;
import dangan.normalise.DateValue;
import dangan.normalise.InvalidValueException;
import dangan.privacy.SensitiveFields;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

/**
 * Consent collected on paper for a whole legacy file (issue 12, PIPL): a CSV/XLSX dropped into
 * {@code inbox/consents/} with one decision per line — the customer (archive number or mobile), the
 * purpose, granted or withdrawn, the day it was given, its source and the wording version. Each good line
 * is filed under its customer like any other consent ({@code consent}, with the ingest and line); nothing
 * else of the archive changes and no archive is opened. A line is rejected with its reason when it names no
 * archive, a sealed one, or cannot be read; a decision older than the one on record that says otherwise is
 * not filed (a warning says why: an old paper form never undoes a later withdrawal). One audit entry per
 * file counts what was filed. The same content dropped again changes nothing.
 */
public final class ConsentFileIntake {

    private static final Logger LOG = LoggerFactory.getLogger(ConsentFileIntake.class);
    public static final String CHANNEL = "consents";

    /** Heading (lower case, as written) → column. */
    private static final Map<String, String> HEADINGS = new HashMap<>();
    /** Purpose as written (lower case) → purpose. */
    private static final Map<String, String> PURPOSES = new HashMap<>();

    static {
        alias(HEADINGS, "archive_no", "archive_no", "archive no", "archive", "档案号", "档案编号");
        alias(HEADINGS, "mobile", "mobile", "phone", "手机", "手机号", "手机号码");
        alias(HEADINGS, "purpose", "purpose", "用途", "同意事项", "事项", "目的");
        alias(HEADINGS, "granted", "granted", "decision", "consent", "同意", "是否同意", "决定");
        alias(HEADINGS, "date", "date", "decided_on", "signed_on", "日期", "签署日期", "同意日期");
        alias(HEADINGS, "source", "source", "来源");
        alias(HEADINGS, "wording_version", "wording_version", "wording", "version", "consent_version", "同意书版本", "版本");
        alias(PURPOSES, "service", "service", "服务");
        alias(PURPOSES, "contact", "contact", "联系", "回访", "联系回访");
        alias(PURPOSES, "marketing", "marketing", "营销", "营销信息");
        alias(PURPOSES, "sensitive", "sensitive", "敏感信息", "敏感数据", "敏感个人信息");
    }

    private static void alias(Map<String, String> map, String value, String... written) {
        for (String w : written) map.put(w, value);
    }

    private final ArchiveIntake intake;
    private final Jdbi jdbi;
    private final SensitiveFields sensitive;
    private final ReadLimits limits;
    private final AuditTrail audit;
    private final ZoneId zone;
    private final Path rejects;
    private final IntakeTally tally;

    public ConsentFileIntake(ArchiveIntake intake, DataSource dataSource, SensitiveFields sensitive, ReadLimits limits,
                             AuditTrail audit, ZoneId zone, Path rejects, IntakeTally tally) {
        this.intake = intake;
        this.jdbi = Db.jdbi(dataSource);
        this.sensitive = sensitive;
        this.limits = limits;
        this.audit = audit;
        this.zone = zone;
        this.rejects = rejects;
        this.tally = tally;
    }

    /** One good line: a decision about one purpose of one customer. */
    private record Decision(int line, String archiveNo, String mobile, String purpose, boolean granted, LocalDate on,
                            String source, String wording) {
    }

    public void handle(Exchange exchange) throws Exception {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        String name = FileName.shown(file.getFileName().toString());
        Messages m = intake.messages();
        IngestRun run = intake.open("file", CHANNEL, name, SpreadsheetIntake.sha256(file), Files.size(file));
        exchange.setProperty(SpreadsheetIntake.RUN, run);
        if (run.isDuplicateFile()) {
            LOG.info("{}", m.text("consent.file.duplicate", "file", name, "earlier", run.duplicateOf()));
            tally.handled();
            return;
        }
        List<Decision> decisions = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<Integer, String> raw = new HashMap<>();
        String format = read(file, m, decisions, problems, raw, LocalDate.now(zone));

        jdbi.useTransaction(h -> {
            stage(h, decisions);
            problems.addAll(ArchiveLines.unmatched(h, "consent_in", m));
            List<Problem> older = older(h, m);
            int recorded = h.createUpdate("""
                    insert into consent (customer_id, purpose, granted, source, wording_version, recorded_by, decided_on,
                                         source_ingest_id, source_line)
                    select v.customer_id, v.purpose, v.granted, v.source, v.wording, 'intake', v.decided_on, :ingest, v.line_no
                    from consent_in v
                    left join lateral (select k.granted, k.wording_version from consent k
                                       where k.customer_id = v.customer_id and k.purpose = v.purpose
                                       order by k.recorded_at desc, k.id desc limit 1) last on true
                    where v.customer_id is not null and v.problem is null
                      and (last.granted is distinct from v.granted or last.wording_version is distinct from v.wording)
                    order by v.decided_on nulls first, v.line_no""")
                    .bind("ingest", run.id()).execute();
            int rejectedLines = (int) problems.stream().mapToInt(Problem::line).distinct().count();
            int total = raw.size();
            int unchanged = total - rejectedLines - recorded;
            ArchiveLines.issues(h, run.id(), problems, "reject", raw, sensitive);
            ArchiveLines.issues(h, run.id(), older, "warning", raw, sensitive);
            h.createUpdate("""
                    update ingest set status = 'done', format = :format, rows_total = :total, rows_updated = :recorded,
                           rows_duplicate = :unchanged, rows_rejected = :rejected, warnings = :warnings,
                           finished_at = clock_timestamp() where id = :ingest""")
                    .bind("format", format).bind("total", total).bind("recorded", recorded).bind("unchanged", unchanged)
                    .bind("rejected", rejectedLines).bind("warnings", older.size()).bind("ingest", run.id()).execute();
            String counts = m.text("consent.file.summary", "file", name, "format", format, "lines", total, "recorded", recorded,
                    "unchanged", unchanged, "rejected", rejectedLines, "older", older.size());
            audit.record(h, AuditEntry.system(CHANNEL, "consent", null, Localized.of("consent.file.audit", "id", run.id(),
                    "summary", counts, "recorded", java.util.Objects.requireNonNullElse(Consents.recorded(h, run.id(), m),
                    m.text("consent.file.recorded.none")))));
            LOG.info("{}", counts);
        });
        intake.report(run, rejects);
        tally.handled();
    }

    private String read(Path file, Messages m, List<Decision> decisions, List<Problem> problems, Map<Integer, String> raw,
                        LocalDate today) throws Exception {
        Map<String, Integer> at = new LinkedHashMap<>();
        var summary = new SpreadsheetReader(limits).read(file, new RowHandler() {
            @Override
            public void header(List<String> columns) {
                ArchiveLines.columns(columns, HEADINGS, List.of("purpose", "granted"), "consent", at);
            }

            @Override
            public void row(int lineNo, List<String> cells) {
                raw.put(lineNo, String.join(",", cells));
                List<Problem> mine = new ArrayList<>();
                ArchiveLines.Named named = ArchiveLines.named(lineNo, cells, at, m, mine);
                String purposeText = ArchiveLines.cell(cells, at.get("purpose"));
                String purpose = purposeText == null ? null : PURPOSES.get(purposeText.toLowerCase(Locale.ROOT));
                if (purpose == null) {
                    mine.add(new Problem(lineNo, "purpose", purposeText == null ? "" : purposeText,
                            m.text("consent.line.purpose", "empty", purposeText == null ? "yes" : "no")));
                }
                String grantedText = ArchiveLines.cell(cells, at.get("granted"));
                Boolean granted = null;
                try {
                    granted = ConsentValue.parse(grantedText);
                    if (granted == null) mine.add(new Problem(lineNo, "granted", "", m.text("consent.line.no-decision")));
                } catch (InvalidValueException e) {
                    mine.add(new Problem(lineNo, "granted", grantedText, e.reason(m)));
                }
                LocalDate on = null;
                String dateText = ArchiveLines.cell(cells, at.get("date"));
                if (dateText != null) {
                    try {
                        on = DateValue.parse(dateText);
                        if (on.isAfter(today)) mine.add(new Problem(lineNo, "date", dateText, m.text("consent.line.future")));
                    } catch (InvalidValueException e) {
                        mine.add(new Problem(lineNo, "date", dateText, e.reason(m)));
                    }
                }
                if (mine.isEmpty()) {
                    String source = ArchiveLines.cell(cells, at.get("source"));
                    decisions.add(new Decision(lineNo, named.archiveNo(), named.mobile(), purpose, granted, on,
                            source == null ? "file:" + CHANNEL : source, ArchiveLines.cell(cells, at.get("wording_version"))));
                } else {
                    problems.addAll(mine);
                }
            }
        });
        return summary.format() + ", " + summary.encoding();
    }

    /** The good lines into a temporary table, with the archive each names. */
    private static void stage(Handle h, List<Decision> decisions) {
        h.execute("""
                create temporary table consent_in (line_no integer primary key, archive_no text, mobile text, purpose text,
                    granted boolean, decided_on date, source text, wording text, customer_id bigint, problem text)
                on commit drop""");
        PreparedBatch batch = h.prepareBatch("""
                insert into consent_in (line_no, archive_no, mobile, purpose, granted, decided_on, source, wording)
                values (:line, :archiveNo, :mobile, :purpose, :granted, :on, :source, :wording)""");
        for (Decision d : decisions) {
            batch.bind("line", d.line()).bind("archiveNo", d.archiveNo()).bind("mobile", d.mobile()).bind("purpose", d.purpose())
                    .bind("granted", d.granted()).bind("on", d.on()).bind("source", d.source()).bind("wording", d.wording()).add();
        }
        if (batch.size() > 0) batch.execute();
        ArchiveLines.match(h, "consent_in");
    }

    /**
     * The lines whose decision is older than the one on record for that customer and purpose and says
     * otherwise: not filed (marked {@code older}), each with a warning naming the day of the later decision.
     */
    private static List<Problem> older(Handle h, Messages m) {
        return h.createQuery("""
                        with later as (
                            select v.line_no, v.purpose, last.day
                            from consent_in v
                            join lateral (select k.granted, coalesce(k.decided_on, (k.recorded_at at time zone 'UTC')::date) as day
                                          from consent k where k.customer_id = v.customer_id and k.purpose = v.purpose
                                          order by k.recorded_at desc, k.id desc limit 1) last on true
                            where v.problem is null and v.customer_id is not null and v.decided_on is not null
                              and last.day > v.decided_on and last.granted is distinct from v.granted
                        ), marked as (
                            update consent_in v set problem = 'older' from later l where v.line_no = l.line_no
                        )
                        select line_no, purpose, day from later order by line_no""")
                .map((rs, ctx) -> new Problem(rs.getInt("line_no"), "date", rs.getObject("day", LocalDate.class).toString(),
                        m.text("consent.line.older", "day", rs.getObject("day", LocalDate.class))))
                .list();
    }
}
