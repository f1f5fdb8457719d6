"""The bundled spec compiles and applies to a real PostgreSQL with Supabase's roles."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.db.conftest import compile_with
from tests.support.pgcluster import FreshDb, MakeTemplate


def test_bundled_spec_applies_and_every_public_table_has_rls(fresh_db: FreshDb, bundled_template: str) -> None:
    conn: psycopg.Connection = fresh_db(bundled_template)
    tables = conn.execute(
        "select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind = 'r' order by 1"
    ).fetchall()
    assert {"organizations", "communities"} <= {name for name, _ in tables}
    assert [name for name, rls in tables if not rls] == []


def test_a_table_name_of_63_bytes_gets_distinct_derived_names(fresh_db: FreshDb, tmp_path: Path,
                                                               make_template: MakeTemplate) -> None:
    name = "a_table_name_that_is_exactly_sixty_three_bytes_long_abcdefghijk"
    assert len(name.encode()) == 63
    extra = tmp_path / "longnames.yaml"
    extra.write_text(
        "domain: longnames\ntitle: L\ndescription: Long names.\nphase: 60\ntables:\n"
        f"  {name}:\n    description: Long.\n    tenancy: community\n"
        "    columns: {code: {type: text, unique: true}, parent_id: {type: uuid, references: " + name + "}}\n"
    )
    conn = fresh_db(make_template("upoe_longnames", compile_with(tmp_path, extra)))
    policies = [row[0] for row in conn.execute("select policyname from pg_policies where tablename = %s", (name,))]
    assert len(policies) == len(set(policies)) == 3
    assert all(len(p.encode()) <= 63 for p in policies)
