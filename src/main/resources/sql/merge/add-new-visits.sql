-- Visits of the lines that opened their archive in this merge (outcome new), before any other line's: such an
-- archive has no fact yet (each is opened by one line, and no earlier step adds consumption), so the line's
-- visit is inserted without the de-duplication of add-visits.sql — no look-up of its key before the insert, no
-- second WAL record to confirm it (issue 14: 1,000,000 new customers' visits in 7.6 s instead of 8.3 s, 48 MB
-- less WAL). The fact key is add-visits.sql's (visit_fact_key): a later line of the same customer with the same
-- visit is one fact.
insert into consumption (customer_id, visit_date, amount, service, payment_method, staff, branch, place,
                         fact_key, source_ingest_id, source_line)
select s.customer_id, s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch, s.place,
       visit_fact_key(s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch, s.place),
       s.ingest_id, s.line_no
from intake_row s
where s.ingest_id = :'ingest_id'::bigint and s.outcome = 'new' and s.contract_no is null
  and (s.visit_date is not null or s.amount is not null or s.service is not null);
