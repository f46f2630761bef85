-- Consent per job (PIPL art. 13): the visit plan (D-20) and the next-day follow-ups (D-22) are part
-- of the service relationship the customer entered (art. 13(2): needed to perform a contract with
-- the individual) and reach every customer who has not objected (a recorded 'service' withdrawal);
-- greetings and anything promotional are marketing and need a recorded marketing grant (art. 13(1)).
-- Which job needs which purpose is configuration (dangan.consent.purpose.<job>).

-- Whether the customer may be contacted for a purpose: 'service' unless objected, 'marketing' only
-- with a grant.
create function contact_ok(p_customer bigint, p_purpose text) returns boolean
language sql stable as $$
    select case p_purpose
        when 'service' then coalesce(consent_granted(p_customer, 'service'), true)
        when 'marketing' then coalesce(consent_granted(p_customer, 'marketing'), false)
    end
$$;

-- Why a customer is left out of a job's feed, or null when they are not: for the counts every feed
-- and its log line give.
create function left_out_reason(p_customer bigint, p_status text, p_purpose text) returns text
language sql stable as $$
    select case
        when p_status = 'sealed' then 'sealed'
        when p_purpose = 'service' and consent_granted(p_customer, 'service') = false then 'service-objected'
        when p_purpose = 'marketing' then
            case consent_granted(p_customer, 'marketing') when true then null when false then 'marketing-withdrawn'
                 else 'no-marketing-consent' end
    end
$$;
