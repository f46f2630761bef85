-- Issue 12: what the merge writes for a person (a warning, why a change waits for review) is a message key
-- and its named arguments (bundle area "merge"), said in the configured language when the merge ends
-- (dangan.archive.MergeTexts); the key stays, so a reader of another language can be answered in theirs.
-- Rows written before keep the text they have.
alter table intake_issue add column reason_key text, add column reason_args jsonb,
    alter column reason drop not null,
    add constraint intake_issue_reason_said check (reason is not null or reason_key is not null);
alter table intake_change add column why_key text, add column why_args jsonb;
alter table pending_change add column reason_key text, add column reason_args jsonb,
    alter column reason drop not null,
    add constraint pending_change_reason_said check (reason is not null or reason_key is not null);
