-- D-18 tiers A–E, D-19 the annual reclassification (类别调整建议书) and its approval.

-- The flags D-18 counts besides visits and spend. Set from an intake column for a new archive
-- (dangan.tiers.flags.*.columns) or by `tiers flag` (with a change_log row); never guessed.
alter table customer
    add column key_decision_maker     boolean not null default false,   -- 关键决策人: tier A
    add column important_organisation boolean not null default false,   -- staff of an important organisation: at least B
    add column out_of_province        boolean not null default false;   -- out-of-province visitor: E

-- New archives waiting for their first tier (the merge listener finds an ingest's new archives here
-- without scanning the archive; the index stays small because almost every archive has a tier).
create index customer_untiered on customer (source_ingest_id) where tier is null;

-- (No new index on consumption: a new archive's visits are found through the existing
-- unique (customer_id, fact_key) index, and the review reads the window in one scan; the bulk
-- intake keeps its speed.)

-- D-18 in one place, for the new-archive tiers and the annual review alike. Thresholds come from
-- configuration as an array: {A visits, A spend, B visits, B spend, C visits, C spend, D visits, D spend}.
-- Precedence: key decision-maker -> A; figures reaching A -> A; important organisation -> B;
-- out-of-province visitor -> p_out_of_province_tier (E; null: no rule); a former A–D tier with at
-- most p_lapsed_visits visits in the window ("hardly came back") -> E; then B, C, D by figures; else E.
create function tier_for(p_visits bigint, p_spend numeric, p_kdm boolean, p_org boolean, p_oop boolean,
                         p_old_tier text, p_thresholds numeric[], p_out_of_province_tier text, p_lapsed_visits integer)
returns char(1) language sql immutable as $$
    select (case
        when p_kdm then 'A'
        when p_visits >= p_thresholds[1] or p_spend >= p_thresholds[2] then 'A'
        when p_org then 'B'
        when p_oop and p_out_of_province_tier is not null then p_out_of_province_tier
        when p_old_tier in ('A', 'B', 'C', 'D') and p_lapsed_visits is not null and p_visits <= p_lapsed_visits then 'E'
        when p_visits >= p_thresholds[3] or p_spend >= p_thresholds[4] then 'B'
        when p_visits >= p_thresholds[5] or p_spend >= p_thresholds[6] then 'C'
        when p_visits >= p_thresholds[7] or p_spend >= p_thresholds[8] then 'D'
        else 'E'
    end)::char(1)
$$;

-- D-19 a proposal: filed by the annual review, decided by a manager (all of it or line by line).
create table tier_proposal (
    id           bigserial   primary key,
    as_of        date        not null,                -- the review day; figures cover the 12 months before it
    window_from  date        not null,
    window_to    date        not null,                -- exclusive
    rules        jsonb       not null,                -- thresholds and rules the review applied
    status       text        not null default 'open' check (status in ('open', 'decided')),
    filed_at     timestamptz not null default now(),
    filed_by     text        not null,
    decided_at   timestamptz
);

create table tier_proposal_line (
    proposal_id            bigint      not null references tier_proposal (id),
    line_no                integer     not null,
    customer_id            bigint      not null references customer (id),
    old_tier               char(1),                   -- null: the archive had no tier yet
    new_tier               char(1)     not null,
    visits                 integer     not null,       -- consumption rows in the window
    spend                  numeric(14, 2) not null,
    key_decision_maker     boolean     not null,
    important_organisation boolean     not null,
    out_of_province        boolean     not null,
    status                 text        not null default 'open' check (status in ('open', 'approved', 'rejected', 'stale')),
    decided_by             text,
    decided_at             timestamptz,
    note                   text,                      -- e.g. why a line could not be applied (stale)
    primary key (proposal_id, line_no)
);
create index tier_proposal_line_customer on tier_proposal_line (customer_id);
-- one proposal per review day: re-running the day (by hand, or on a second instance) files nothing new
create unique index tier_proposal_day on tier_proposal (as_of);
