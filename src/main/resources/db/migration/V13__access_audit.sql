-- Staff, their API tokens (D-24) and the audit trail (D-26, D-27).

create table staff_user (
    id          bigserial   primary key,
    name        text        not null unique,
    role        text        not null check (role in ('front-desk', 'service', 'manager', 'keeper', 'auditor', 'admin')),
    active      boolean     not null default true,
    created_at  timestamptz not null default now(),
    created_by  text        not null,
    disabled_at timestamptz,
    disabled_by text
);

-- Only the SHA-256 of a token is kept: the token itself is shown once, when it is issued.
-- Tokens are 256 random bits, so a fast hash cannot be brute-forced; passwords would need a slow one.
create table api_token (
    id          bigserial   primary key,
    user_id     bigint      not null references staff_user (id),
    token_hash  bytea       not null unique,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz,
    last_used   timestamptz
);
create index api_token_user on api_token (user_id);

-- Every look at and every change of an archive, every denied attempt. Append-only: each entry
-- carries the SHA-256 of its content and of the entry before it, and ids have no gaps, so an
-- altered, removed or inserted entry breaks the chain (`dangan audit verify` names the first).
create table audit_log (
    id          bigint      primary key,               -- 1, 2, 3 … without gaps
    at          timestamptz not null,
    actor       text        not null,                  -- user name, or system:<job>
    role        text,
    action      text        not null,                  -- read, search, change, export, destroy …
    archive_no  text,
    categories  text,                                  -- comma-separated: basic,health …
    purpose     text,
    grant_id    bigint,
    outcome     text        not null check (outcome in ('ok', 'denied', 'error')),
    detail      text,                                  -- never health data or ID numbers in clear
    prev_hash   bytea       not null,
    hash        bytea       not null
);
create index audit_log_archive on audit_log (archive_no, at);
create index audit_log_actor on audit_log (actor, at);

-- The head of the chain: appending locks this one row, so entries are chained in one order.
create table audit_head (
    only_row  boolean primary key default true check (only_row),
    last_id   bigint  not null,
    last_hash bytea   not null
);
insert into audit_head (last_id, last_hash) values (0, decode(repeat('00', 32), 'hex'));

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only: % refused', tg_op;
end $$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only();

-- Sealing (D-32): a sealed archive stays, read-only and invisible to ordinary roles.
alter table customer
    add column sealed_at     timestamptz,
    add column sealed_by     text,
    add column sealed_reason text;

-- A customer's requests about their own data (PIPL; D-28, D-31): a copy of the archive, a
-- correction, a deletion, a withdrawal of consent — each tracked to its deadline. The request
-- outlives the archive it was about (customer_id goes null when the archive is destroyed).
create table subject_request (
    id           bigserial   primary key,
    customer_id  bigint      references customer (id) on delete set null,
    archive_no   text        not null,
    kind         text        not null check (kind in ('access', 'correction', 'deletion', 'withdrawal')),
    received_at  timestamptz not null default now(),
    received_via text        not null,                -- api, mail, desk
    received_by  text        not null,                -- the member of staff who took it, or system:mail
    due_at       timestamptz not null,
    status       text        not null default 'open' check (status in ('open', 'done', 'refused')),
    closed_at    timestamptz,
    closed_by    text,
    outcome      text
);
create index subject_request_open on subject_request (due_at) where status = 'open';
