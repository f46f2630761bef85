-- Visit plan (D-20, D-21): the visits due in the coming month, per archive and owner role, issued
-- once (unique key on reminder). Parameters:
--   as_of         the day the plan is made for (yyyy-mm-dd)
--   zone          time zone of archive creation dates (e.g. Asia/Shanghai)
--   cadence       JSON rows {tier, role, channel, months, rank} from dangan.reminders.cadence.*;
--                 rank 1 is a role's usual channel, rank 2… its alternatives ("phone=1|visit=2")
--   health_roles  comma-separated roles that may see health data (D-24): only their reminders
--                 carry the ids of health facts (never their content)
--   special_days  how many days after as_of special dates and birthdays are listed
--   lunar_days    JSON rows {lunar_month, leap_month, lunar_day, occurs_on, lunar}: the lunar birthdays kept on
--                 each day from as_of to as_of + special_days (an archive with a lunar birthday lists it
--                 instead of customer.birth_date)
--   purpose       the consent purpose the plan needs (dangan.consent.purpose.visit-plan, default
--                 service: every customer who has not objected)
-- Returns the ids of the reminders issued, then one row per reason a due visit was left out
-- (sealed, service-objected, no-marketing-consent, marketing-withdrawn) and one 'due' row: how many
-- visits are due in all.
-- The next due date counts from the last visit-ledger entry of that archive and role (with the
-- interval of the channel used then), or from the archive's creation when there is none.
with cadence as (
    select * from jsonb_to_recordset(:'cadence'::jsonb)
        as c(tier text, role text, channel text, months integer, rank integer)
),
lunar_day as (
    select * from jsonb_to_recordset(:'lunar_days'::jsonb)
        as l(lunar_month int, leap_month boolean, lunar_day int, occurs_on date, lunar text)
),
duty as (
    select tier, role, channel, months from cadence where rank = 1
),
last_contact as (
    select distinct on (customer_id, owner_role) customer_id, owner_role, visited_on, channel
    from visit_ledger
    where owner_role is not null and visited_on <= :'as_of'::date
    order by customer_id, owner_role, visited_on desc, id desc
),
due as (
    select c.id as customer_id, c.birth_date, d.tier, d.role, d.channel,
           case when lc.visited_on is null
                then ((c.created_at at time zone :'zone')::date + make_interval(months => d.months))::date
                else (lc.visited_on + make_interval(months => coalesce(o.months, d.months)))::date
           end as due_on,
           left_out_reason(c.id, c.status, :'purpose') as left_out
    from customer c
    join duty d on d.tier = coalesce(c.tier, 'E')
    left join last_contact lc on lc.customer_id = c.id and lc.owner_role = d.role
    left join cadence o on o.tier = d.tier and o.role = d.role and o.channel = lc.channel
),
in_window as (
    select * from due where due.due_on <= (:'as_of'::date + interval '1 month')::date
),
issued as (
insert into reminder (customer_id, kind, owner_role, channel, due_on, subject, facts, job, issued_on)
select due.customer_id, 'visit', due.role, due.channel, due.due_on, '',
       jsonb_strip_nulls(jsonb_build_object(
           'how', (select string_agg(o.channel || ' every ' || o.months || ' month(s)', ' or ' order by o.rank)
                   from cadence o where o.tier = due.tier and o.role = due.role),
           'preferences', (select jsonb_agg(p.category || ': ' || p.detail order by p.id)
                           from preference p where p.customer_id = due.customer_id),
           'last_visit', (select jsonb_strip_nulls(jsonb_build_object('on', v.visited_on, 'channel', v.channel,
                                  'staff', v.staff, 'role', v.owner_role, 'outcome', v.outcome))
                          from visit_ledger v where v.customer_id = due.customer_id
                          order by v.visited_on desc, v.id desc limit 1),
           'last_consumption', (select jsonb_strip_nulls(jsonb_build_object('on', x.visit_date, 'service', x.service,
                                        'amount', x.amount, 'branch', x.branch, 'staff', x.staff))
                                from consumption x where x.customer_id = due.customer_id and x.visit_date is not null
                                order by x.visit_date desc, x.id desc limit 1),
           'open_complaints', (select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('submitted', f.submitted_at::date,
                                       'service', f.service, 'comment', f.comment)) order by f.submitted_at, f.id)
                               from feedback f where f.customer_id = due.customer_id
                                and f.kind = 'complaint' and f.status = 'open'),
           'special_dates', (select jsonb_agg(e.what || ' ' || e.on_day order by e.on_day)
                             from (select 'birthday' as what, next_occurrence(due.birth_date, :'as_of'::date) as on_day
                                   where due.birth_date is not null
                                     and not exists (select 1 from lunar_birthday lb where lb.customer_id = due.customer_id)
                                   union all
                                   select 'birthday (' || d.lunar || ')', d.occurs_on
                                   from lunar_birthday lb
                                   join lunar_day d on d.lunar_month = lb.lunar_month and d.leap_month = lb.leap_month
                                                   and d.lunar_day = lb.lunar_day
                                   where lb.customer_id = due.customer_id
                                   union all
                                   select s.kind || coalesce(' (' || s.label || ')', ''), next_occurrence(s.occurs_on, :'as_of'::date)
                                   from special_date s where s.customer_id = due.customer_id) e
                             where e.on_day <= :'as_of'::date + :'special_days'::int),
           'health', case when due.role = any(string_to_array(:'health_roles', ','))
                          then (select jsonb_agg(jsonb_build_object('id', h.id, 'kind', h.kind) order by h.id)
                                from health_fact h where h.customer_id = due.customer_id) end
       )),
       'visit-plan', :'as_of'::date
from in_window due
where due.left_out is null
on conflict do nothing
returning id
)
select * from reminder_tally((select array_agg(id) from issued), (select array_agg(left_out) from in_window));
