-- Visits, stays and meals: the same content from two sources is one fact (visit_fact_key, V45).
-- Run twice (opened, see README): first for the lines that opened their archive in this merge (outcome new), without
-- the on conflict clause (add-new-visits): such an archive has no fact yet (each is opened by one line, and no earlier
-- step adds consumption), so the line's visit is inserted without looking its key up before and without the second
-- WAL record that confirms a speculative insert (issue 14: 1,000,000 new customers' visits 8.3 s → 7.6 s, 48 MB less
-- WAL); then for the other lines, as written. A later line of the same customer with the same visit is one fact.
insert into consumption (customer_id, visit_date, amount, service, payment_method, staff, branch, place,
                         fact_key, source_ingest_id, source_line)
select s.customer_id, s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch, s.place,
       visit_fact_key(s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch, s.place),
       s.ingest_id, s.line_no
from intake_row s
where s.ingest_id = :'ingest_id'::bigint and (s.outcome is not distinct from 'new') = :'opened'::boolean
  and s.contract_no is null and (s.visit_date is not null or s.amount is not null or s.service is not null)
on conflict (customer_id, fact_key) do nothing;
