-- What a reminder job answers (sql/visit-plan.sql, greetings.sql, follow-ups.sql), written once: the ids of the
-- reminders it issued (tally null), then how many were due (tally 'due') and how many of those were left out, per
-- reason (tally = the reason; a reason nobody was left out for is not listed). `issued` is the ids the job
-- inserted; `left_out` holds one entry per customer due, null when nothing kept them out.
create function reminder_tally(issued bigint[], left_out text[])
returns table (id bigint, tally text, reminders bigint)
language sql immutable as $$
    select i, null::text, null::bigint from unnest(issued) i
    union all
    select null, coalesce(l, 'due'), count(*) from unnest(left_out) l group by grouping sets ((l), ())
    having grouping(l) = 1 or l is not null
$$;
