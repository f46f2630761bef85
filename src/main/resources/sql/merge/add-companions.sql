-- Companions and referrers: each once.
insert into companion (customer_id, relation, name, source_ingest_id, source_line)
select s.customer_id, p.relation, p.name, s.ingest_id, s.line_no
from intake_row s
cross join lateral (values ('companion', s.companions), ('referred_by', s.referrer)) p(relation, name)
where s.ingest_id = :'ingest_id'::bigint and p.name is not null
on conflict (customer_id, relation, name) do nothing;
