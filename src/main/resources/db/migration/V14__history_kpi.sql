-- Audit, change history and KPIs (D-26, D-27, D-33) and the customer's own archive (D-28).

-- Where a change came from when it was no file, mail or poll (ingest): e.g. 'correction request #12'
-- or 'correction by keeper zhao.lei'. Null for the changes of an ingest (source_ingest_id says).
alter table change_log add column source text;

-- The KPI report reads one month of the audit log (denied and out-of-policy accesses per person).
create index audit_log_at on audit_log (at);

-- The KPI report's accuracy and timeliness read one month of the ingest ledger.
create index ingest_started on ingest (started_at);
