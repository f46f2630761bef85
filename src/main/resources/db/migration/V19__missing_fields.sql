-- What an archive lacks, field by field: one definition for the weekly completeness report (D-17,
-- sql/completeness.sql) and the completeness KPI (D-33, sql/kpi-completeness.sql). A row per
-- archive and missing field; the planner folds the view into the query that filters archives.
create view customer_missing_field as
select c.id as customer_id, m.field
from customer c
cross join lateral (values
    ('name', c.name is null),
    ('gender', c.gender is null),
    ('birth_date', c.birth_date is null),
    ('mobile', c.mobile is null),
    ('email', c.email is null),
    ('address', c.address is null),
    ('id_number', c.id_number_hash is null),
    ('employer', c.employer is null),
    ('job_title', c.job_title is null),
    ('nationality', c.nationality is null),
    ('preferences', not exists (select 1 from preference p where p.customer_id = c.id)),
    ('special_dates', not exists (select 1 from special_date s where s.customer_id = c.id)),
    ('sensitive_consent', exists (select 1 from sensitive_without_consent w where w.customer_id = c.id))
) as m(field, absent)
where m.absent;
