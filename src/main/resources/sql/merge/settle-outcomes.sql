-- Outcome: a row with a change waiting for review is review; one that changed or added anything
-- is an update; the rest are duplicates (a row that opened an archive is new already). What the
-- ingest wrote is found through each table's source index, this ingest's rows only — never by testing
-- every staged row against whole tables (which the planner did by hashing all 1,000,000 visits).
-- The outcomes of the rows still without one are counted here with the others (and the changes not
-- applied); they are written into the staged rows only for a check (`keep_staging`), which reads them
-- line by line before it rolls back. A filing clears its staged rows when it ends: writing each of them
-- once more only to count them was a new version of every staged row (issue 14).
with marks as (
    select line_no, 1 as mark from intake_change where ingest_id = :'ingest_id'::bigint and disposition = 'hold'
    union all select source_line, 2 from change_log where source_ingest_id = :'ingest_id'::bigint
    union all select source_line, 2 from consumption where source_ingest_id = :'ingest_id'::bigint
    union all select source_line, 2 from preference where source_ingest_id = :'ingest_id'::bigint
    union all select source_line, 2 from health_fact where source_ingest_id = :'ingest_id'::bigint
    union all select source_line, 2 from special_date where source_ingest_id = :'ingest_id'::bigint
    union all select source_line, 2 from lunar_birthday where source_ingest_id = :'ingest_id'::bigint
    union all select source_line, 2 from companion where source_ingest_id = :'ingest_id'::bigint
    union all select source_line, 2 from consent where source_ingest_id = :'ingest_id'::bigint
), settled as (
    -- the rows still without an outcome (mark 3: a duplicate unless marked) grouped with the marks, no join:
    -- a join let the planner loop over every mark of the ingest for every row when the source tables'
    -- statistics did not know this ingest's rows yet (StatisticsTrialsTest). Each row carries where it is
    -- (ctid), so it is written back without being looked up again by its key: the grouping is estimated at
    -- 100 lines, and the planner looked each of 100,000 lines up one by one in the primary key (issue 14).
    -- Only this transaction can see or change these staged rows, so where they are holds until it ends.
    select max(row_id) as row_id,
           case min(mark) when 1 then 'review' when 2 then 'updated' else 'duplicate' end as outcome
    from (select line_no, ctid as row_id, 3 as mark from intake_row where ingest_id = :'ingest_id'::bigint and outcome is null
          union all select line_no, null::tid, mark from marks) m
    group by line_no
    having bool_or(mark = 3)
), written as (
    update intake_row s set outcome = t.outcome
    from settled t where :'keep_staging'::boolean and s.ctid = t.row_id and s.ingest_id = :'ingest_id'::bigint
)
-- the statement's snapshot is taken before its update: the rows settled here are counted once, from settled
select count(*) filter (where outcome = 'new') as created, count(*) filter (where outcome = 'updated') as updated,
       count(*) filter (where outcome = 'duplicate') as duplicates, count(*) filter (where outcome = 'review') as review,
       (select count(*) from intake_change x where x.ingest_id = :'ingest_id'::bigint and x.disposition <> 'apply') as not_applied
from (select outcome from intake_row where ingest_id = :'ingest_id'::bigint and outcome is not null
      union all select outcome from settled) o;
