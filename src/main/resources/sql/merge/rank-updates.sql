-- Update rounds: the rows of each archive in line order, one per round. Matching left every matched
-- row in the first round (merge_round null); only the rows of an archive met more than once in this ingest are written
-- again, each with its round.
update intake_row s set merge_round = r.n
from (select line_no, row_number() over (partition by customer_id order by line_no) as n,
             count(*) over (partition by customer_id) as rows_of_archive
      from intake_row where ingest_id = :'ingest_id'::bigint and outcome is null) r
where s.ingest_id = :'ingest_id'::bigint and s.line_no = r.line_no and r.rows_of_archive > 1
  and s.merge_round is distinct from r.n;
