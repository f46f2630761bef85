-- A survey platform's token (issue 10): POST /api/surveys needs a credential by default, one of them a
-- staff token with the role survey-source, good for nothing else.
alter table staff_user drop constraint staff_user_role_check;
alter table staff_user add constraint staff_user_role_check
    check (role in ('front-desk', 'service', 'manager', 'keeper', 'auditor', 'admin', 'survey-source'));
