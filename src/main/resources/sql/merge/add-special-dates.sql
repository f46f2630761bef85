-- Special dates (wedding anniversary): each once. Run twice (opened, see README): the lines that opened their archive
-- without the on conflict clause (add-new-special-dates), then the other lines.
insert into special_date (customer_id, kind, occurs_on, source_ingest_id, source_line)
select s.customer_id, 'wedding_anniversary', s.anniversary, s.ingest_id, s.line_no
from intake_row s
where s.ingest_id = :'ingest_id'::bigint and (s.outcome is not distinct from 'new') = :'opened'::boolean
  and s.anniversary is not null
on conflict (customer_id, kind, occurs_on) do nothing;
