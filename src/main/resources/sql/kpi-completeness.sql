-- KPI (D-33) completeness: of the archives open at the end of the period (opened before to,
-- not sealed), how many hold every required basic field, and how many miss each one. Measured
-- on the archives as they are now (the register keeps changes, not old completeness). Parameters:
--   to      end of the period (timestamptz, exclusive)
--   fields  JSON array of required fields among name, gender, birth_date, mobile, email, address,
--           id_number, employer, job_title, nationality (dangan.kpi.required-fields); what "missing"
--           means is the view customer_missing_field (V19)
with required as (
    select jsonb_array_elements_text(:'fields'::jsonb) as field
),
archives as (
    select c.* from customer c
    where c.created_at < :'to'::timestamptz and c.status = 'active' and c.sealed_at is null
),
missing as (
    select a.id, m.field
    from archives a
    join customer_missing_field m on m.customer_id = a.id
    join required r on r.field = m.field
)
select (select count(*) from archives) as archives,
       (select count(*) from archives) - (select count(distinct id) from missing) as complete,
       (select coalesce(jsonb_object_agg(field, n order by field), '{}'::jsonb)::text
          from (select r.field, count(m.id) as n from required r left join missing m on m.field = r.field group by r.field) x)
           as missing_per_field;
