-- The due times of scheduled jobs, each taken by one instance (issue 15). Clustered Quartz fires a due time
-- once, but an instance that stalls past its cluster check-in has its acquired trigger recovered by another
-- instance, and then both fire it (TwoInstancesTrialsTest saw it twice at load 50–90: one due time run by
-- both). The instance that inserts the due time runs the job; any other skips the firing. A job's rows
-- older than a week are removed by its next firing.
create table job_firing (
    job           text        not null,
    scheduled_for timestamptz not null,
    instance      text        not null,
    taken_at      timestamptz not null default clock_timestamp(),
    primary key (job, scheduled_for)
);
