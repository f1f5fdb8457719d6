-- Realistic volume for benchmarks/ledger_speed.py, written straight into the real spec tables.
-- psql variables: communities and units (per community). Run as the superuser with triggers off
-- (foreign keys and the balance check included), so every row is made consistent by
-- construction: per unit over 24 months, four monthly fee charges of 1,500 (months 6, 12, 18 and
-- 24) and one payment of 3,000 in month 13 settling the first two: 10 entries a unit, so 200
-- communities of 500 units hold 1,000,000 ledger entries. Ids are md5 of what they are.
set session_replication_role = replica;

insert into public.organizations (id, name) values (md5('org')::uuid, 'bench');
insert into public.communities (id, organization_id, name, slug)
select md5('c' || c)::uuid, md5('org')::uuid, 'Community ' || c, 'c' || c
from generate_series(1, :communities) c;
-- The insert trigger that seeds each chart of accounts is off: seed them here.
select count(private.seed_chart_of_accounts(md5('c' || c)::uuid)) from generate_series(1, :communities) c;

insert into auth.users (id, email)
select md5('accountant' || c)::uuid, 'accountant' || c || '@bench.test' from generate_series(1, :communities) c;

insert into public.units (id, community_id, unit_number, unit_type, coefficient)
select md5(c || '-' || u || '-unit')::uuid, md5('c' || c)::uuid, 'U' || u, 'departamento', 100.0 / :units
from generate_series(1, :communities) c, generate_series(1, :units) u;

create temporary table bench_accounts as
select c, md5('c' || c)::uuid as community,
       (select id from public.accounts a where a.community_id = md5('c' || c)::uuid and a.system_key = 'accounts_receivable') as receivable,
       (select id from public.accounts a where a.community_id = md5('c' || c)::uuid and a.system_key = 'ordinary_fee_income') as income,
       (select id from public.accounts a where a.community_id = md5('c' || c)::uuid and a.system_key = 'operating_bank') as bank
from generate_series(1, :communities) c;

-- Charges k = 1..4 (months 6, 12, 18, 24 of 2025-2026) and the payment (k = 5, month 13);
-- communities interleave, as they do when they all write at once.
insert into public.transactions (id, community_id, transaction_type, transaction_date, unit_id, fee_kind,
                                 description, due_date, payment_method)
select md5(b.c || '-' || u || '-' || k)::uuid, b.community,
       case when k = 5 then 'payment' else 'charge' end::public.transaction_type,
       date '2025-01-01' + ((case when k = 5 then 13 else k * 6 end) - 1) * interval '1 month',
       md5(b.c || '-' || u || '-unit')::uuid,
       case when k = 5 then null else 'ordinary' end::public.fee_kind,
       case when k = 5 then 'Payment' else 'Cuota' end,
       case when k = 5 then null
            else (date '2025-01-01' + (k * 6 - 1) * interval '1 month')::date + 9 end,
       case when k = 5 then 'spei' end::public.payment_method
from generate_series(1, :units) u, generate_series(1, 5) k, bench_accounts b
order by u, k, b.c;

insert into public.ledger_entries (community_id, transaction_id, account_id, unit_id, amount)
select b.community, md5(b.c || '-' || u || '-' || k)::uuid,
       case when k = 5 then (case side when 1 then b.bank else b.receivable end)
            else (case side when 1 then b.receivable else b.income end) end,
       md5(b.c || '-' || u || '-unit')::uuid,
       case when k = 5 then (case side when 1 then 3000 else -3000 end)
            else (case side when 1 then 1500 else -1500 end) end
from generate_series(1, :units) u, generate_series(1, 5) k, generate_series(1, 2) side, bench_accounts b
order by u, k, side, b.c;

insert into public.payment_allocations (community_id, payment_transaction_id, charge_transaction_id, unit_id, amount)
select b.community, md5(b.c || '-' || u || '-5')::uuid, md5(b.c || '-' || u || '-' || k)::uuid,
       md5(b.c || '-' || u || '-unit')::uuid, 1500
from generate_series(1, :units) u, generate_series(1, 2) k, bench_accounts b;

-- A monthly fee of community 1 for the period-run scenario, and the periods it runs for.
insert into public.fee_structures (id, community_id, name, calculation, fixed_amount, income_account_id, effective_from)
select md5('fee')::uuid, community, 'Cuota', 'fixed', 1500, income, date '2025-01-01' from bench_accounts where c = 1;
insert into public.fee_schedules (id, community_id, fee_structure_id, due_day)
select md5('schedule')::uuid, community, md5('fee')::uuid, 10 from bench_accounts where c = 1;
create sequence public.bench_period;
grant usage on sequence public.bench_period to authenticated;

set session_replication_role = origin;
analyze;
