-- A separate 'contact' purpose beside 'service' (issue 12, PIPL art. 13(1)(2)): a customer may keep
-- the service relationship yet object to being called or visited. The visit plan (D-20) and the
-- next-day follow-ups (D-22) reach a customer unless a 'service' or a 'contact' withdrawal is the
-- latest decision; greetings and anything promotional still need a recorded marketing grant.
-- Which job needs which purpose stays configuration (dangan.consent.purpose.<job>, default contact).

alter table consent drop constraint consent_purpose_check;
alter table consent add constraint consent_purpose_check
    check (purpose in ('service', 'contact', 'marketing', 'sensitive'));

-- What an input line says about being contacted (column consent_contact, 联系同意 / 同意回访).
alter table intake_row add column consent_contact boolean;

-- 'service': unless the service relationship was objected to; 'contact': unless that or being
-- contacted was objected to; 'marketing': only with a grant.
create or replace function contact_ok(p_customer bigint, p_purpose text) returns boolean
language sql stable as $$
    select case p_purpose
        when 'service' then coalesce(consent_granted(p_customer, 'service'), true)
        when 'contact' then coalesce(consent_granted(p_customer, 'service'), true)
                            and coalesce(consent_granted(p_customer, 'contact'), true)
        when 'marketing' then coalesce(consent_granted(p_customer, 'marketing'), false)
    end
$$;

create or replace function left_out_reason(p_customer bigint, p_status text, p_purpose text) returns text
language sql stable as $$
    select case
        when p_status = 'sealed' then 'sealed'
        when p_purpose in ('service', 'contact') and consent_granted(p_customer, 'service') = false then 'service-objected'
        when p_purpose = 'contact' and consent_granted(p_customer, 'contact') = false then 'contact-objected'
        when p_purpose = 'marketing' then
            case consent_granted(p_customer, 'marketing') when true then null when false then 'marketing-withdrawn'
                 else 'no-marketing-consent' end
    end
$$;
