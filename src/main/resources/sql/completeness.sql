-- Weekly completeness report (D-17): archives with missing information, one reminder per archive
-- and post that should supply it, listing the missing fields. Parameters:
--   as_of   the day the job runs for (yyyy-mm-dd)
--   fields  JSON object field → post (dangan.reminders.completeness.fields), fields among
--           mobile, email, birth_date, gender, address, id_number, employer, job_title,
--           nationality, preferences, special_dates, sensitive_consent (the archive holds a full ID
--           number or health data without a granted consent to sensitive data: D-28, PIPL);
--           what "missing" means is the view customer_missing_field (V19)
with wanted as (
    select key as field, value as post from jsonb_each_text(:'fields'::jsonb)
),
missing as (
    select c.id, m.field
    from customer c join customer_missing_field m on m.customer_id = c.id
    where c.status = 'active'
)
insert into reminder (customer_id, kind, owner_role, channel, due_on, subject, facts, job, issued_on)
select m.id, 'completeness', w.post, null, :'as_of'::date, string_agg(m.field, ',' order by m.field),
       jsonb_build_object('missing', jsonb_agg(m.field order by m.field)),
       'completeness', :'as_of'::date
from missing m join wanted w on w.field = m.field
group by m.id, w.post
on conflict do nothing
returning id;
