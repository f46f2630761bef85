-- D-19 annual tier review: every active archive whose tier no longer fits its last 12 months
-- (visits, spend and flags, D-18 via tier_for) goes on ONE proposal (类别调整建议书) with old tier,
-- new tier and the figures behind it. Nothing in customer changes here: a manager decides
-- (`tiers approve|reject`). A second run for the same day files nothing (one proposal per day).
-- Run by the service (job annual-tier-review) and, the very same text, by psql:
--   psql -v as_of=2027-01-01 -v window_months=12 -v thresholds='{12,1200,8,800,4,400,2,200}' \
--        -v out_of_province_tier=E -v lapsed_visits=1 -v filed_by=psql -v rules='{}' -f annual-tier-review.sql
with p as (
    select :'as_of'::date as as_of,
           (:'as_of'::date - make_interval(months => :'window_months'::int))::date as window_from,
           :'thresholds'::numeric[] as thresholds,
           nullif(:'out_of_province_tier', '')::text as oop_tier,
           nullif(:'lapsed_visits', '')::int as lapsed_visits
),
figures as (
    select x.customer_id, count(*) as visits, coalesce(sum(x.amount), 0) as spend
    from consumption x, p
    where x.visit_date >= p.window_from and x.visit_date < p.as_of
    group by x.customer_id
),
judged as (
    select c.id, c.archive_no, c.tier as old_tier,
           coalesce(f.visits, 0) as visits, coalesce(f.spend, 0) as spend,
           c.key_decision_maker, c.important_organisation, c.out_of_province,
           tier_for(coalesce(f.visits, 0), coalesce(f.spend, 0), c.key_decision_maker, c.important_organisation,
                    c.out_of_province, c.tier::text, p.thresholds, p.oop_tier, p.lapsed_visits) as new_tier
    from customer c
    cross join p
    left join figures f on f.customer_id = c.id
    where c.status = 'active'
),
changes as (
    select * from judged where new_tier is distinct from old_tier
),
proposal as (
    insert into tier_proposal (as_of, window_from, window_to, rules, filed_by)
    select p.as_of, p.window_from, p.as_of, :'rules'::jsonb, :'filed_by'::text
    from p
    where exists (select 1 from changes)
      and not exists (select 1 from tier_proposal t where t.as_of = p.as_of)
    returning id
),
lines as (
    insert into tier_proposal_line (proposal_id, line_no, customer_id, old_tier, new_tier, visits, spend,
                                    key_decision_maker, important_organisation, out_of_province)
    select proposal.id, row_number() over (order by ch.archive_no), ch.id, ch.old_tier, ch.new_tier, ch.visits, ch.spend,
           ch.key_decision_maker, ch.important_organisation, ch.out_of_province
    from changes ch cross join proposal
    returning new_tier
)
select (select id from proposal) as proposal_id,
       (select t.id from tier_proposal t, p where t.as_of = p.as_of and t.id is distinct from (select id from proposal)) as earlier_proposal_id,
       count(*) as lines,
       count(*) filter (where new_tier = 'A') as to_a,
       count(*) filter (where new_tier = 'B') as to_b,
       count(*) filter (where new_tier = 'C') as to_c,
       count(*) filter (where new_tier = 'D') as to_d,
       count(*) filter (where new_tier = 'E') as to_e
from lines;
