-- Lunar birthdays (农历生日): kept as lunar dates, because the Gregorian day moves every year. The
-- greetings job finds each year's day (dangan.lunar.ChineseDates: a leap-month birthday in a year
-- without that leap month is kept in the ordinary month, day 30 in a month of 29 days on day 29).
create table lunar_birthday (
    customer_id      bigint   primary key references customer (id),
    lunar_year       smallint check (lunar_year between 1900 and 2200),   -- the year of its 春节, when known
    lunar_month      smallint not null check (lunar_month between 1 and 12),
    leap_month       boolean  not null default false,                     -- 闰月
    lunar_day        smallint not null check (lunar_day between 1 and 30),
    source_ingest_id bigint,
    source_line      integer
);
create index lunar_birthday_day on lunar_birthday (lunar_month, leap_month, lunar_day);

alter table intake_row
    add column lunar_year  smallint,
    add column lunar_month smallint,
    add column leap_month  boolean,
    add column lunar_day   smallint;

-- An archive with a lunar birthday is not missing its birthday.
create or replace view customer_missing_field as
select c.id as customer_id, m.field
from customer c
cross join lateral (values
    ('name', c.name is null),
    ('gender', c.gender is null),
    ('birth_date', c.birth_date is null and not exists (select 1 from lunar_birthday l where l.customer_id = c.id)),
    ('mobile', c.mobile is null),
    ('email', c.email is null),
    ('address', c.address is null),
    ('id_number', c.id_number_hash is null),
    ('employer', c.employer is null),
    ('job_title', c.job_title is null),
    ('nationality', c.nationality is null),
    ('preferences', not exists (select 1 from preference p where p.customer_id = c.id)),
    ('special_dates', not exists (select 1 from special_date s where s.customer_id = c.id)),
    ('sensitive_consent', exists (select 1 from sensitive_without_consent w where w.customer_id = c.id))
) as m(field, absent)
where m.absent;
