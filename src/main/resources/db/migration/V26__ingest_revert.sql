-- Undo a file (ingest revert): a reverted ingest keeps its ledger entry, with who reverted it, when,
-- and the revert's counts and exceptions. It is no longer 'done', so its checksum no longer blocks
-- the same content from being filed again (ingest_done_checksum covers status 'done' only).
alter table ingest drop constraint ingest_status_check;
alter table ingest add constraint ingest_status_check
    check (status in ('running', 'done', 'failed', 'duplicate', 'reverted'));
alter table ingest add column reverted_at timestamptz;
alter table ingest add column reverted_by text;
alter table ingest add column revert_summary jsonb;   -- counts and exceptions, archive numbers only
