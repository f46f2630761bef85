-- The keyed audit chain (issue 10): from now on each entry's hash is an HMAC-SHA-256 under a key
-- derived from the master key (dangan.audit.AuditKey), so whoever can write the database without
-- the master key cannot rewrite entries and the head consistently. Entries written before stay as
-- they are (SHA-256, keyed = false) and stay verifiable; the first entry written after this
-- migration on a log that already has entries is the cut-over marker (action 'audit-chain-keyed'),
-- keyed and linked to the last unkeyed entry. No unkeyed entry may follow a keyed one.
alter table audit_log add column keyed boolean not null default false;
alter table audit_log alter column keyed set default true;

-- Whether the head is a keyed entry; an empty log starts keyed, without a marker.
alter table audit_head add column keyed boolean not null default false;
update audit_head set keyed = (last_id = 0);
