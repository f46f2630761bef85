package dangan.notify;

import dangan.intake.IngestRun;
import dangan.intake.MergeListener;
import org.jdbi.v3.core.Handle;

import java.time.ZoneId;

/**
 * The notification events of a merge (D-22, D-27), written set-based into the outbox in the
 * merge's own transaction — so a change never commits without its event, nor an event without its
 * change. From the merge's trail (rows with source_ingest_id = the ingest), one event per archive:
 * <ul>
 * <li>{@code health_changed}: health facts added — the payload says "health data added", never what;</li>
 * <li>{@code preference_changed}: preferences added, with their category and text;</li>
 * <li>{@code guest_returned}: a visit dated within {@code dangan.notify.returning-within-days} of
 *     the ingest's day, with the guest's preferences for the floor staff (D-22).</li>
 * </ul>
 * Archives the same ingest created get none of these: their first facts are no change, a first
 * visit is no return, and a bulk import must not flood the subscribers (new archives reach staff
 * through the visit plan).
 */
public final class ChangeEvents implements MergeListener {

    /** Archives that existed before the ingest: created by another ingest, or before provenance was kept. */
    private static final String EXISTED = "c.source_ingest_id is distinct from :ingest";

    private static final String HEALTH = """
            insert into notification_event (kind, customer_id, payload)
            select 'health_changed', c.id,
                   jsonb_build_object('archive_no', c.archive_no, 'name', c.name, 'change', 'health data added',
                                      'facts_added', count(*), 'ingest_id', h.source_ingest_id)
            from health_fact h join customer c on c.id = h.customer_id
            where h.source_ingest_id = :ingest and""" + " " + EXISTED + """

            group by c.id, c.archive_no, c.name, h.source_ingest_id""";

    private static final String PREFERENCES = """
            insert into notification_event (kind, customer_id, payload)
            select 'preference_changed', c.id,
                   jsonb_build_object('archive_no', c.archive_no, 'name', c.name, 'change', 'preferences added',
                                      'added', jsonb_agg(jsonb_build_object('category', p.category, 'detail', p.detail)
                                                         order by p.id),
                                      'ingest_id', p.source_ingest_id)
            from preference p join customer c on c.id = p.customer_id
            where p.source_ingest_id = :ingest and""" + " " + EXISTED + """

            group by c.id, c.archive_no, c.name, p.source_ingest_id""";

    private static final String RETURNED = """
            insert into notification_event (kind, customer_id, payload)
            select 'guest_returned', c.id,
                   jsonb_build_object('archive_no', c.archive_no, 'name', c.name, 'tier', c.tier,
                                      'visit_date', v.visit_date, 'service', v.service, 'branch', v.branch, 'place', v.place,
                                      'preferences', coalesce((select jsonb_agg(jsonb_build_object('category', p.category,
                                                                                                   'detail', p.detail)
                                                                                order by p.category, p.id)
                                                               from preference p where p.customer_id = c.id), '[]'::jsonb),
                                      'ingest_id', v.source_ingest_id)
            from (select distinct on (k.customer_id) k.customer_id, k.visit_date, k.service, k.branch, k.place, k.source_ingest_id
                  from consumption k join ingest i on i.id = k.source_ingest_id
                  where k.source_ingest_id = :ingest
                    and k.visit_date between (i.started_at at time zone :zone)::date - :days and (i.started_at at time zone :zone)::date
                  order by k.customer_id, k.visit_date desc, k.id desc) v
            join customer c on c.id = v.customer_id
            where""" + " " + EXISTED;

    private final ZoneId zone;
    private final int returningWithinDays;

    public ChangeEvents(ZoneId zone, int returningWithinDays) {
        this.zone = zone;
        this.returningWithinDays = returningWithinDays;
    }

    @Override
    public void merged(Handle h, IngestRun run) {
        if (run.updated() + run.duplicates() + run.review() == 0) {
            return; // every line opened an archive or was rejected: no customer known before the ingest met (issue 14)
        }
        h.createUpdate(HEALTH).bind("ingest", run.id()).execute();
        h.createUpdate(PREFERENCES).bind("ingest", run.id()).execute();
        h.createUpdate(RETURNED).bind("ingest", run.id()).bind("zone", zone.getId()).bind("days", returningWithinDays)
                .execute();
    }
}
