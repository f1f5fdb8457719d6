select e.account_id,
       coalesce(sum(e.amount) filter (where e.amount > 0), 0)::numeric(15,4) as debit_total,
       coalesce(-sum(e.amount) filter (where e.amount < 0), 0)::numeric(15,4) as credit_total,
       coalesce(sum(e.amount), 0)::numeric(15,4) as balance
from public.ledger_entries e
group by e.account_id
