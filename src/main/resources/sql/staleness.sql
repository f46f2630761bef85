-- Quarterly timeliness review (D-30): archives whose contact data was not confirmed (customer.
-- contact_confirmed_at, else the archive's creation) for more than `days` days before as_of are
-- listed for re-confirmation by phone or SMS. Parameters:
--   as_of    the day the job runs for (yyyy-mm-dd)
--   days     how long a confirmation holds (dangan.reminders.staleness.days)
--   zone     time zone in which as_of starts
--   role     who re-confirms (dangan.reminders.staleness.role)
--   channel  how (dangan.reminders.staleness.channel)
insert into reminder (customer_id, kind, owner_role, channel, due_on, subject, facts, job, issued_on)
select c.id, 'staleness', :'role', :'channel', :'as_of'::date, '',
       jsonb_strip_nulls(jsonb_build_object(
           'confirmed_on', (c.contact_confirmed_at at time zone :'zone')::date,
           'archived_on', (c.created_at at time zone :'zone')::date,
           'has_mobile', c.mobile is not null, 'has_email', c.email is not null, 'has_address', c.address is not null)),
       'staleness', :'as_of'::date
from customer c
where c.status = 'active'
  and coalesce(c.contact_confirmed_at, c.created_at)
      < ((:'as_of'::date - :'days'::int)::timestamp at time zone :'zone')
on conflict do nothing
returning id;
