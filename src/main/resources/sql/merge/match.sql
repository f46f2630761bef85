-- Match (D-15): unmatched rows find their archive by a key it holds, or by a key shared with a row
-- of this ingest already matched (so a later line linked only through an earlier one follows it).
-- ID number outranks mobile, mobile outranks email. Repeated until it matches no more rows. A matched
-- row is in the first update round unless its archive has other rows in this ingest (rank-updates.sql):
-- its merge_round stays null, so writing its archive changes no indexed column of the staged row and the new
-- version is a heap-only tuple beside the old one (issue 14: setting merge_round, which intake_row_round
-- indexes, added two index entries a line — 2.8 s of PostgreSQL CPU for 1,000,000 changed lines).
-- The archive holding a key is looked up through its unique index, line by line: the cost follows the
-- lines, never the size of the archive (joined, the planner scanned and hashed all 1,000,000 archives
-- for a file of 100,000 lines). Each row carries where it is (ctid: only this transaction can see or change
-- its staged rows), so it is written back without a look-up by its key (the best candidates are estimated
-- at 200 lines, and the planner looked each of 1,000,000 lines up again in the primary key).
with unmatched as (
    select line_no, ctid as row_id, id_hash, mobile, email from intake_row where ingest_id = :'ingest_id'::bigint and customer_id is null
), matched as (
    select id_hash, mobile, email, customer_id from intake_row where ingest_id = :'ingest_id'::bigint and customer_id is not null
), known as (
    select u.line_no, u.row_id,
           case when u.id_hash is not null then (select c.id from customer c where c.id_number_hash = u.id_hash) end as by_id,
           case when u.mobile is not null then (select c.id from customer c where c.mobile = u.mobile) end as by_mobile,
           case when u.email is not null then (select c.id from customer c where c.email = u.email) end as by_email
    from unmatched u
), candidates as (
    select line_no, row_id, by_id as customer_id, 1 as rank from known where by_id is not null
    union all
    select u.line_no, u.row_id, m.customer_id, 2 from unmatched u join matched m on m.id_hash = u.id_hash
    union all
    select line_no, row_id, by_mobile, 3 from known where by_mobile is not null
    union all
    select u.line_no, u.row_id, m.customer_id, 4 from unmatched u join matched m on m.mobile = u.mobile
    union all
    select line_no, row_id, by_email, 5 from known where by_email is not null
    union all
    select u.line_no, u.row_id, m.customer_id, 6 from unmatched u join matched m on m.email = u.email
), best as (
    select distinct on (line_no) row_id, customer_id from candidates order by line_no, rank
)
update intake_row s set customer_id = b.customer_id
from best b where s.ctid = b.row_id and s.ingest_id = :'ingest_id'::bigint;
