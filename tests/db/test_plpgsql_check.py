"""plpgsql_check over every PL/pgSQL function the build creates: zero errors.

Trigger functions are checked against each table whose trigger calls them, so that
`new.<column>` is resolved against a real row type.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support.pgcluster import FreshDb


@pytest.fixture
def checked_db(widgets_template: str, fresh_db: FreshDb) -> psycopg.Connection:
    conn = fresh_db(widgets_template)
    conn.execute("create extension if not exists plpgsql_check with schema extensions")
    return conn


def targets(conn: psycopg.Connection) -> list[tuple[str, int, int]]:
    """(name, function oid, relation oid or 0) for every function written in PL/pgSQL."""
    return conn.execute(
        """
        select p.oid::regprocedure::text, p.oid::int, coalesce(t.tgrelid, 0)::int
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        join pg_language l on l.oid = p.prolang
        left join pg_trigger t on t.tgfoid = p.oid and not t.tgisinternal
        where l.lanname = 'plpgsql' and n.nspname in ('public', 'private')
          and (p.prorettype <> 'trigger'::regtype or t.tgrelid is not null)
        order by 1, 3
        """
    ).fetchall()


def test_every_plpgsql_function_passes_plpgsql_check(checked_db: psycopg.Connection) -> None:
    found = targets(checked_db)
    assert len(found) >= 10
    errors = []
    for name, function, relation in found:
        rows = checked_db.execute(
            "select level, message, lineno from extensions.plpgsql_check_function_tb(%s::regprocedure, %s::regclass,"
            " fatal_errors => false, extra_warnings => false)",
            (function, relation),
        ).fetchall()
        errors += [f"{name} (rel {relation}) line {line}: {message}" for level, message, line in rows
                   if level == "error"]
    assert errors == []


def test_the_check_catches_a_broken_body(checked_db: psycopg.Connection) -> None:
    checked_db.execute(
        "create function private.broken() returns int language plpgsql set search_path = '' as "
        "$$ begin return (select count(*) from public.no_such_table); end $$"
    )
    names = [name for name, _, _ in targets(checked_db)]
    assert "private.broken()" in names
    rows = checked_db.execute(
        "select level from extensions.plpgsql_check_function_tb('private.broken()'::regprocedure)").fetchall()
    assert ("error",) in rows
