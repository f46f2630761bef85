-- A column whose heading looks sensitive (issue 10) is held for review, not filed: its values are staged
-- sealed under the line's data key, {"<heading>": {"enc": base64, "hash": base64 blind index}}, and the
-- merge makes each a pending change 'held:<heading>' of the line's archive (sql/merge/hold-sensitive-columns.sql).
alter table intake_row add column held jsonb;
create index intake_row_held on intake_row (ingest_id) where held is not null;
