-- KPI (D-33) accuracy: of the lines taken in during the period (files, mails, polls, survey
-- batches started in [from, to)), how many were rejected or held for review, and per channel the
-- share rejected. Parameters:
--   from, to   the period (timestamptz, to exclusive)
select count(*) as ingests,
       coalesce(sum(rows_total), 0) as lines,
       coalesce(sum(rows_rejected), 0) as rejected,
       coalesce(sum(rows_review), 0) as review,
       coalesce(sum(warnings), 0) as warnings,
       -- per channel (registrations, contracts, surveys, mail …): the share of its lines rejected, as JSON
       (select coalesce(jsonb_object_agg(channel, round(rejected::numeric / lines, 4)), '{}'::jsonb)::text
          from (select channel, sum(rows_total) as lines, sum(rows_rejected) as rejected
                  from ingest
                 where started_at >= :'from'::timestamptz and started_at < :'to'::timestamptz and status = 'done'
                 group by channel having sum(rows_total) > 0) per_channel) as rejected_share_per_channel
from ingest
where started_at >= :'from'::timestamptz and started_at < :'to'::timestamptz and status = 'done';
