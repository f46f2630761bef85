-- KPI (D-33) update timeliness: the share of open archives whose contact data was confirmed or
-- updated within the staleness window (D-30: customer.contact_confirmed_at, else the archive's
-- creation — as the staleness job reads it) at as_of; and how long filing took: the median
-- hours from a file's pick-up to its filing (ingest ledger: started_at → finished_at) and from an
-- archive's opening to its filing after review (low-trust sources, D-16). Parameters:
--   from, to   the period (timestamptz, to exclusive)
--   as_of      the period's end, or now for the running period (timestamptz)
--   days       the staleness window in days (dangan.reminders.staleness.days)
with archives as (
    select coalesce(c.contact_confirmed_at, c.created_at) as confirmed
    from customer c
    where c.created_at < :'as_of'::timestamptz and c.status = 'active' and c.sealed_at is null
)
select (select count(*) from archives) as archives,
       (select count(*) from archives
         where confirmed >= :'as_of'::timestamptz - make_interval(days => :'days'::int)) as confirmed,
       (select count(*) from ingest
         where status = 'done' and finished_at >= :'from'::timestamptz and finished_at < :'to'::timestamptz) as files_filed,
       (select percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at) / 3600.0)
          from ingest
         where status = 'done' and finished_at >= :'from'::timestamptz and finished_at < :'to'::timestamptz)
           as median_hours_to_filing,
       (select count(*) from change_log l
         where l.field = 'review_status' and l.new_value = 'filed'
           and l.changed_at >= :'from'::timestamptz and l.changed_at < :'to'::timestamptz) as filed_after_review,
       (select percentile_cont(0.5) within group (order by extract(epoch from l.changed_at - c.created_at) / 3600.0)
          from change_log l join customer c on c.id = l.customer_id
         where l.field = 'review_status' and l.new_value = 'filed'
           and l.changed_at >= :'from'::timestamptz and l.changed_at < :'to'::timestamptz)
           as median_hours_review_to_filing;
