"""A function's `native:` body: the migration keeps the portable body on servers older than the
given version and swaps in the built-in one from it on, keeping name, grants and comment."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from tests.support.pgcluster import FreshDb

BODY = "select prosrc from pg_proc where oid = 'public.generate_uuid_v7()'::regprocedure"
UUID_V7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def native_block(widgets_build: Path) -> str:
    foundation = (widgets_build / "supabase" / "migrations" / "0001_foundation.sql").read_text()
    match = re.search(r"^do \$native\$\n.*?^\$native\$;\n", foundation, flags=re.MULTILINE | re.DOTALL)
    assert match, "generate_uuid_v7 declares a native body"
    assert "create or replace function public.generate_uuid_v7()" in match.group(0)
    return match.group(0)


def test_the_portable_body_stays_below_the_version(fresh_db: FreshDb, widgets_template: str) -> None:
    conn = fresh_db(widgets_template)
    version = int(conn.execute("select current_setting('server_version_num')").fetchone()[0])
    body = conn.execute(BODY).fetchone()[0]
    if version < 180000:
        assert "uuidv7" not in body and "overlay" in body
    ids = [row[0] for row in conn.execute("select public.generate_uuid_v7()::text from generate_series(1, 50)")]
    assert all(UUID_V7.match(i) for i in ids) and ids == sorted(ids)


def test_from_the_version_on_the_body_is_swapped_and_grants_and_comment_stay(
        fresh_db: FreshDb, widgets_template: str, widgets_build: Path) -> None:
    conn = fresh_db(widgets_template)
    comment = conn.execute("select obj_description('public.generate_uuid_v7()'::regprocedure)").fetchone()[0]
    version = conn.execute("select current_setting('server_version_num')").fetchone()[0]
    # Replay the migration's block as if this server were the version it waits for.
    conn.execute(re.sub(r">= \d+ then", f">= {version} then", native_block(widgets_build)))
    body = conn.execute(BODY).fetchone()[0]
    assert "pg_catalog.uuidv7()" in body
    kept = conn.execute("select has_function_privilege('authenticated', 'public.generate_uuid_v7()', 'execute'), "
                        "has_function_privilege('anon', 'public.generate_uuid_v7()', 'execute'), "
                        "obj_description('public.generate_uuid_v7()'::regprocedure)").fetchone()
    assert kept == (True, False, comment)
    if int(version) < 180000:
        # PostgreSQL 15 has no uuidv7(): the swapped body is what a version-18 server runs.
        try:
            conn.execute("select public.generate_uuid_v7()")
        except psycopg.errors.UndefinedFunction:
            conn.rollback()
        else:
            raise AssertionError("the native body ran on a server without uuidv7()")
