-- Separation of duties for exports (issue 10): an access request's export that includes categories
-- outside the exporter's view (dangan.views.<role>) needs a manager's approval first — a manager other
-- than the one who received the request. The approval is kept with the request; the export's audit
-- entry names both the exporter and the approver.
alter table subject_request add column export_approved_by text;
alter table subject_request add column export_approved_at timestamptz;
