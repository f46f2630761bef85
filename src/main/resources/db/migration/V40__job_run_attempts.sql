-- The attempts a firing took: a scheduled job that failed for a passing reason (the database away, a
-- full disk) is tried again with back-off within the same firing (dangan.jobs.retry.*). One row per
-- firing still: its status is how the last attempt ended.
alter table job_run add column attempts integer not null default 1 check (attempts >= 1);
