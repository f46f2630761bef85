-- Match (D-15): unmatched rows find their archive by a key it holds, or by a key shared with a row
-- of this ingest already matched (so a later line linked only through an earlier one follows it).
-- ID number outranks mobile, mobile outranks email. Repeated until it matches no more rows. A matched
-- row is in the first update round unless its archive has other rows in this ingest (rank-updates.sql).
with unmatched as (
    select line_no, id_hash, mobile, email from intake_row where ingest_id = :'ingest_id'::bigint and customer_id is null
), matched as (
    select id_hash, mobile, email, customer_id from intake_row where ingest_id = :'ingest_id'::bigint and customer_id is not null
), candidates as (
    select u.line_no, c.id as customer_id, 1 as rank from unmatched u join customer c on c.id_number_hash = u.id_hash
    union all
    select u.line_no, m.customer_id, 2 from unmatched u join matched m on m.id_hash = u.id_hash
    union all
    select u.line_no, c.id, 3 from unmatched u join customer c on c.mobile = u.mobile
    union all
    select u.line_no, m.customer_id, 4 from unmatched u join matched m on m.mobile = u.mobile
    union all
    select u.line_no, c.id, 5 from unmatched u join customer c on c.email = u.email
    union all
    select u.line_no, m.customer_id, 6 from unmatched u join matched m on m.email = u.email
), best as (
    select distinct on (line_no) line_no, customer_id from candidates order by line_no, rank
)
update intake_row s set customer_id = b.customer_id, merge_round = 1
from best b where s.ingest_id = :'ingest_id'::bigint and s.line_no = b.line_no;
