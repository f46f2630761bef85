-- Update rounds: the rows of each archive in line order, one per round.
update intake_row s set merge_round = r.n
from (select line_no, row_number() over (partition by customer_id order by line_no) as n
      from intake_row where ingest_id = :'ingest_id'::bigint and outcome is null) r
where s.ingest_id = :'ingest_id'::bigint and s.line_no = r.line_no;
