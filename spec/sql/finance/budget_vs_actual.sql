select b.id as budget_id,
       planned.account_id,
       planned.budgeted::numeric(15,4) as budgeted,
       coalesce(moved.actual, 0)::numeric(15,4) as actual,
       (planned.budgeted - coalesce(moved.actual, 0))::numeric(15,4) as variance
from public.budgets b
join (
    select l.budget_id, l.account_id, sum(l.amount) as budgeted
    from public.budget_lines l
    where l.deleted_at is null
    group by l.budget_id, l.account_id
) as planned on planned.budget_id = b.id
left join lateral (
    select sum(e.amount) as actual
    from public.ledger_entries e
    join public.transactions t on t.id = e.transaction_id
    where e.account_id = planned.account_id
      and t.transaction_date >= pg_catalog.make_date(b.fiscal_year, 1, 1)
      and t.transaction_date < pg_catalog.make_date(b.fiscal_year + 1, 1, 1)
) as moved on true
where b.deleted_at is null
