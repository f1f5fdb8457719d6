select t.id from public.transactions t
where t.community_id = p_community and t.transaction_type = 'payment'
  and (p_unit is null or t.unit_id = p_unit)
  and (p_reference is null or t.reference = p_reference)
  and pg_catalog.abs(t.transaction_date - p_on) <= p_tolerance_days
  and private.payment_amount(t.id) = p_amount
  and not exists (select from public.reconciliation_matches m
                  where m.community_id = t.community_id and m.transaction_id = t.id and m.deleted_at is null)
  and not exists (select from public.transactions r
                  where r.community_id = t.community_id and r.reverses_transaction_id = t.id and r.deleted_at is null)
order by pg_catalog.abs(t.transaction_date - p_on), t.id
limit 1
