"""A property test of the ledger (Phase 4) on the real database: random sequences of charges,
payments, adjustments, reversals, interest runs and proof approvals, as the accountant through
the recording functions. After every step: each transaction sums to zero (the deferred check
fires), unit_balances.balance equals the signed sum of the unit's receivable and advance entries,
allocations never exceed their charge or their payment, and no row of the ledger ever changed."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings

from tests.support.world import World

amounts = st.integers(min_value=1, max_value=500_000).map(lambda cents: Decimal(cents) / 100)
steps = st.lists(st.one_of(
    st.tuples(st.just("charge"), st.sampled_from(["U1", "U2"]), amounts, st.integers(0, 120)),
    st.tuples(st.just("payment"), st.sampled_from(["U1", "U2"]), amounts),
    st.tuples(st.just("adjustment"), st.sampled_from(["U1", "U2"]), amounts, st.booleans()),
    st.tuples(st.just("reversal"), st.integers(0, 50)),
    st.tuples(st.just("interest"), st.integers(0, 200)),
    st.tuples(st.just("proof"), st.sampled_from(["U1", "U2"]), amounts),
), min_size=1, max_size=12)

LEDGER = ("select t.id, t.transaction_type::text, t.unit_id, t.reverses_transaction_id, e.id, e.account_id, e.amount "
          "from transactions t left join ledger_entries e on e.transaction_id = t.id order by t.id, e.id")
UNBALANCED = "select count(*) from (select transaction_id from ledger_entries group by 1 having sum(amount) <> 0) t"
BALANCES_DIFFER = """
select count(*) from units u
left join unit_balances b on b.unit_id = u.id
cross join lateral (
    select coalesce(sum(e.amount), 0) as signed from ledger_entries e
    where e.unit_id = u.id and e.account_id in (public.get_system_account('accounts_receivable', u.community_id),
                                                 public.get_system_account('resident_advances', u.community_id))
) s
where u.community_id = %s and coalesce(b.balance, 0) <> s.signed
"""
OVER_ALLOCATED = """
select (select count(*) from (
           select a.charge_transaction_id from payment_allocations a where a.deleted_at is null
           group by 1 having sum(a.amount) > private.payment_amount(a.charge_transaction_id)) c)
     + (select count(*) from (
           select a.payment_transaction_id from payment_allocations a where a.deleted_at is null
           group by 1 having sum(a.amount) > private.payment_amount(a.payment_transaction_id)) p)
"""


def act(cur: psycopg.Cursor, world: World, step: tuple[Any, ...], income: object) -> None:
    kind, *args = step
    units = world.unit_ids
    if kind == "charge":
        cur.execute("select public.record_charge(%s, %s, public.community_today() - %s, 'Cuota', %s, 'charge', "
                    "'ordinary')", (units[args[0]], args[1], args[2], income))
    elif kind == "payment":
        cur.execute("select public.record_payment(%s, %s, 'spei', null, null, now())", (units[args[0]], args[1]))
    elif kind == "adjustment":
        sign = 1 if args[2] else -1
        cur.execute("select public.record_adjustment(%s, %s, 'fix')", (units[args[0]], args[1] * sign))
    elif kind == "reversal":
        candidates = [row[0] for row in cur.execute(
            "select t.id from transactions t where t.transaction_type <> 'reversal' and not exists "
            "(select from transactions r where r.reverses_transaction_id = t.id) order by t.id")]
        if candidates:
            cur.execute("select public.reverse_transaction(%s, 'test')", (candidates[args[0] % len(candidates)],))
    elif kind == "interest":
        cur.execute("select public.apply_late_interest(public.get_current_community_id(), "
                    "public.community_today() + %s)", (args[0],))
    else:
        # A resident's proof (written here as the platform), which the accountant approves.
        cur.execute("reset role")
        proof = cur.execute("insert into payment_proofs (community_id, unit_id, amount, paid_at) "
                            "values (%s, %s, %s, now()) returning id",
                            (world.c1, units[args[0]], args[1])).fetchone()[0]
        cur.execute("set local role authenticated")
        cur.execute("select public.approve_payment_proof(%s)", (proof,))


@pytest.mark.requirement("FIN-03", "FIN-04")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_the_ledger_keeps_its_invariants(db: psycopg.Connection, world: World, sequence: list[tuple[Any, ...]]
                                         ) -> None:
    accountant = world["accountant"]
    db.execute("savepoint example")
    try:
        income = db.execute("select public.get_system_account('ordinary_fee_income', %s)", (world.c1,)).fetchone()[0]
        db.execute("insert into interest_rules (community_id, rule_type, rate, grace_days, effective_from) "
                   "values (%s, 'simple_monthly', 2, 5, '2020-01-01')", (world.c1,))
        with db.cursor() as cur:
            cur.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(accountant.claims()),))
            cur.execute("set local role authenticated")
            for step in sequence:
                before = cur.execute(LEDGER).fetchall()
                act(cur, world, step, income)
                cur.execute("set constraints all immediate")
                cur.execute("set constraints all deferred")
                after = cur.execute(LEDGER).fetchall()
                assert set(before) <= set(after), f"a ledger row changed after {step}"
                assert cur.execute(UNBALANCED).fetchone()[0] == 0, step
                cur.execute("reset role")
                assert cur.execute(BALANCES_DIFFER, (world.c1,)).fetchone()[0] == 0, step
                assert cur.execute(OVER_ALLOCATED).fetchone()[0] == 0, step
                cur.execute("set local role authenticated")
    finally:
        db.execute("rollback to savepoint example")
        db.execute("release savepoint example")
