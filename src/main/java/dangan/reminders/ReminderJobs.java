package dangan.reminders;

import dangan.metrics.Metrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dangan.audit.Exposure;
import dangan.faults.FaultPoint;
import dangan.jobs.JobDate;
import dangan.i18n.Messages;
import dangan.lunar.ChineseDates;
import dangan.normalise.LunarDate;
import dangan.store.Db;
import dangan.store.SqlScript;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The five reminder jobs (routes/reminders.yaml): each runs its set-based SQL
 * ({@code sql/<job>.sql}) for the job's day, which issues the reminders not issued before
 * (unique key, on conflict do nothing), then writes the day's feed to {@code outbox/reminders/}
 * and, when the digest is on and some of the day's reminders were not mailed yet, prepares the digest mail.
 */
public final class ReminderJobs {

    /** Header set to true when the exchange now is the digest mail to send. */
    public static final String DIGEST = "DanganDigest";
    /** Exchange property: the reminders the digest in hand lists (marked as mailed once it is sent). */
    public static final String DIGEST_IDS = "DanganDigestIds";

    private static final Logger LOG = LoggerFactory.getLogger(ReminderJobs.class);

    private final DataSource dataSource;
    private final Jdbi jdbi;
    private final ReminderSettings settings;
    private final FeedWriter feed;
    private final ObjectMapper json = new ObjectMapper();

    private volatile Metrics metrics = Metrics.NONE;

    /** Where the reminders each job issues are counted (the service's registry; none unless set). */
    public void metrics(Metrics metrics) {
        this.metrics = metrics;
    }

    public ReminderJobs(DataSource dataSource, ReminderSettings settings, FeedWriter feed) {
        this.dataSource = dataSource;
        this.jdbi = Db.jdbi(dataSource);
        this.settings = settings;
        this.feed = feed;
    }

    public void visitPlan(Exchange exchange) throws Exception {
        LocalDate day = JobDate.of(exchange, settings.zone());
        run("visit-plan", day, visitPlanParameters(settings, day), exchange);
    }

