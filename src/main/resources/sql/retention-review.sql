-- D-31 retention review: archives whose last activity (view archive_last_activity, V15) is older
-- than their retention period go on ONE destruction proposal (销毁申请, reason retention) with
-- their last activity. Nothing is destroyed here: a manager approves or rejects the proposal.
--   scope archive: inactive for archive_years (the whole archive);
--   scope health:  inactive for health_years and holding health facts (only those facts).
-- An empty period keeps that category. Not proposed: sealed archives, archives under an open
-- legal hold, archives already on a pending proposal line. No lines: no proposal.
-- Run by the service (job retention-review) and, the very same text, by psql:
--   psql -v as_of=2026-12-01 -v archive_years=5 -v health_years=2 -v filed_by=psql \
--        -v rules='{}' -v note='截至 2026年12月1日 的保存期限评审' -f retention-review.sql
-- The proposal's note is said by the caller in the configured language (bundle key records.proposal.retention).
with p as (
    select :'as_of'::date as as_of,
           (:'as_of'::date - make_interval(years => nullif(:'archive_years', '')::int))::timestamptz as archive_before,
           (:'as_of'::date - make_interval(years => nullif(:'health_years', '')::int))::timestamptz as health_before
),
due as (
    select a.customer_id, a.archive_no, a.last_activity,
           case when a.last_activity < p.archive_before then 'archive' else 'health' end as scope
    from archive_last_activity a
    join customer c on c.id = a.customer_id
    cross join p
    where c.sealed_at is null and c.status = 'active'
      and (a.last_activity < p.archive_before
           or (a.last_activity < p.health_before
               and exists (select 1 from health_fact h where h.customer_id = a.customer_id)))
      and not exists (select 1 from legal_hold l where l.customer_id = a.customer_id and l.released_at is null)
      and not exists (select 1 from destruction_proposal_line d where d.customer_id = a.customer_id and d.status = 'pending')
),
proposal as (
    insert into destruction_proposal (reason, as_of, rules, filed_by, note)
    select 'retention', p.as_of, :'rules'::jsonb, :'filed_by'::text, :'note'::text
    from p
    where exists (select 1 from due)
    returning id
),
lines as (
    insert into destruction_proposal_line (proposal_id, line_no, customer_id, archive_no, scope, last_activity)
    select proposal.id, row_number() over (order by d.archive_no), d.customer_id, d.archive_no, d.scope, d.last_activity
    from due d cross join proposal
    returning scope
)
select (select id from proposal) as proposal_id,
       count(*) as lines,
       count(*) filter (where scope = 'archive') as archives,
       count(*) filter (where scope = 'health') as health
from lines;
