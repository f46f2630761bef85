-- Staff tokens expire (dangan.api.token-days) and can be revoked one at a time (`user token NAME
-- --revoke ID`); who revoked a token is kept beside when.
alter table api_token add column expires_at timestamptz;   -- null: never (dangan.api.token-days=0)
alter table api_token add column revoked_by text;

-- Tokens issued before tokens expired get the default lifetime from now: 90 days.
update api_token set expires_at = now() + interval '90 days' where revoked_at is null;
