-- Open: among rows still unmatched, the first row of each customer opens a new archive, numbered per
-- D-14 in line order; numbers are reserved in one go. Later rows of the same customer match it on the
-- next pass. With tiers (the tiers flow is on, the source is not low-trust), an archive opened by a
-- line alone in this ingest (no other line shares its mobile, ID number or email, so no other line can
-- join it: every row sharing a key with a matched row was matched before this step) gets its flags and
-- tier (D-18) as it is inserted — its only visit in the window can be that line's. The others keep a
-- null tier for the tiers listener.
-- One pass over the staged rows (issue 14): the keys two unmatched lines share (rare: a customer twice in a
-- file) are grouped first, each with its first line; every other unmatched line opens an archive. The staged
-- line takes its archive's id from the sequence as it is marked new (a heap-only version: neither column is
-- indexed), and the update hands the line on to the insert: no sort of the lines by each key, no join of the
-- created archives back to their lines (at 1,000,000 lines: 13 s → 10 s). The archive number is the line's rank
-- among the openers; the reservation is a one-row CTE, evaluated once, joined so that archive_no() is inlined
-- (given a sub-select it was called per line).
with unmatched as (
    select line_no, mobile, id_hash, email
    from intake_row where ingest_id = :'ingest_id'::bigint and customer_id is null
), shared_mobile as (
    select mobile, min(line_no) as first_line from unmatched where mobile is not null group by mobile having count(*) > 1
), shared_id as (
    select id_hash, min(line_no) as first_line from unmatched where id_hash is not null group by id_hash having count(*) > 1
), shared_email as (
    select email, min(line_no) as first_line from unmatched where email is not null group by email having count(*) > 1
), opened as (
    update intake_row s set customer_id = nextval('customer_id_seq'), outcome = 'new'
    where s.ingest_id = :'ingest_id'::bigint and s.customer_id is null
      and not exists (select from shared_mobile m where m.mobile = s.mobile and m.first_line <> s.line_no)
      and not exists (select from shared_id i where i.id_hash = s.id_hash and i.first_line <> s.line_no)
      and not exists (select from shared_email e where e.email = s.email and e.first_line <> s.line_no)
    returning s.customer_id, s.ingest_id, s.line_no, s.name, s.gender, s.birth_date, s.mobile, s.email, s.address, s.id_enc, s.id_hash,
              s.id_masked, s.employer, s.job_title, s.nationality, s.extra, s.visit_date, s.amount,
              not coalesce(s.mobile in (select mobile from shared_mobile), false)
                  and not coalesce(s.id_hash in (select id_hash from shared_id), false)
                  and not coalesce(s.email in (select email from shared_email), false) as alone
), reserved as (
    select archive_serial_reserve(:'period', (select count(*)::int from opened)) as first_serial
), numbered as (
    select o.*, row_number() over (order by line_no) - 1 as seq from opened o
)
insert into customer (id, archive_no, name, gender, birth_date, mobile, email, address,
                      id_number_enc, id_number_hash, id_number_masked, employer, job_title,
                      nationality, extra, contact_confirmed_at, source_ingest_id, source_line,
                      key_decision_maker, important_organisation, out_of_province, tier)
select customer_id, archive_no, name, gender, birth_date, mobile, email, address, id_enc, id_hash, id_masked, employer,
       job_title, nationality, extra, contact_confirmed_at, ingest_id, line_no,
       kdm, org, oop,
       case when alone and :'tiers'::boolean then tier_for(visits, spend, kdm, org, oop, null, :'thresholds'::numeric[],
                                     nullif(:'oop_tier', '')::text, nullif(:'lapsed_visits', '')::int) end
from (select s.customer_id, archive_no(:'period', r.first_serial + s.seq::int) as archive_no, s.name, s.gender, s.birth_date,
             s.mobile, s.email, s.address, s.id_enc, s.id_hash, s.id_masked, s.employer, s.job_title,
             s.nationality, coalesce(s.extra, '{}'::jsonb) as extra,
             case when s.mobile is not null or s.email is not null then now() end as contact_confirmed_at,
             s.ingest_id, s.line_no, s.alone,
             -- the key test first (jsonb ?| as a function): most lines carry none of the flag columns and skip intake_flag
             s.alone and :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'kdm_columns'::text[]), false)
                 and intake_flag(s.extra, :'kdm_columns'::text[], :'yes_values'::text[]) as kdm,
             s.alone and :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'org_columns'::text[]), false)
                 and intake_flag(s.extra, :'org_columns'::text[], :'yes_values'::text[]) as org,
             s.alone and :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'oop_columns'::text[]), false)
                 and intake_flag(s.extra, :'oop_columns'::text[], :'yes_values'::text[]) as oop,
             -- a new archive's visits in the window: the consumption fact its one line adds (visit or contract)
             case when s.visit_date >= :'window_from'::date and s.visit_date < :'window_until'::date
                  then 1 else 0 end::bigint as visits,
             case when s.visit_date >= :'window_from'::date and s.visit_date < :'window_until'::date
                  then coalesce(s.amount, 0) else 0 end as spend
      from numbered s cross join reserved r) n;
