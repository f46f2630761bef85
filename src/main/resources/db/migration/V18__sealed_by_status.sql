-- An archive sealed before V13 (customer.status = 'sealed' only) becomes sealed the one way every
-- check reads (sealed_at), so the read-only guard of V15 and every API treat it alike (D-32).
update customer
   set sealed_at = coalesce(updated_at, created_at), sealed_by = 'migration V18',
       sealed_reason = 'sealed (status) before sealing was recorded'
 where status = 'sealed' and sealed_at is null;
