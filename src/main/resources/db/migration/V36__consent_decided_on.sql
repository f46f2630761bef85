-- Issue 12, legacy archives: consent collected on paper carries the day the customer decided (a consent-only
-- file, inbox/consents). Null when not known: the day it was recorded counts. The order of decisions stays
-- recorded_at (the latest recorded holds); an older paper decision never undoes a later one (ConsentFileIntake).
alter table consent add column decided_on date;
