-- D-18 flag from intake columns, one definition for the merge that opens an archive
-- (sql/merge/open-archives-tiered.sql) and the tiers listener (NewArchiveTiers): one of the
-- configured columns of the archive's extra attributes holds a yes value (lower case, trimmed).
-- A simple SQL function: the planner inlines it into the statement that calls it.
create function intake_flag(extra jsonb, columns text[], yes_values text[])
returns boolean language sql immutable as $$
    select exists (select 1 from jsonb_each_text(extra) e
                   where e.key = any (columns) and lower(trim(e.value)) = any (yes_values))
$$;
