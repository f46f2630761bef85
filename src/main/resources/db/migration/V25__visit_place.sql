-- D-22: the arrival notice names the room or table where it is known. A visit's place (房号, 桌号,
-- 包间 …) as the source gives it; kept with the visit (consumption) and staged with its line.
alter table consumption add column place text;
alter table intake_row add column place text;
