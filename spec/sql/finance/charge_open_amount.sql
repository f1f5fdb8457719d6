select case
    when exists (select from public.transactions r
                 where r.community_id = t.community_id and r.reverses_transaction_id = t.id
                   and r.deleted_at is null) then 0
    else coalesce((select sum(e.amount) from public.ledger_entries e
                   join public.accounts a on a.id = e.account_id and a.system_key = 'accounts_receivable'
                   where e.community_id = t.community_id and e.transaction_id = t.id and e.amount > 0), 0)
         - coalesce((select sum(pa.amount) from public.payment_allocations pa
                     where pa.community_id = t.community_id and pa.charge_transaction_id = t.id
                       and pa.deleted_at is null), 0)
end
from public.transactions t
where t.id = p_charge and t.transaction_type in ('charge', 'interest', 'penalty')
