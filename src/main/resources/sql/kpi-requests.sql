-- KPI (D-33, D-28) the customer's requests at as_of (the period's end, or now): open ones, and
-- open ones past their deadline, per kind — as they stood then (closed later: still open then).
-- Parameters: as_of (timestamptz)
select kind,
       count(*) as open,
       count(*) filter (where due_at < :'as_of'::timestamptz) as overdue
from subject_request
where received_at < :'as_of'::timestamptz and (closed_at is null or closed_at >= :'as_of'::timestamptz)
group by kind
order by kind;
