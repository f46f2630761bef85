-- Open: among rows still unmatched, the first row of each customer opens a new archive, numbered per
-- D-14 in line order; numbers are reserved in one go. Later rows of the same customer match it on the
-- next pass. With tiers (the tiers flow is on, the source is not low-trust), an archive opened by a
-- line alone in this ingest (no other line shares its mobile, ID number or email, so no other line can
-- join it: every row sharing a key with a matched row was matched before this step) gets its flags and
-- tier (D-18) as it is inserted — its only visit in the window can be that line's. The others keep a
-- null tier for the tiers listener.
with unmatched as (
    select line_no,
           (mobile is null or line_no = min(line_no) over (partition by mobile))
       and (id_hash is null or line_no = min(line_no) over (partition by id_hash))
       and (email is null or line_no = min(line_no) over (partition by email)) as first_of_customer,
           (mobile is null or count(*) over (partition by mobile) = 1)
       and (id_hash is null or count(*) over (partition by id_hash) = 1)
       and (email is null or count(*) over (partition by email) = 1) as alone
    from intake_row where ingest_id = :'ingest_id'::bigint and customer_id is null
), openers as (
    select line_no, alone, row_number() over (order by line_no) - 1 as seq
    from unmatched where first_of_customer
), reserved as (
    select archive_serial_reserve(:'period', (select count(*)::int from openers)) as first_serial
), created as (
    insert into customer (archive_no, name, gender, birth_date, mobile, email, address,
                          id_number_enc, id_number_hash, id_number_masked, employer, job_title,
                          nationality, extra, contact_confirmed_at, source_ingest_id, source_line,
                          key_decision_maker, important_organisation, out_of_province, tier)
    select archive_no, name, gender, birth_date, mobile, email, address, id_enc, id_hash, id_masked, employer,
           job_title, nationality, extra, contact_confirmed_at, ingest_id, line_no,
           kdm, org, oop,
           case when alone and :'tiers'::boolean then tier_for(visits, spend, kdm, org, oop, null, :'thresholds'::numeric[],
                                         nullif(:'oop_tier', '')::text, nullif(:'lapsed_visits', '')::int) end
    from (select archive_no(:'period', (select first_serial from reserved) + o.seq::int) as archive_no, s.name, s.gender, s.birth_date,
                 s.mobile, s.email, s.address, s.id_enc, s.id_hash, s.id_masked, s.employer, s.job_title,
                 s.nationality, coalesce(s.extra, '{}'::jsonb) as extra,
                 case when s.mobile is not null or s.email is not null then now() end as contact_confirmed_at,
                 s.ingest_id, s.line_no, o.alone,
                 -- the key test first (jsonb ?| as a function): most lines carry none of the flag columns and skip intake_flag
                 o.alone and :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'kdm_columns'::text[]), false)
                     and intake_flag(s.extra, :'kdm_columns'::text[], :'yes_values'::text[]) as kdm,
                 o.alone and :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'org_columns'::text[]), false)
                     and intake_flag(s.extra, :'org_columns'::text[], :'yes_values'::text[]) as org,
                 o.alone and :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'oop_columns'::text[]), false)
                     and intake_flag(s.extra, :'oop_columns'::text[], :'yes_values'::text[]) as oop,
                 -- a new archive's visits in the window: the consumption fact its one line adds (visit or contract)
                 case when s.visit_date >= :'window_from'::date and s.visit_date < :'window_until'::date
                      then 1 else 0 end::bigint as visits,
                 case when s.visit_date >= :'window_from'::date and s.visit_date < :'window_until'::date
                      then coalesce(s.amount, 0) else 0 end as spend
          -- the reservation as a scalar (one evaluation, an init plan), not a join the planner could loop over
          from openers o
          join intake_row s on s.ingest_id = :'ingest_id'::bigint and s.line_no = o.line_no) n
    returning id, source_line
)
update intake_row s set customer_id = c.id, outcome = 'new'
from created c where s.ingest_id = :'ingest_id'::bigint and s.line_no = c.source_line;
