-- Issue 10: the files filed from the drop folders are kept in done/ sealed (Tink streaming AEAD), each
-- under its own key, wrapped with the key-encryption key like the customers' keys. Shredding destroys the
-- key (wrapped_key set null) and removes the file; the row stays as the record of what was kept.
create table sealed_original (
    id            bigserial   primary key,
    ingest_id     bigint      references ingest (id),      -- null for a checked file (inbox/check files nothing)
    channel       text        not null,
    path          text        not null unique,             -- the sealed file, relative to DANGAN_HOME
    key_id        uuid        not null,
    wrapped_key   bytea,                                   -- null once shredded: the key is gone
    size_bytes    bigint      not null,
    sealed_at     timestamptz not null default now(),
    shredded_at   timestamptz,
    shredded_why  text
);
create index sealed_original_ingest on sealed_original (ingest_id);
create index sealed_original_kept on sealed_original (sealed_at) where shredded_at is null;

-- A destruction names the sealed originals that held lines of the destroyed archive: shredded, or still
-- holding them (with the day their keeping period ends).
alter table destruction_record add column originals jsonb;
