"""The one macro every generated trigger renders through: what a security-definer after trigger
(counters) and a deferred constraint trigger (rules over a whole transaction, such as balanced
ledger entries) need, proven on a real database."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import pytest

from tests.support.pgcluster import FreshDb
from upoe_compiler import ir
from upoe_compiler.render import make_environment

BODY = """{% from "sql/_trigger_function.sql.j2" import trigger_function %}
{% call trigger_function(obj, "Entries of a transaction sum to zero.") %}
    if (select coalesce(sum(e.amount), 0) from public.entries e where e.tx = new.tx) <> 0 then
        raise exception using errcode = 'P0001', message = 'unbalanced_transaction';
    end if;
{% endcall %}
"""


@dataclass(frozen=True)
class BalanceCheck(ir.GeneratedTrigger):
    """A test's own generated trigger: entries sharing `tx` must balance at commit."""


def render(obj: ir.GeneratedTrigger) -> str:
    return make_environment().from_string(BODY).render(obj=obj)


def test_a_deferred_constraint_trigger_checks_at_commit(fresh_db: FreshDb) -> None:
    check = BalanceCheck("balance:entries", "test", (), None, schema="public", table="entries",
                         function_name="entries_balanced", trigger_name="check_balanced", timing="after",
                         events=("insert", "update"), deferred=True)
    sql = render(check)
    assert "create constraint trigger check_balanced" in sql and "deferrable initially deferred" in sql
    assert "return null;" in sql
    conn = fresh_db()
    conn.execute("create table public.entries (tx int not null, amount numeric not null)")
    conn.execute(sql)
    conn.commit()
    # Rows of one transaction may be unbalanced until it commits.
    conn.execute("insert into public.entries values (1, 100)")
    conn.execute("insert into public.entries values (1, -100)")
    conn.commit()
    conn.execute("insert into public.entries values (2, 100)")
    with pytest.raises(psycopg.errors.RaiseException, match="unbalanced_transaction"):
        conn.commit()
    conn.rollback()
    assert conn.execute("select count(*) from public.entries").fetchone() == (2,)


def test_a_deferred_trigger_must_be_an_after_row_trigger() -> None:
    with pytest.raises(ValueError, match="after, for each row"):
        BalanceCheck("balance:entries", "test", (), None, schema="public", table="entries",
                     function_name="entries_balanced", trigger_name="check_balanced", deferred=True)


def test_a_definer_trigger_runs_as_its_owner(fresh_db: FreshDb) -> None:
    check = BalanceCheck("balance:entries", "test", (), None, schema="public", table="entries",
                         function_name="entries_balanced", trigger_name="check_balanced", timing="after",
                         security="definer")
    sql = render(check)
    assert "security definer" in sql and "deferrable" not in sql
    conn = fresh_db()
    conn.execute("create table public.entries (tx int not null, amount numeric not null)")
    conn.execute(sql)
    owner = conn.execute("select p.prosecdef from pg_proc p where p.proname = 'entries_balanced'").fetchone()
    assert owner == (True,)
