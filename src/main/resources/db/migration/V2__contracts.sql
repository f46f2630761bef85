-- Contracts (D-10): how far each polled source system has been read.
-- last_seen is the greatest updated_at filed so far; seen_at_last holds a fingerprint of every
-- row filed with exactly that updated_at, so the next poll can ask for updated_at >= last_seen
-- (catching rows that arrive later with the same timestamp) and skip the ones already filed.
-- The row is advanced in the same transaction that files the rows: a restart neither re-reads
-- nor skips.
create table source_watermark (
    source        text        primary key,           -- e.g. 'contracts'
    last_seen     timestamptz not null,
    seen_at_last  text[]      not null default '{}',
    ingest_id     bigint,                             -- the ingest that last advanced it
    advanced_at   timestamptz not null default now()
);
