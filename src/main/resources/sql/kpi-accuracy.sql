-- KPI (D-33) accuracy: of the lines taken in during the period (files, mails, polls, survey
-- batches started in [from, to)), how many were rejected or held for review. Parameters:
--   from, to   the period (timestamptz, to exclusive)
select count(*) as ingests,
       coalesce(sum(rows_total), 0) as lines,
       coalesce(sum(rows_rejected), 0) as rejected,
       coalesce(sum(rows_review), 0) as review,
       coalesce(sum(warnings), 0) as warnings
from ingest
where started_at >= :'from'::timestamptz and started_at < :'to'::timestamptz and status = 'done';
