"""Phase 4 under concurrency, with two connections committing at once as PostgREST would: two
payments of one unit never allocate the same open amount twice, and two runs of one period's
charges create each charge once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.support.pgcluster import PgCluster
from tests.support.session import as_user_committed, one
from tests.support.world import World, committed_world


@pytest.fixture
def books(pg_cluster: PgCluster, bundled_template: str) -> Iterator[tuple[str, World]]:
    """A database of its own (these tests commit), the world seeded and committed."""
    with committed_world(pg_cluster, bundled_template, "finance_concurrency") as database:
        yield database


def at_once(dsn: str, claims: dict[str, Any], *calls: Callable[[psycopg.Cursor], Any]) -> list[Any]:
    """Run each call in its own connection and transaction, released together; their results."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[psycopg.Cursor], Any]) -> None:
        try:
            with psycopg.connect(dsn) as conn, as_user_committed(conn, claims) as cur:
                barrier.wait(timeout=10)
                results[index] = call(cur)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.requirement("FIN-04")
def test_two_payments_at_once_never_allocate_a_charge_twice(books: tuple[str, World]) -> None:
    dsn, world = books
    with psycopg.connect(dsn) as conn:
        income = one(conn, "select public.get_system_account('ordinary_fee_income', %s)", world.c1)
        charge = one(conn, "select public.record_charge(%s, 1500, current_date, 'Cuota', %s)", world.u1, income)
        conn.commit()

    def pay(cur: psycopg.Cursor) -> Any:
        return one(cur, "select public.record_payment(%s, 1000, 'spei', null, null, now())", world.u1)

    at_once(dsn, world["accountant"].claims(), pay, pay)
    with psycopg.connect(dsn) as conn:
        assert one(conn, "select sum(amount) from payment_allocations where charge_transaction_id = %s "
                         "and deleted_at is null", charge) == 1500
        assert one(conn, "select balance from unit_balances where unit_id = %s", world.u1) == Decimal(-500)
        assert one(conn, "select count(*) from (select transaction_id from ledger_entries group by 1 "
                         "having sum(amount) <> 0) t") == 0


@pytest.mark.requirement("FIN-01")
def test_two_runs_of_a_period_at_once_charge_each_unit_once(books: tuple[str, World]) -> None:
    dsn, world = books
    with psycopg.connect(dsn) as conn:
        income = one(conn, "select public.get_system_account('ordinary_fee_income', %s)", world.c1)
        structure = one(conn, "insert into fee_structures (community_id, name, calculation, fixed_amount, "
                              "income_account_id, effective_from) values (%s, 'Cuota', 'fixed', 1500, %s, "
                              "'2026-01-01') returning id", world.c1, income)
        schedule = one(conn, "insert into fee_schedules (community_id, fee_structure_id) values (%s, %s) "
                             "returning id", world.c1, structure)
        conn.commit()

    def run(cur: psycopg.Cursor) -> Any:
        return one(cur, "select public.generate_period_charges(%s, '2026-05-01')", schedule)

    created = at_once(dsn, world["accountant"].claims(), run, run)
    assert sorted(created) == [0, 2]
    with psycopg.connect(dsn) as conn:
        assert one(conn, "select count(*) from transactions where transaction_type = 'charge' "
                         "and community_id = %s", world.c1) == 2