    /** The parameters of sql/visit-plan.sql for a day (also what the benchmark gives psql). */
    public static Map<String, Object> visitPlanParameters(ReminderSettings settings, LocalDate day) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> p = base(day);
        p.put("zone", settings.zone().getId());
        p.put("cadence", settings.cadence().dutiesJson(json));
        p.put("health_roles", String.join(",", settings.healthRoles()));
        p.put("special_days", String.valueOf(settings.specialDays()));
        p.put("lunar_days", lunarDaysJson(json, day, day.plusDays(settings.specialDays())));
        p.put("purpose", settings.purpose("visit-plan"));
        return p;
    }

    public void greetings(Exchange exchange) throws Exception {
        LocalDate day = JobDate.of(exchange, settings.zone());
        Map<String, Object> p = base(day);
        p.put("days_ahead", String.valueOf(settings.greetingDaysAhead()));
        p.put("greeters", settings.cadence().greetersJson(json));
        p.put("festivals", settings.festivals().inWindowJson(json, day, day.plusDays(settings.greetingDaysAhead())));
        p.put("lunar_days", lunarDaysJson(json, day, day.plusDays(settings.greetingDaysAhead())));
        p.put("purpose", settings.purpose("greetings"));
        run("greetings", day, p, exchange);
    }

    /**
     * The {@code :'lunar_days'} parameter of greetings.sql: the lunar birthdays kept on each day of the
     * window ({@link ChineseDates#keptBetween}), with the lunar date as people write it.
     */
    static String lunarDaysJson(ObjectMapper json, LocalDate from, LocalDate to) {
        ArrayNode rows = json.createArrayNode();
        for (ChineseDates.Kept k : ChineseDates.keptBetween(from, to)) {
            rows.addObject().put("lunar_month", k.month()).put("leap_month", k.leap()).put("lunar_day", k.day())
                    .put("occurs_on", k.on().toString()).put("lunar", new LunarDate(null, k.month(), k.leap(), k.day()).toString());
        }
        return rows.toString();
    }

    public void followUps(Exchange exchange) throws Exception {
        LocalDate day = JobDate.of(exchange, settings.zone());
        Map<String, Object> p = base(day);
        p.put("role", settings.followUpRole());
        p.put("channel", settings.followUpChannel());
        p.put("purpose", settings.purpose("follow-ups"));
        run("follow-ups", day, p, exchange);
    }

    public void staleness(Exchange exchange) throws Exception {
        LocalDate day = JobDate.of(exchange, settings.zone());
        Map<String, Object> p = base(day);
        p.put("days", String.valueOf(settings.staleDays()));
        p.put("zone", settings.zone().getId());
        p.put("role", settings.staleRole());
        p.put("channel", settings.staleChannel());
        run("staleness", day, p, exchange);
    }

    public void completeness(Exchange exchange) throws Exception {
        LocalDate day = JobDate.of(exchange, settings.zone());
        Map<String, Object> p = base(day);
        p.put("fields", json.writeValueAsString(settings.completenessFields()));
        run("completeness", day, p, exchange);
    }

    private static Map<String, Object> base(LocalDate day) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("as_of", day.toString());
        return p;
    }

    private void run(String job, LocalDate day, Map<String, Object> parameters, Exchange exchange) throws Exception {
        long started = System.nanoTime();
        JobTally tally = issue(job, parameters);
        List<Long> issued = tally.issued();
        if (!issued.isEmpty()) FaultPoint.reach("committed", job);
        metrics.remindersIssued(job, issued.size());
        FeedWriter.Written written = feed.write(job, day, tally);
        Exposure.feed(exchange, dataSource, job, day, FeedWriter.baseName(job, day), written.rows());
        String summary = summary(settings.messages(), job, day, tally, written, (System.nanoTime() - started) / 1e9);
        LOG.info(summary);
        exchange.getMessage().setHeader(DIGEST, false);
        exchange.getMessage().setBody(summary);
        if (!settings.digestOn()) return;
        // what no digest has listed yet: this run's reminders, and any a failed mail still owes
        List<Long> owed = owed(job, day);
        if (owed.isEmpty()) return;
        exchange.getMessage().setBody(feed.digest(job, day, owed, written, tally));
        exchange.getMessage().setHeader("To", String.join(",", settings.digestTo()));
        exchange.getMessage().setHeader("From", settings.mailFrom());
        exchange.getMessage().setHeader("Subject", settings.messages().text("reminders.digest.subject",
                "job", settings.messages().text("reminders.job." + job), "day", day, "count", owed.size()));
        exchange.getMessage().setHeader(DIGEST, true);
        exchange.setProperty(DIGEST_IDS, owed);
        exchange.setProperty(Exposure.JOB, job);
    }

    /** After the digest went out: its reminders are not listed in a digest again. */
    public void digested(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Long> ids = exchange.getProperty(DIGEST_IDS, List.class);
        if (ids == null || ids.isEmpty()) return;
        jdbi.useHandle(h -> h.createUpdate("update reminder set digested_at = now() where id = any(:ids)")
                .bindArray("ids", Long.class, ids).execute());
        Exposure.digest(exchange, dataSource, exchange.getProperty(Exposure.JOB, "reminders", String.class), ids);
    }

    private List<Long> owed(String job, LocalDate day) {
        return jdbi.withHandle(h -> h.createQuery(
                        "select id from reminder where job = :job and issued_on = :day and digested_at is null order by id")
                .bind("job", job).bind("day", day).mapTo(Long.class).list());
    }

    /**
     * The day's visit plan as one {@code visit_plan} notification event per owner role (D-20, D-21), in the
     * transaction that issued the reminders: how many were issued and the ids of the first {@value #DIGEST_LINES}
     * (soonest due first). The event holds no names: the relay reads them from the reminders when it
     * delivers (an archive destroyed meanwhile has taken its reminders along). Work-chat groups get it as a
     * digest; the full feed stays in outbox/reminders/.
     */
    private static void visitPlanDigests(Handle h, List<Long> issued, String day) {
        h.createUpdate("""
                with issued as (
                    select r.id, r.owner_role,
                           row_number() over (partition by r.owner_role order by r.due_on, c.archive_no) as n,
                           count(*) over (partition by r.owner_role) as total
                    from reminder r join customer c on c.id = r.customer_id
                    where r.id = any (:issued))
                insert into notification_event (kind, payload)
                select 'visit_plan', jsonb_build_object('day', cast(:day as text), 'owner_role', owner_role, 'count', max(total),
                           'reminders', jsonb_agg(id order by n) filter (where n <= :lines))
                from issued
                group by owner_role""")
                .bindArray("issued", Long.class, issued).bind("day", day).bind("lines", DIGEST_LINES).execute();
    }

    /** How many reminders a visit-plan event lists by name (the digest's first lines). */
    static final int DIGEST_LINES = 5;

    /**
     * The log line (and the job's answer) of a run: "拜访计划 2026年12月14日：到期 100 条，新发 80 条，15 条因无营销同意未发，
     * 5 条已封存；共 95 条，见 2026-12-14.csv 和 2026-12-14.json（0.3 秒）". Never silent about who was left out.
     */
    static String summary(Messages m, String job, LocalDate day, JobTally tally, FeedWriter.Written written, double seconds) {
        List<String> leftOut = tally.leftOutText(m);
        return m.text("reminders.summary", "job", m.text("reminders.job." + job), "day", day,
                "counted", tally.due() == null ? "no" : "yes", "due", tally.due() == null ? Long.valueOf(0) : tally.due(),
                "issued", tally.issued().size(), "leftOut", String.join(m.text("reminders.list-separator"), leftOut),
                "anyLeftOut", leftOut.isEmpty() ? "no" : "yes", "listed", written.rows(),
                "csv", written.csv().getFileName().toString(), "json", written.json().getFileName().toString(),
                "seconds", Math.round(seconds * 10) / 10.0);
    }

    /** Runs the job's SQL in one transaction: the reminders this run issued, and what was due and left out. */
    private JobTally issue(String job, Map<String, Object> parameters) {
        SqlScript script = SqlScript.load(job);
        return jdbi.inTransaction(h -> {
            JobTally tally = script.query(h, parameters).scanResultSet((results, ctx) -> {
                ResultSet rs = results.get();
                List<Long> ids = new ArrayList<>();
                Long due = null;
                Map<String, Long> leftOut = new LinkedHashMap<>();
                boolean counted = rs.getMetaData().getColumnCount() >= 3; // id, tally, reminders: the scripts that count
                while (rs.next()) {
                    long id = rs.getLong("id");
                    if (!rs.wasNull()) {
                        ids.add(id);
                    } else if (counted && "due".equals(rs.getString("tally"))) {
                        due = rs.getLong("reminders");
                    } else if (counted) {
                        leftOut.put(rs.getString("tally"), rs.getLong("reminders"));
                    }
                }
                if (counted && due == null) due = 0L; // nothing was due
                return new JobTally(ids, due, leftOut);
            });
            if (job.equals("visit-plan") && !tally.issued().isEmpty()) visitPlanDigests(h, tally.issued(), parameters.get("as_of").toString());
            if (!tally.issued().isEmpty()) FaultPoint.reach("issued", job);
            return tally;
        });
    }
}
