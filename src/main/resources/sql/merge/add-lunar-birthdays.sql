-- The lunar birthday (农历生日) of a line; the last line of the file wins for a customer.
insert into lunar_birthday as l (customer_id, lunar_year, lunar_month, leap_month, lunar_day, source_ingest_id, source_line)
select distinct on (s.customer_id) s.customer_id, s.lunar_year, s.lunar_month, s.leap_month, s.lunar_day,
       s.ingest_id, s.line_no
from intake_row s where s.ingest_id = :'ingest_id'::bigint and s.lunar_month is not null and s.customer_id is not null
order by s.customer_id, s.line_no desc
on conflict (customer_id) do update set lunar_year = excluded.lunar_year, lunar_month = excluded.lunar_month,
    leap_month = excluded.leap_month, lunar_day = excluded.lunar_day,
    source_ingest_id = excluded.source_ingest_id, source_line = excluded.source_line
where (l.lunar_year, l.lunar_month, l.leap_month, l.lunar_day)
      is distinct from (excluded.lunar_year, excluded.lunar_month, excluded.leap_month, excluded.lunar_day);
