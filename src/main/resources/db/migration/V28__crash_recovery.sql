-- Crash recovery (issue 15): which service instance holds a file claim or runs an ingest, so that an
-- instance starting up can tell the work of a crashed instance (its application_name is no longer
-- among the database's sessions) from the work of one still running, close the former's ingests as
-- 'interrupted' and release its claims (the file is taken again while it is still in the inbox).
-- The instance is each pool connection's application_name (ArchiveDatabase), filled in by default.
alter table ingest add column instance text default current_setting('application_name', true);
alter table camel_messageprocessed add column instance text default current_setting('application_name', true);
alter table ingest drop constraint ingest_status_check;
alter table ingest add constraint ingest_status_check
    check (status in ('running', 'done', 'failed', 'duplicate', 'reverted', 'interrupted'));
-- A file filed whose reject report is not written yet (a crash, a full disk, a database restart
-- after the commit): written from the database by the next file, or at the next start.
alter table ingest add column report_pending boolean not null default false;
create index ingest_unfinished on ingest (id) where status = 'running' or report_pending;
