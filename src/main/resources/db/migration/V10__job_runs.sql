-- Every firing of a scheduled job: when it was due, which instance ran it, how it ended.
-- Two rows for one job and due time would mean the schedule fired it twice (it must not).
create table job_run (
    id             bigserial primary key,
    job            text        not null,
    scheduled_for  timestamptz not null,          -- Quartz's scheduled fire time
    instance       text        not null,          -- Quartz instance id of the instance that ran it
    started_at     timestamptz not null,
    finished_at    timestamptz not null default clock_timestamp(),
    status         text        not null check (status in ('done', 'failed')),
    error          text
);
create index job_run_job on job_run (job, scheduled_for);
