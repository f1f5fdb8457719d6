with receivable as (
    select e.unit_id, e.amount
    from public.ledger_entries e
    where e.unit_id is not null
      and e.account_id in (public.get_system_account('accounts_receivable', e.community_id),
                           public.get_system_account('resident_advances', e.community_id))
),
balances as (
    select r.unit_id, sum(r.amount) as balance from receivable r group by r.unit_id
),
charges as (
    select t.unit_id, t.due_date,
           public.community_today(t.community_id) - t.due_date as days_overdue,
           coalesce((select sum(e.amount) from public.ledger_entries e
                     where e.transaction_id = t.id and e.amount > 0
                       and e.account_id = public.get_system_account('accounts_receivable', t.community_id)), 0)
           - coalesce((select sum(a.amount) from public.payment_allocations a
                       where a.charge_transaction_id = t.id and a.deleted_at is null), 0) as open_amount
    from public.transactions t
    where t.transaction_type in ('charge', 'interest', 'penalty')
      and t.unit_id is not null
      and not exists (select from public.transactions r where r.reverses_transaction_id = t.id)
)
select b.unit_id,
       b.balance::numeric(15,4) as balance,
       coalesce(sum(c.open_amount) filter (where c.days_overdue > 0), 0)::numeric(15,4) as overdue_amount,
       coalesce(sum(c.open_amount) filter (where c.days_overdue <= 30), 0)::numeric(15,4) as aging_0_30,
       coalesce(sum(c.open_amount) filter (where c.days_overdue between 31 and 60), 0)::numeric(15,4) as aging_31_60,
       coalesce(sum(c.open_amount) filter (where c.days_overdue between 61 and 90), 0)::numeric(15,4) as aging_61_90,
       coalesce(sum(c.open_amount) filter (where c.days_overdue > 90), 0)::numeric(15,4) as aging_90_plus,
       min(c.due_date) as oldest_due_date
from balances b
left join charges c on c.unit_id = b.unit_id and c.open_amount > 0
group by b.unit_id, b.balance
