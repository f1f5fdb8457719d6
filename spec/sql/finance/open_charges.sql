select c.id, c.due_date, c.transaction_date, c.open_amount
from (
    select t.id, t.due_date, t.transaction_date,
           coalesce((select sum(e.amount) from public.ledger_entries e
                     where e.transaction_id = t.id and e.amount > 0
                       and e.account_id = public.get_system_account('accounts_receivable', t.community_id)), 0)
           - coalesce((select sum(a.amount) from public.payment_allocations a
                       where a.charge_transaction_id = t.id and a.deleted_at is null), 0) as open_amount
    from public.transactions t
    where t.unit_id = p_unit
      and t.transaction_type in ('charge', 'interest', 'penalty')
      and not exists (select from public.transactions r where r.reverses_transaction_id = t.id)
) as c
where c.open_amount > 0
