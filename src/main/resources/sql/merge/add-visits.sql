-- Visits, stays and meals: the same content from two sources is one fact (visit_fact_key, V45).
-- The lines that opened their archive in this merge filed theirs before (add-new-visits.sql).
insert into consumption (customer_id, visit_date, amount, service, payment_method, staff, branch, place,
                         fact_key, source_ingest_id, source_line)
select s.customer_id, s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch, s.place,
       visit_fact_key(s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch, s.place),
       s.ingest_id, s.line_no
from intake_row s
where s.ingest_id = :'ingest_id'::bigint and s.outcome is distinct from 'new' and s.contract_no is null
  and (s.visit_date is not null or s.amount is not null or s.service is not null)
on conflict (customer_id, fact_key) do nothing;
