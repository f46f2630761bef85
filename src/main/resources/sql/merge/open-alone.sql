-- Open, when every staged line is alone (issue 14): no line matched a known archive and no two lines share a mobile,
-- ID number or email (the staging saw each key once: MergeOptions.linesAlone). Then each line opens its own archive, and
-- open-archives.sql would give the same archives: no key to group, every line alone (its flags and tier at opening, with
-- the tiers flow), numbered per D-14 in line order — the line's place among the openers is its line number less the
-- first staged one (:'first_line') and less the line numbers the staging skipped before it (:'gaps', ascending: rejected
-- or blank lines; width_bucket counts them by a binary search), so neither the grouping nor a sort by line order is
-- needed (at 1,000,000 lines of ingest.sh's file: 2–2.5 s of 12.5–13 s). The merge runs it only then (ArchiveMerge,
-- which checks that the skipped numbers account for every gap) and checks that it opened :'opening' archives, as many
-- as were reserved.
with reserved as (
    select archive_serial_reserve(:'period', :'opening'::int) as first_serial
), opened as (
    update intake_row s set customer_id = nextval('customer_id_seq'), outcome = 'new'
    where s.ingest_id = :'ingest_id'::bigint and s.customer_id is null
    returning s.customer_id, s.ingest_id, s.line_no, s.name, s.gender, s.birth_date, s.mobile, s.email, s.address, s.id_enc, s.id_hash,
              s.id_masked, s.employer, s.job_title, s.nationality, s.extra, s.visit_date, s.amount
)
insert into customer (id, archive_no, name, gender, birth_date, mobile, email, address,
                      id_number_enc, id_number_hash, id_number_masked, employer, job_title,
                      nationality, extra, contact_confirmed_at, source_ingest_id, source_line,
                      key_decision_maker, important_organisation, out_of_province, tier)
select customer_id, archive_no, name, gender, birth_date, mobile, email, address, id_enc, id_hash, id_masked, employer,
       job_title, nationality, extra, contact_confirmed_at, ingest_id, line_no,
       kdm, org, oop,
       case when :'tiers'::boolean then tier_for(visits, spend, kdm, org, oop, null, :'thresholds'::numeric[],
                                     nullif(:'oop_tier', '')::text, nullif(:'lapsed_visits', '')::int) end
from (select s.customer_id, archive_no(:'period', r.first_serial + (s.line_no - :'first_line'::int
                                                          - width_bucket(s.line_no, :'gaps'::int[]))) as archive_no, s.name,
             s.gender, s.birth_date, s.mobile, s.email, s.address, s.id_enc, s.id_hash, s.id_masked, s.employer, s.job_title,
             s.nationality, coalesce(s.extra, '{}'::jsonb) as extra,
             case when s.mobile is not null or s.email is not null then now() end as contact_confirmed_at,
             s.ingest_id, s.line_no,
             -- as open-archives.sql, every line alone
             :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'kdm_columns'::text[]), false)
                 and intake_flag(s.extra, :'kdm_columns'::text[], :'yes_values'::text[]) as kdm,
             :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'org_columns'::text[]), false)
                 and intake_flag(s.extra, :'org_columns'::text[], :'yes_values'::text[]) as org,
             :'tiers'::boolean and coalesce(jsonb_exists_any(s.extra, :'oop_columns'::text[]), false)
                 and intake_flag(s.extra, :'oop_columns'::text[], :'yes_values'::text[]) as oop,
             case when s.visit_date >= :'window_from'::date and s.visit_date < :'window_until'::date
                  then 1 else 0 end::bigint as visits,
             case when s.visit_date >= :'window_from'::date and s.visit_date < :'window_until'::date
                  then coalesce(s.amount, 0) else 0 end as spend
      from opened s cross join reserved r) n;
