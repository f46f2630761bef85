-- Keys per customer (D-28) and the record destruction leaves behind (D-31).
--
-- Every sensitive value (resident ID number, health data) is sealed with a data key of its own
-- customer; the key itself is stored here sealed with the master key. Destroying a customer
-- deletes these rows, so whatever copy of the archive still holds the customer's ciphertext
-- (a backup made before) holds nothing readable. Backups keep this table apart from the data
-- (see README, Backups).
create table customer_key (
    id          uuid        primary key,              -- named in the header of every value it seals
    customer_id bigint      not null references customer (id),
    wrapped     bytea       not null,                 -- the data key, sealed with the master key
    created_at  timestamptz not null default now()
);
create index customer_key_customer on customer_key (customer_id);

-- What remains of a destroyed archive: no personal data, only what was destroyed, why, by whom.
create table destruction_record (
    id           bigserial   primary key,
    archive_no   text        not null,
    reason       text        not null check (reason in ('retention', 'customer-request', 'damaged')),
    proposal_id  bigint,
    approved_by  text        not null,
    destroyed_at timestamptz not null default now(),
    method       text        not null,                -- e.g. 'rows deleted, customer keys destroyed'
    counts       jsonb       not null                 -- rows destroyed per table
);
create index destruction_record_archive on destruction_record (archive_no);
