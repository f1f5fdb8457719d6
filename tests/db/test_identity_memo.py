"""Identity helpers that column defaults and row triggers call once per written row
(get_current_guard_id, get_current_resident_id) look the caller up once per statement
(keyed by private.memo_key()): never longer, never for another caller."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.support.pgcluster import FreshDb
from tests.support.world import World, seed_world


@pytest.fixture
def db(fresh_db: FreshDb, bundled_template: str) -> tuple[psycopg.Connection, World, str]:
    conn = fresh_db(bundled_template)
    world = seed_world(conn)
    guard = conn.execute("insert into public.guards (community_id, user_id, full_name) values (%s, %s, 'G') "
                         "returning id::text", (world.c1, world["guard"].id)).fetchone()[0]
    return conn, world, guard


def become(conn: psycopg.Connection, claims: dict[str, object]) -> None:
    conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                 (json.dumps(claims),))


def test_a_lookup_does_not_outlive_its_statement(db: tuple[psycopg.Connection, World, str]) -> None:
    conn, world, guard = db
    become(conn, world["guard"].claims())
    assert conn.execute("select public.get_current_guard_id()::text").fetchone()[0] == guard
    conn.execute("reset role")
    conn.execute("update public.guards set status = 'inactive' where id = %s", (guard,))
    become(conn, world["guard"].claims())
    # Same transaction, same claims, next statement: looked up again.
    assert conn.execute("select public.get_current_guard_id()").fetchone()[0] is None


def test_a_lookup_serves_only_the_claims_it_was_made_for(db: tuple[psycopg.Connection, World, str]) -> None:
    conn, world, guard = db
    become(conn, world["guard"].claims())
    # One statement, two callers in turn (the select list runs left to right).
    row = conn.execute(
        "select public.get_current_guard_id()::text, "
        "set_config('request.jwt.claims', %s, true), public.get_current_guard_id()::text, "
        "public.get_current_resident_id() is not null",
        (json.dumps(world["R1"].claims()),)).fetchone()
    assert (row[0], row[2], row[3]) == (guard, None, True)


def test_a_multi_row_insert_looks_the_guard_up_once(db: tuple[psycopg.Connection, World, str]) -> None:
    conn, world, guard = db
    point = conn.execute("insert into public.access_points (community_id, name, access_point_type) "
                         "values (%s, 'Gate', 'pedestrian_gate') returning id", (world.c1,)).fetchone()[0]
    become(conn, world["guard"].claims())
    conn.execute("insert into public.access_logs (access_point_id, direction, method, result, person_type) "
                 "select %s, 'entry', 'pin', 'granted', 'visitor' from generate_series(1, 100)", (point,))
    conn.execute("reset role")
    scans = conn.execute("select idx_scan + seq_scan from pg_stat_xact_user_tables "
                         "where relid = 'public.guards'::regclass").fetchone()[0]
    # Each row's foreign key reads guards once; 100 defaults and 100 trigger checks asking who
    # the guard is read it once more in all (200 more without the memo).
    assert 100 <= scans <= 105
    logged = conn.execute("select count(*) from public.access_logs where guard_id = %s", (guard,)).fetchone()[0]
    assert logged == 100
