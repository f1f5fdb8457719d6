select case
    when exists (select from public.transactions r where r.reverses_transaction_id = t.id) then 0
    else coalesce((select sum(e.amount) from public.ledger_entries e
                   where e.transaction_id = t.id and e.amount > 0
                     and e.account_id = public.get_system_account('accounts_receivable', t.community_id)), 0)
         - coalesce((select sum(a.amount) from public.payment_allocations a
                     where a.charge_transaction_id = t.id and a.deleted_at is null), 0)
end
from public.transactions t
where t.id = p_charge and t.transaction_type in ('charge', 'interest', 'penalty')
