-- Signed survey POSTs taken, shared by every instance on this database (issue 10): a signature is taken
-- once within its window, whichever instance it reaches. The digest (SHA-256 of the signature header) is
-- kept, not the signature; a row is purged once its window is over (expires_at: the signature's
-- timestamp + dangan.surveys.signature-window-seconds), when a stale signature is refused anyway.
create table survey_signature (
    source     text        not null,
    digest     bytea       not null,
    expires_at timestamptz not null,
    primary key (source, digest)
);
create index survey_signature_expiry on survey_signature (expires_at);
