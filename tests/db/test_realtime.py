"""`realtime: true`: the table joins Supabase's publication where it exists, and a database
without it (plain PostgreSQL) applies the same migrations."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.support.pgcluster import FreshDb

PUBLISHED = "select tablename from pg_publication_tables where pubname = 'supabase_realtime' order by 1"


def test_a_realtime_table_joins_the_publication_and_no_other_does(fresh_db: FreshDb, widgets_template: str) -> None:
    conn = fresh_db(widgets_template)
    assert [row[0] for row in conn.execute(PUBLISHED)] == ["widget_events"]


def test_the_migrations_apply_without_the_publication_and_again_with_it(fresh_db: FreshDb,
                                                                         widgets_build: Path) -> None:
    conn = fresh_db()
    conn.autocommit = True
    conn.execute("drop publication supabase_realtime")
    migrations = sorted((widgets_build / "supabase" / "migrations").glob("*.sql"))
    for migration in migrations:
        conn.execute(migration.read_text(encoding="utf-8"))
    assert conn.execute("select count(*) from pg_publication").fetchone() == (0,)
    # Supabase adds the publication later (or a project enables Realtime): re-running the
    # generated block joins the table once, and again changes nothing.
    conn.execute("create publication supabase_realtime")
    block = next(text for migration in migrations
                 for text in migration.read_text(encoding="utf-8").split("\n\n") if "do $realtime$" in text)
    conn.execute(block)
    conn.execute(block)
    assert [row[0] for row in conn.execute(PUBLISHED)] == ["widget_events"]


def test_only_the_owner_adds_tables_to_the_publication(fresh_db: FreshDb, widgets_template: str) -> None:
    conn = fresh_db(widgets_template)
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute("alter publication supabase_realtime add table public.widgets")
