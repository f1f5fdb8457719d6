with system as (
    select s.community_id, s.system_key, s.account_id
    from public.system_accounts(array['accounts_receivable', 'resident_advances']) s
),
balances as (
    select e.unit_id, sum(e.amount) as balance
    from public.ledger_entries e
    join system s on s.community_id = e.community_id and s.account_id = e.account_id
    where e.unit_id is not null
    group by e.unit_id
),
charges as (
    select t.unit_id, t.due_date,
           (pg_catalog.now() at time zone c.timezone)::date - t.due_date as days_overdue,
           coalesce((select sum(e.amount) from public.ledger_entries e
                     join system s on s.community_id = e.community_id and s.account_id = e.account_id
                                  and s.system_key = 'accounts_receivable'
                     where e.community_id = t.community_id and e.transaction_id = t.id and e.amount > 0), 0)
           - coalesce((select sum(a.amount) from public.payment_allocations a
                       where a.community_id = t.community_id and a.charge_transaction_id = t.id
                         and a.deleted_at is null), 0) as open_amount
    from public.transactions t
    join public.communities c on c.id = t.community_id
    where t.transaction_type in ('charge', 'interest', 'penalty')
      and t.unit_id is not null
      and not exists (select from public.transactions r
                      where r.community_id = t.community_id and r.reverses_transaction_id = t.id
                        and r.deleted_at is null)
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
