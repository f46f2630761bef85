-- The key that makes the same visit, stay or meal from two sources one fact (consumption's unique
-- (customer_id, fact_key)): written once here for add-visits.sql and add-new-visits.sql, which must agree
-- (a line that opened its archive and a later line of the same customer with the same visit are one fact).
-- The place (room or table) joins the key only when given, so the keys of visits without one stay as they
-- were. A single expression and stable (a date's text follows DateStyle), so PostgreSQL inlines it into the
-- statements that call it: no function call a line.
create function visit_fact_key(p_visit_date date, p_amount numeric, p_service text, p_payment text,
                               p_staff text, p_branch text, p_place text) returns uuid
language sql stable parallel safe as $$
    select md5(concat_ws('|', coalesce(p_visit_date::text, ''), coalesce(p_amount::text, ''), coalesce(p_service, ''),
               coalesce(p_payment, ''), coalesce(p_staff, ''), coalesce(p_branch, '')) || coalesce('|' || p_place, ''))::uuid
$$;
