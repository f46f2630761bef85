-- Preferences (room, dining, other): each once. Run twice (opened, see README): the lines that opened their archive
-- without the on conflict clause (add-new-preferences: their archives have none yet, and a line's three differ by
-- category), then the other lines. Only the lines with a preference make the three rows (issue 14: at 1,000,000
-- lines, a quarter with a preference, the rows of the other three quarters cost 0.45 s to make and drop).
insert into preference (customer_id, category, detail, fact_key, source_ingest_id, source_line)
select s.customer_id, p.category, p.detail, md5(p.category || '|' || p.detail)::uuid, s.ingest_id, s.line_no
from intake_row s
cross join lateral (values ('room', s.pref_room), ('dining', s.pref_dining), ('other', s.pref_other))
    p(category, detail)
where s.ingest_id = :'ingest_id'::bigint and (s.outcome is not distinct from 'new') = :'opened'::boolean
  and (s.pref_room is not null or s.pref_dining is not null or s.pref_other is not null) and p.detail is not null
on conflict (customer_id, fact_key) do nothing;
