package dangan.operations;

import dangan.i18n.Localized;

import dangan.metrics.Metrics;
import dangan.normalise.Masking;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.QueryParams;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.notify.DeliveryBook;
import dangan.jobs.JobAbout;
import dangan.jobs.JobFailures;
import dangan.jobs.JobRuns;
import dangan.i18n.Messages;
import dangan.store.Db;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Jobs and deliveries, for the administrator (the console's page 任务与通知): the last run of every
 * scheduled job (job_run: when, how long, how it ended, runs and failures of the last 30 days), a job
 * run now (as {@code run-job NAME}: recorded in job_run and audited), the notification deliveries
 * parked after their last attempt with the last error, and a retry. Bean {@code jobsApi},
 * routes/operations.yaml.
 */
public final class JobsApi {

    private static final String JOB_PREFIX = "job-";

    private volatile Metrics metrics = Metrics.NONE;
    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final DeliveryBook deliveries;

    public JobsApi(DataSource dataSource, AuditTrail audit, DeliveryBook deliveries) {
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.deliveries = deliveries;
    }

    /** {@code GET /api/jobs}: every job with its last run and the runs of the last 30 days. */
    public void list(Exchange exchange) {
        Map<String, Map<String, Object>> last = jdbi.withHandle(h -> h.createQuery("""
                        select distinct on (job) job, started_at, finished_at, status, error, instance,
                               extract(epoch from finished_at - started_at) * 1000 as duration_ms,
                               count(*) filter (where started_at > now() - interval '30 days') over (partition by job) as runs_30d,
                               count(*) filter (where status = 'failed' and started_at > now() - interval '30 days')
                                   over (partition by job) as failures_30d
                          from job_run order by job, started_at desc""")
                .map((rs, ctx) -> {
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("job", rs.getString("job"));
                    run.put("started_at", rs.getObject("started_at", OffsetDateTime.class));
                    run.put("duration_ms", Math.round(rs.getDouble("duration_ms")));
                    run.put("status", rs.getString("status"));
                    run.put("error", rs.getString("error"));
                    run.put("instance", rs.getString("instance"));
                    run.put("runs_30d", rs.getLong("runs_30d"));
                    run.put("failures_30d", rs.getLong("failures_30d"));
                    return run;
                }).list().stream().collect(Collectors.toMap(r -> (String) r.get("job"), Function.identity())));
        List<Map<String, Object>> jobs = new ArrayList<>();
        Messages said = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class),
                audit.messages().language());
        for (Route route : jobRoutes(exchange)) {
            String name = route.getRouteId().substring(JOB_PREFIX.length());
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("job", name);
            job.put("description", JobAbout.of(said, name, route.getDescription()));
            job.put("last_run", last.get(name));
            jobs.add(job);
        }
        exchange.getMessage().setBody(Map.of("jobs", jobs));
    }

    /** Where the runs started here are counted, like scheduled ones (the service's registry; none unless set). */
    public void metrics(Metrics metrics) {
        this.metrics = metrics;
    }

    /** {@code POST /api/jobs/{name}/run}: runs the job now, as if its schedule had fired today; recorded and audited. */
    public void run(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        String name = exchange.getMessage().getHeader("name", String.class);
        Route route = jobRoutes(exchange).stream().filter(r -> r.getRouteId().equals(JOB_PREFIX + name)).findFirst()
                .orElseThrow(() -> ApiProblem.localized(404, "api.job.none", "job", name));
        Instant started = Instant.now();
        Throwable failed = null;
        try {
            exchange.getContext().createProducerTemplate().sendBody(route.getEndpoint(), null);
        } catch (CamelExecutionException e) {
            failed = e.getCause() == null ? e : e.getCause();
        }
        // job_run keeps the error in the configured language, the answer says it in the request's (a job's error may quote an ID number)
        String error = failed == null ? null : Masking.maskIdLikeRuns(JobFailures.said(failed, audit.messages()));
        String answered = failed == null ? null : Masking.maskIdLikeRuns(JobFailures.said(failed,
                Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class), audit.messages().language())));
        Instant finished = Instant.now();
        metrics.jobRun(name, error != null, java.time.Duration.between(started, finished));
        String status = error == null ? "done" : "failed";
        String failure = error;
        jdbi.useTransaction(h -> {
            JobRuns.record(h, new JobRuns.Run(name, started, "api:" + caller.name(), started, finished, failure));
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "run-job", null, List.of(), null, null,
                    failure == null ? AuditEntry.OK : AuditEntry.ERROR, Localized.of("audit.job.run", "job", name, "status", status)));
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job", name);
        body.put("status", status);
        body.put("duration_ms", finished.toEpochMilli() - started.toEpochMilli());
        body.put("error", answered);
        exchange.getMessage().setBody(body);
    }

    /** {@code GET /api/notifications?status=parked}: deliveries in one status (parked by default), oldest first. */
    public void notifications(Exchange exchange) throws SQLException {
        String status = QueryParams.of(exchange).oneOf("status", java.util.Set.of("parked", "pending", "delivered"), "parked");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DeliveryBook.Row row : deliveries.list(status, 500)) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("event_id", row.eventId());
            out.put("subscriber", row.subscriber());
            out.put("kind", row.kind());
            out.put("archive_no", row.archiveNo());
            out.put("status", row.status());
            out.put("attempts", row.attempts());
            out.put("created_at", row.createdAt());
            out.put("next_attempt_at", row.nextAttemptAt());
            out.put("last_error", row.lastError());
            rows.add(out);
        }
        exchange.getMessage().setBody(Map.of("status", status, "deliveries", rows));
    }

    /** {@code POST /api/notifications/{eventId}/retry} {subscriber?}: parked deliveries back in line; audited. */
    public void retry(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        UUID event;
        try {
            event = UUID.fromString(exchange.getMessage().getHeader("eventId", "", String.class));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.localized(400, "api.notification.event-id");
        }
        int count = deliveries.retry(event, null);
        if (count == 0) throw ApiProblem.localized(404, "api.notification.none", "event", String.valueOf(event));
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "retry", null, List.of(), null, null, AuditEntry.OK,
                Localized.of("audit.notifications.retry", "event", event, "count", count)));
        exchange.getMessage().setBody(Map.of("event_id", event, "retried", count));
    }

    private static List<Route> jobRoutes(Exchange exchange) {
        return exchange.getContext().getRoutes().stream().filter(r -> r.getRouteId().startsWith(JOB_PREFIX))
                .sorted((a, b) -> a.getRouteId().compareTo(b.getRouteId())).toList();
    }
}
