-- The change register (D-27): each applied change of the round, with the line that made it.
insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source_ingest_id, source_line)
select x.customer_id, x.field, x.old_value, x.new_value, 'intake', :'reason', x.ingest_id, x.line_no
from intake_change x join intake_row s on s.ingest_id = x.ingest_id and s.line_no = x.line_no
where x.ingest_id = :'ingest_id'::bigint and s.merge_round = :'round'::int and x.disposition = 'apply';
