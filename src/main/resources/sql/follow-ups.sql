-- Next-day follow-up (D-22): every archive with a visit, stay or banquet (consumption) on the day
-- before as_of gets one follow-up due on as_of, listing what it had. Parameters:
--   as_of    the day the job runs for (yyyy-mm-dd); the visits of as_of − 1 are followed up
--   role     who follows up (dangan.reminders.follow-up.role)
--   channel  how (dangan.reminders.follow-up.channel)
insert into reminder (customer_id, kind, owner_role, channel, due_on, subject, facts, job, issued_on)
select x.customer_id, 'follow-up', :'role', :'channel', :'as_of'::date, '',
       jsonb_build_object('visited_on', :'as_of'::date - 1,
                          'had', jsonb_agg(jsonb_strip_nulls(jsonb_build_object('service', x.service, 'amount', x.amount,
                                           'branch', x.branch, 'staff', x.staff)) order by x.id)),
       'follow-ups', :'as_of'::date
from consumption x
join customer c on c.id = x.customer_id
where x.visit_date = :'as_of'::date - 1 and c.status = 'active' and marketing_ok(c.id)
group by x.customer_id
on conflict do nothing
returning id;
