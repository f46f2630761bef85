-- The console (a browser) signs staff in with a name and password and keeps a server-side session.
-- Tokens stay for machines. Only the Argon2id hash of a password is kept (with its own salt and
-- cost parameters, in the encoder's text form); `dangan user password NAME` sets it.
alter table staff_user add column password_hash text;
alter table staff_user add column password_set_at timestamptz;

-- One row per sign-in. The browser holds the session id in an HttpOnly, SameSite=Strict cookie;
-- the database keeps only its SHA-256, like a token's. The CSRF token is sent back by the page
-- in a header on every state-changing call. A session ends at sign-out (ended_at), after
-- dangan.console.idle-minutes without a request, or dangan.console.absolute-hours after sign-in.
create table console_session (
    id          bigserial   primary key,
    id_hash     bytea       not null unique,
    user_id     bigint      not null references staff_user (id),
    csrf_token  text        not null,
    created_at  timestamptz not null default now(),
    last_seen   timestamptz not null default now(),
    ended_at    timestamptz,
    address     text
);
create index console_session_user on console_session (user_id) where ended_at is null;
