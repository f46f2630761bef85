-- Access requests and grants (D-25): a member of staff asks for a scope (archives, categories),
-- a purpose and a duration; a manager other than the requester approves or rejects it with a
-- reason; an approved request becomes a grant that widens the holder's view for exactly that
-- scope until it expires (valid_until, by time: no job) or the holder returns it.
-- Archive numbers are kept as text (not customer ids): a request outlives a destroyed archive
-- and names it the way the audit log does.

create table access_request (
    id            bigserial   primary key,
    requester_id  bigint      not null references staff_user (id),
    requester     text        not null,                 -- staff_user.name at the time
    requester_role text       not null,
    archive_nos   text[]      not null check (cardinality(archive_nos) > 0),
    categories    text[]      not null check (cardinality(categories) > 0),
    purpose       text        not null check (length(purpose) > 0),
    days          integer     not null check (days >= 1),
    status        text        not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
    requested_at  timestamptz not null default now(),
    decided_by    text,                                 -- the authenticated manager, never a name from a body
    decided_at    timestamptz,
    reason        text
);
create index access_request_pending on access_request (requested_at) where status = 'pending';
create index access_request_requester on access_request (requester_id, requested_at);

create table access_grant (
    id           bigserial   primary key,
    request_id   bigint      not null unique references access_request (id),
    holder_id    bigint      not null references staff_user (id),
    holder       text        not null,
    archive_nos  text[]      not null,
    categories   text[]      not null,
    purpose      text        not null,
    valid_from   timestamptz not null,
    valid_until  timestamptz not null check (valid_until > valid_from),
    approved_by  text        not null,
    returned_at  timestamptz                            -- ended early by its holder
);
-- the grants a reader may hold right now: looked up on every archive read
create index access_grant_live on access_grant (holder_id, valid_until) where returned_at is null;

-- Search by the beginning of a name (GET /api/archives?name=张): LIKE 'prefix%' can use a
-- text_pattern_ops index whatever the database's collation (customer_name serves equality only).
create index customer_name_prefix on customer (name text_pattern_ops);
