-- Greetings (D-20, D-6): birthdays (customer.birth_date), anniversaries and other special dates,
-- and festivals falling between as_of and as_of + days_ahead, issued once per archive, occasion
-- and day. Returns the ids of the greetings issued, then one row per reason a greeting was left out
-- (sealed, no-marketing-consent, marketing-withdrawn …) and one 'due' row (how many were due in all).
-- Parameters:
--   as_of       the day the job runs for (yyyy-mm-dd)
--   days_ahead  how many days ahead greetings are prepared
--   greeters    JSON rows {tier, role, channel}: who greets each tier (its festival-letter entry
--               in the cadence, else its first role and channel)
--   festivals   JSON rows {occurs_on, name}: the festival days in the window
--   purpose     the consent purpose greetings need (dangan.consent.purpose.greetings, default marketing)
--   lunar_days  JSON rows {lunar_month, leap_month, lunar_day, occurs_on, lunar}: the lunar birthdays
--               kept on each day of the window (day 30 on day 29 of a short month, a leap-month
--               birthday in the ordinary month of a year without it); an archive with a lunar
--               birthday (lunar_birthday) is greeted on it, not on customer.birth_date
with greeter as (
    select * from jsonb_to_recordset(:'greeters'::jsonb) as g(tier text, role text, channel text)
),
festival as (
    select * from jsonb_to_recordset(:'festivals'::jsonb) as f(occurs_on date, name text)
),
lunar_day as (
    select * from jsonb_to_recordset(:'lunar_days'::jsonb)
        as l(lunar_month int, leap_month boolean, lunar_day int, occurs_on date, lunar text)
),
audience as (
    select c.id, c.birth_date, g.role, g.channel, left_out_reason(c.id, c.status, :'purpose') as left_out
    from customer c join greeter g on g.tier = coalesce(c.tier, 'E')
),
occasion as (
    select a.id, a.role, a.channel, a.left_out, next_occurrence(a.birth_date, :'as_of'::date) as on_day, 'birthday' as subject,
           jsonb_build_object('occasion', 'birthday', 'born', a.birth_date) as facts
    from audience a where a.birth_date is not null
      and not exists (select 1 from lunar_birthday lb where lb.customer_id = a.id)
    union all
    select a.id, a.role, a.channel, a.left_out, d.occurs_on, 'birthday',
           jsonb_build_object('occasion', 'birthday', 'lunar', d.lunar)
    from audience a
    join lunar_birthday lb on lb.customer_id = a.id
    join lunar_day d on d.lunar_month = lb.lunar_month and d.leap_month = lb.leap_month and d.lunar_day = lb.lunar_day
    union all
    select a.id, a.role, a.channel, a.left_out, next_occurrence(s.occurs_on, :'as_of'::date), s.kind || coalesce(':' || s.label, ''),
           jsonb_strip_nulls(jsonb_build_object('occasion', s.kind, 'label', s.label, 'since', s.occurs_on))
    from audience a join special_date s on s.customer_id = a.id
    union all
    select a.id, a.role, a.channel, a.left_out, f.occurs_on, 'festival:' || f.name,
           jsonb_build_object('occasion', 'festival', 'festival', f.name)
    from audience a cross join festival f
),
in_window as (
    select * from occasion o where o.on_day between :'as_of'::date and :'as_of'::date + :'days_ahead'::int
),
issued as (
insert into reminder (customer_id, kind, owner_role, channel, due_on, subject, facts, job, issued_on)
select o.id, 'greeting', o.role, o.channel, o.on_day, o.subject, o.facts, 'greetings', :'as_of'::date
from in_window o
where o.left_out is null
on conflict do nothing
returning id
)
select * from reminder_tally((select array_agg(id) from issued), (select array_agg(left_out) from in_window));
