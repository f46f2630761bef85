-- Preferences (room, dining, other): each once.
insert into preference (customer_id, category, detail, fact_key, source_ingest_id, source_line)
select s.customer_id, p.category, p.detail, md5(p.category || '|' || p.detail)::uuid, s.ingest_id, s.line_no
from intake_row s
cross join lateral (values ('room', s.pref_room), ('dining', s.pref_dining), ('other', s.pref_other))
    p(category, detail)
where s.ingest_id = :'ingest_id'::bigint and p.detail is not null
on conflict (customer_id, fact_key) do nothing;
