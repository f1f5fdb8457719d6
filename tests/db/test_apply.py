"""The bundled spec compiles and applies to a real PostgreSQL with Supabase's roles."""

from __future__ import annotations

import psycopg

from tests.support.pgcluster import FreshDb


def test_bundled_spec_applies_and_every_public_table_has_rls(fresh_db: FreshDb, bundled_template: str) -> None:
    conn: psycopg.Connection = fresh_db(bundled_template)
    tables = conn.execute(
        "select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind = 'r' order by 1"
    ).fetchall()
    assert {"organizations", "communities"} <= {name for name, _ in tables}
    assert [name for name, rls in tables if not rls] == []
