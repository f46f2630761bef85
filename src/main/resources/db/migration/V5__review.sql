-- D-16 review before filing, D-13 never guess: changes that wait for a person.
-- A change waits when its source is marked low-trust, or when it contradicts what the archive
-- already holds for the customer's identity (name, gender, birth date, ID number). Archives
-- opened from a low-trust source wait as a whole (customer.review_status = 'pending').

alter table customer add column review_status text not null default 'filed'
    check (review_status in ('filed', 'pending'));

-- (ingest.rows_review, the lines that wait, is added by V3.)

alter table intake_row drop constraint intake_row_outcome_check;
alter table intake_row add constraint intake_row_outcome_check
    check (outcome in ('new', 'updated', 'duplicate', 'review'));

create table pending_change (
    id                bigserial primary key,
    customer_id       bigint      not null references customer (id),
    field             text        not null,
    current_value     text,                         -- masked for sensitive fields
    current_source_ingest_id bigint,                -- where the current value came from (ingest.id, line)
    current_source_line      integer,
    proposed_value    text,
    proposed_hash     bytea,                        -- ID number: its blind index, to apply on acceptance
    proposed_enc      bytea,                        -- ID number: encrypted
    reason            text        not null,
    source_ingest_id  bigint      not null,
    source_line       integer,
    status            text        not null default 'pending' check (status in ('pending', 'accepted', 'rejected')),
    decided_by        text,
    decided_at        timestamptz,
    created_at        timestamptz not null default now()
);
create index pending_change_open on pending_change (status, customer_id);

-- Staging of one merge round's field changes, each with what becomes of it. Unlogged, like intake_row.
create unlogged table intake_change (
    ingest_id     bigint  not null,
    line_no       integer not null,
    customer_id   bigint  not null,
    field         text    not null,
    old_value     text,
    new_value     text,
    disposition   text    not null check (disposition in ('apply', 'hold', 'conflict')),
    why           text,
    primary key (ingest_id, line_no, field)
);

-- Update rounds pick their rows by round number; only matched rows get one, so COPY pays nothing.
create index intake_row_round on intake_row (ingest_id, merge_round) where merge_round is not null;
