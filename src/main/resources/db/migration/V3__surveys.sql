-- Satisfaction surveys (D-5, D-11): every response received, by its survey_id (a replay is not
-- filed twice), and the review queue of responses that matched no archive (yet).

-- Responses that wait in review are counted per ingest, so the counts reconcile:
-- rows_total = rows_new + rows_updated + rows_duplicate + rows_rejected + rows_review.
alter table ingest add column if not exists rows_review integer not null default 0;

-- Every survey response received once, whatever became of it (filed or waiting in review).
create table survey_response (
    survey_id        text        primary key,          -- the platform's id of the response
    customer_id      bigint      references customer (id), -- the archive it was filed on; null while in review
    status           text        not null check (status in ('filed', 'review')),
    score            smallint    not null check (score between 1 and 5),
    submitted_at     timestamptz,
    answers          jsonb,                            -- the questionnaire's answers as sent
    source_ingest_id bigint      not null,             -- the file or POST it came in (ingest.id)
    source_line      integer     not null,             -- the response's number in it (1 = first)
    received_at      timestamptz not null default now(),
    filed_at         timestamptz
);
create index survey_response_customer on survey_response (customer_id);

-- Responses that matched no archive: they wait here, visible, until a person links them
-- (POST /api/surveys/review/{id}/link) or a later intake makes them match (scheduled re-match).
create table survey_review (
    id               bigserial   primary key,
    survey_id        text        not null unique references survey_response (survey_id),
    payload          jsonb       not null,             -- the response in the default format (what is filed when linked)
    reason           text        not null,             -- why it matched no archive
    status           text        not null default 'pending' check (status in ('pending', 'linked')),
    customer_id      bigint      references customer (id),
    linked_by        text,                             -- a person's name, or 're-match' for the scheduled re-match
    linked_at        timestamptz,
    source_ingest_id bigint      not null,
    source_line      integer     not null,
    created_at       timestamptz not null default now()
);
create index survey_review_pending on survey_review (id) where status = 'pending';
