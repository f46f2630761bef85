-- A contract (D-10) is one fact per contract number: the latest line about it wins. A contract
-- whose terms changed goes to the change register with what it said before (D-27): the register's
-- insert reads the facts as they were when the statement began.
with latest as (
    select distinct on (s.customer_id, s.contract_no) s.customer_id, s.contract_no, s.visit_date, s.amount,
           s.service, s.payment, s.staff, s.branch, s.ingest_id, s.line_no,
           md5('contract|' || s.contract_no)::uuid as fact_key
    from intake_row s
    where s.ingest_id = :'ingest_id'::bigint and s.contract_no is not null
    order by s.customer_id, s.contract_no, s.line_no desc
), logged as (
    insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source_ingest_id, source_line)
    select l.customer_id, 'contract ' || l.contract_no,
           concat_ws(' ', c.visit_date, c.amount, c.service), concat_ws(' ', l.visit_date, l.amount, l.service),
           'intake', :'reason', l.ingest_id, l.line_no
    from latest l join consumption c on c.customer_id = l.customer_id and c.fact_key = l.fact_key
    where (c.visit_date, c.amount, c.service, c.payment_method, c.staff, c.branch)
          is distinct from (l.visit_date, l.amount, l.service, l.payment, l.staff, l.branch)
)
insert into consumption (customer_id, visit_date, amount, service, payment_method, staff, branch, contract_no,
                         fact_key, source_ingest_id, source_line)
select l.customer_id, l.visit_date, l.amount, l.service, l.payment, l.staff, l.branch, l.contract_no,
       l.fact_key, l.ingest_id, l.line_no
from latest l
on conflict (customer_id, fact_key) do update set
    visit_date = excluded.visit_date, amount = excluded.amount, service = excluded.service,
    payment_method = excluded.payment_method, staff = excluded.staff, branch = excluded.branch,
    source_ingest_id = excluded.source_ingest_id, source_line = excluded.source_line
where (consumption.visit_date, consumption.amount, consumption.service, consumption.payment_method,
       consumption.staff, consumption.branch)
      is distinct from (excluded.visit_date, excluded.amount, excluded.service, excluded.payment_method,
                        excluded.staff, excluded.branch);
