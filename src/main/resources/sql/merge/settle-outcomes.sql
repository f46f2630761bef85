-- Outcome: a row with a change waiting for review is review; one that changed or added anything
-- is an update; the rest are duplicates (a row that opened an archive is new already). What the
-- ingest wrote is found through each table's source index, this ingest's rows only — never by testing
-- every staged row against whole tables (which the planner did by hashing all 1,000,000 visits).
-- Each list of marked lines is read once into a hash (a hashed SubPlan: uncorrelated, it is run once),
-- and the staged rows are read once and settled in place: no join whose order rests on an estimate of
-- the marks — a join let the planner loop over every mark of the ingest for every row when the source
-- tables' statistics did not know this ingest's rows yet (StatisticsTrialsTest), and the grouping of the
-- marks, estimated at 100 lines, looked every one of 100,000 lines up again by its key (issue 14).
update intake_row s set outcome = case
    when s.line_no in (select line_no from intake_change where ingest_id = :'ingest_id'::bigint and disposition = 'hold')
        then 'review'
    when s.line_no in (select source_line from change_log where source_ingest_id = :'ingest_id'::bigint
                       union all select source_line from consumption where source_ingest_id = :'ingest_id'::bigint
                       union all select source_line from preference where source_ingest_id = :'ingest_id'::bigint
                       union all select source_line from health_fact where source_ingest_id = :'ingest_id'::bigint
                       union all select source_line from special_date where source_ingest_id = :'ingest_id'::bigint
                       union all select source_line from lunar_birthday where source_ingest_id = :'ingest_id'::bigint
                       union all select source_line from companion where source_ingest_id = :'ingest_id'::bigint
                       union all select source_line from consent where source_ingest_id = :'ingest_id'::bigint)
        then 'updated'
    else 'duplicate' end
where s.ingest_id = :'ingest_id'::bigint and s.outcome is null;
