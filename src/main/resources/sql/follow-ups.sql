-- Next-day follow-up (D-22): every archive with a visit, stay or banquet (consumption) on the day
-- before as_of gets one follow-up due on as_of, listing what it had. Parameters:
--   as_of    the day the job runs for (yyyy-mm-dd); the visits of as_of − 1 are followed up
--   role     who follows up (dangan.reminders.follow-up.role)
--   channel  how (dangan.reminders.follow-up.channel)
--   purpose  the consent purpose follow-ups need (dangan.consent.purpose.follow-ups, default service)
-- Returns the ids of the reminders issued, then one row per reason a follow-up was left out and one
-- 'due' row (how many were due in all).
with visited as (
    select x.customer_id, left_out_reason(c.id, c.status, :'purpose') as left_out
    from consumption x
    join customer c on c.id = x.customer_id
    where x.visit_date = :'as_of'::date - 1
    group by x.customer_id, c.id, c.status
),
issued as (
insert into reminder (customer_id, kind, owner_role, channel, due_on, subject, facts, job, issued_on)
select x.customer_id, 'follow-up', :'role', :'channel', :'as_of'::date, '',
       jsonb_build_object('visited_on', :'as_of'::date - 1,
                          'had', jsonb_agg(jsonb_strip_nulls(jsonb_build_object('service', x.service, 'amount', x.amount,
                                           'branch', x.branch, 'staff', x.staff)) order by x.id)),
       'follow-ups', :'as_of'::date
from consumption x
join visited v on v.customer_id = x.customer_id and v.left_out is null
where x.visit_date = :'as_of'::date - 1
group by x.customer_id
on conflict do nothing
returning id
)
select * from reminder_tally((select array_agg(id) from issued), (select array_agg(left_out) from visited));
