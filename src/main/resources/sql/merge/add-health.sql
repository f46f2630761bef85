-- Health facts (allergy, note), sealed: each once, by the blind index of its value. Run twice (opened, see README):
-- the lines that opened their archive without the on conflict clause (add-new-health), then the other lines. Only the
-- lines with a health value make the two rows.
insert into health_fact (customer_id, kind, detail_enc, fact_key, source_ingest_id, source_line)
select s.customer_id, h.kind, h.detail_enc, h.fact_key, s.ingest_id, s.line_no
from intake_row s
cross join lateral (values ('allergy', s.allergy_enc, s.allergy_hash), ('note', s.health_enc, s.health_hash))
    h(kind, detail_enc, fact_key)
where s.ingest_id = :'ingest_id'::bigint and (s.outcome is not distinct from 'new') = :'opened'::boolean
  and (s.allergy_enc is not null or s.health_enc is not null) and h.detail_enc is not null
on conflict (customer_id, kind, fact_key) do nothing;
