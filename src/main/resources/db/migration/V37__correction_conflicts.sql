-- A correction refused because its mobile, email or ID number is already another archive's (D-15; issue 10):
-- recorded for a manager to resolve, through GET /api/correction-conflicts and POST …/{id}/resolve.
-- The proposed value is sealed under the corrected customer's key; staff see it as value_shown (an ID
-- number masked). Decisions: merge (the two archives are one customer: merging them is asked for),
-- confirm (the correction is right: the value moves from the other archive to this one), dismiss.
create table correction_conflict (
    id               bigserial   primary key,
    archive_no       text        not null,                 -- the archive the correction was for
    other_archive_no text        not null,                 -- the archive that holds the value
    field            text        not null check (field in ('mobile', 'email', 'id_number')),
    value_enc        bytea       not null,
    value_shown      text        not null,
    request_id       bigint      references subject_request (id),
    reason           text,
    raised_by        text        not null,
    raised_role      text        not null,
    raised_at        timestamptz not null default now(),
    status           text        not null default 'open'
                     check (status in ('open', 'merge-requested', 'confirmed', 'dismissed')),
    resolved_by      text,
    resolved_at      timestamptz,
    note             text
);
-- the same refused correction again adds no second open conflict
create unique index correction_conflict_open on correction_conflict (archive_no, other_archive_no, field, value_shown)
    where status = 'open';
create index correction_conflict_status on correction_conflict (status, raised_at);
