-- KPI (D-33) accesses per person in the period, from the audit log (D-26):
--   denied         attempts refused (outcome denied: no or bad token, a role or grant that does not allow it)
--   reads          archives read, searched or exported (outcome ok), as entries
--   bulk_days      days on which the person read more than threshold distinct archives
--                  (out of policy: wholesale copying, D-26 / 002 ch.8)
--   bulk_archives  the distinct archives read on those days, added up
--   after_hours    reads outside opening hours [opening_from, opening_to) in zone
--                  (out of policy; both empty: not counted)
-- out_of_policy = bulk_days + after_hours. Scheduled jobs (actor system:…) are not people and are left out.
-- Parameters: from, to (timestamptz), threshold, zone, opening_from, opening_to (HH:MM or empty)
with period as (
    select actor, action, archive_no, outcome, at, (at at time zone :'zone') as local_at
    from audit_log
    where at >= :'from'::timestamptz and at < :'to'::timestamptz and actor not like 'system:%'
),
reads as (
    select * from period
    where outcome = 'ok' and archive_no is not null and action in ('read', 'search', 'export')
),
bulk as (
    select actor, local_at::date as day, count(distinct archive_no) as archives
    from reads group by actor, local_at::date
    having count(distinct archive_no) > :'threshold'::int
),
per_person as (
    select p.actor,
           count(*) filter (where p.outcome = 'denied') as denied,
           count(*) filter (where p.outcome = 'ok' and p.archive_no is not null and p.action in ('read', 'search', 'export')) as reads,
           count(*) filter (where p.outcome = 'ok' and p.archive_no is not null and p.action in ('read', 'search', 'export')
                            and (p.local_at::time < nullif(:'opening_from', '')::time
                                 or p.local_at::time >= nullif(:'opening_to', '')::time)) as after_hours
    from period p group by p.actor
)
select pp.actor, pp.denied, pp.reads,
       coalesce(b.days, 0) as bulk_days, coalesce(b.archives, 0) as bulk_archives, pp.after_hours,
       coalesce(b.days, 0) + pp.after_hours as out_of_policy
from per_person pp
left join (select actor, count(*) as days, sum(archives) as archives from bulk group by actor) b on b.actor = pp.actor
order by coalesce(b.days, 0) + pp.after_hours + pp.denied desc, pp.actor;
