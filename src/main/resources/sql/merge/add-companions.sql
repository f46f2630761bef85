-- Companions and referrers: each once. Run twice (opened, see README): the lines that opened their archive without the
-- on conflict clause (add-new-companions: a line's two differ by relation), then the other lines. Only the lines with a
-- companion or a referrer make the two rows.
insert into companion (customer_id, relation, name, source_ingest_id, source_line)
select s.customer_id, p.relation, p.name, s.ingest_id, s.line_no
from intake_row s
cross join lateral (values ('companion', s.companions), ('referred_by', s.referrer)) p(relation, name)
where s.ingest_id = :'ingest_id'::bigint and (s.outcome is not distinct from 'new') = :'opened'::boolean
  and (s.companions is not null or s.referrer is not null) and p.name is not null
on conflict (customer_id, relation, name) do nothing;
