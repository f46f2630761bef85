-- Visits, stays and meals: the same content from two sources is one fact. The place (room or
-- table) joins the fact's key only when given, so the keys of visits without one stay as they were.
-- The lines that opened their archive in this merge filed theirs before (add-new-visits.sql).
insert into consumption (customer_id, visit_date, amount, service, payment_method, staff, branch, place,
                         fact_key, source_ingest_id, source_line)
select s.customer_id, s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch, s.place,
       md5(concat_ws('|', coalesce(s.visit_date::text, ''), coalesce(s.amount::text, ''), coalesce(s.service, ''),
           coalesce(s.payment, ''), coalesce(s.staff, ''), coalesce(s.branch, '')) || coalesce('|' || s.place, ''))::uuid,
       s.ingest_id, s.line_no
from intake_row s
where s.ingest_id = :'ingest_id'::bigint and s.outcome is distinct from 'new' and s.contract_no is null
  and (s.visit_date is not null or s.amount is not null or s.service is not null)
on conflict (customer_id, fact_key) do nothing;
