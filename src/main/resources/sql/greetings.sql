-- Greetings (D-20, D-6): birthdays (customer.birth_date), anniversaries and other special dates,
-- and festivals falling between as_of and as_of + days_ahead, issued once per archive, occasion
-- and day. Parameters:
--   as_of       the day the job runs for (yyyy-mm-dd)
--   days_ahead  how many days ahead greetings are prepared
--   greeters    JSON rows {tier, role, channel}: who greets each tier (its festival-letter entry
--               in the cadence, else its first role and channel)
--   festivals   JSON rows {occurs_on, name}: the festival days in the window
with greeter as (
    select * from jsonb_to_recordset(:'greeters'::jsonb) as g(tier text, role text, channel text)
),
festival as (
    select * from jsonb_to_recordset(:'festivals'::jsonb) as f(occurs_on date, name text)
),
audience as (
    select c.id, c.birth_date, g.role, g.channel
    from customer c join greeter g on g.tier = coalesce(c.tier, 'E')
    where c.status = 'active' and marketing_ok(c.id)
),
occasion as (
    select a.id, a.role, a.channel, next_occurrence(a.birth_date, :'as_of'::date) as on_day, 'birthday' as subject,
           jsonb_build_object('occasion', 'birthday', 'born', a.birth_date) as facts
    from audience a where a.birth_date is not null
    union all
    select a.id, a.role, a.channel, next_occurrence(s.occurs_on, :'as_of'::date), s.kind || coalesce(':' || s.label, ''),
           jsonb_strip_nulls(jsonb_build_object('occasion', s.kind, 'label', s.label, 'since', s.occurs_on))
    from audience a join special_date s on s.customer_id = a.id
    union all
    select a.id, a.role, a.channel, f.occurs_on, 'festival:' || f.name,
           jsonb_build_object('occasion', 'festival', 'festival', f.name)
    from audience a cross join festival f
)
insert into reminder (customer_id, kind, owner_role, channel, due_on, subject, facts, job, issued_on)
select o.id, 'greeting', o.role, o.channel, o.on_day, o.subject, o.facts, 'greetings', :'as_of'::date
from occasion o
where o.on_day between :'as_of'::date and :'as_of'::date + :'days_ahead'::int
on conflict do nothing
returning id;
