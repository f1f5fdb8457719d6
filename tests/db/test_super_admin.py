"""X-02: `super_admin` is the platform; it may make any community its active one and then has
`admin` rights there, exactly as that community's admin, and no more.

S's JWT carries `{"role": "super_admin", "community_id": …}` in app_metadata once it picks a
community; without one it reads the platform-level tables (communities, organizations) but has
no current community for tenant rows.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from tests.support.session import as_user, claims_for, expect_sqlstate, one
from tests.support.world import World


def ids(cur: psycopg.Cursor, sql: str, *params: object) -> set[object]:
    return {row[0] for row in cur.execute(sql, params)}


def super_admin_in(world: World, community: uuid.UUID | None) -> dict[str, Any]:
    return claims_for(world["S"].id, community, "super_admin")


def admin_of(world: World, community: str) -> dict[str, Any]:
    return world["admin"].claims() if community == "c1" else world["A2"].claims()


def blacklist(db: psycopg.Connection, community: uuid.UUID, name: str) -> uuid.UUID:
    return one(db, "insert into blacklist_entries (community_id, person_name, reason) "
                   "values (%s, %s, 'Trespassing') returning id", community, name)


@pytest.fixture
def entries(db: psycopg.Connection, world: World) -> dict[str, uuid.UUID]:
    return {"c1": blacklist(db, world.c1, "In C1"), "c2": blacklist(db, world.c2, "In C2")}


@pytest.mark.parametrize("community", ["c1", "c2"])
def test_with_a_community_active_the_super_admin_acts_as_its_admin(
    db: psycopg.Connection, world: World, entries: dict[str, uuid.UUID], community: str
) -> None:
    active: uuid.UUID = getattr(world, community)
    other = world.c2 if community == "c1" else world.c1
    for claims in (admin_of(world, community), super_admin_in(world, active)):
        with as_user(db, claims) as cur:
            point, point_community = cur.execute(
                "insert into access_points (name, access_point_type) values ('Main gate', 'pedestrian_gate') "
                "returning id, community_id").fetchone()
            assert point_community == active
            unit_community = one(cur, "insert into units (unit_number, unit_type, coefficient) "
                                      "values ('S-1', 'local', 1) returning community_id")
            assert unit_community == active
            assert cur.execute("update access_points set status = 'inactive' where id = %s", (point,)).rowcount == 1
            # The admin's reads: the blacklist of the active community, and only of it.
            assert ids(cur, "select id from blacklist_entries") == {entries[community]}
            assert one(cur, "select count(*) from units where community_id = %s", other) == 0
            # … and the admin's limits: nothing is written into another community.
            with expect_sqlstate(cur, "42501"):
                cur.execute("insert into access_points (community_id, name, access_point_type) "
                            "values (%s, 'Elsewhere', 'door')", (other,))
            assert cur.execute("update blacklist_entries set reason = 'x' where id = %s",
                               (entries["c2" if community == "c1" else "c1"],)).rowcount == 0


@pytest.mark.parametrize("community", ["c1", "c2"])
def test_with_a_community_active_the_super_admin_restores_its_rows(
    db: psycopg.Connection, world: World, entries: dict[str, uuid.UUID], community: str
) -> None:
    active: uuid.UUID = getattr(world, community)
    entry = entries[community]
    for claims in (admin_of(world, community), super_admin_in(world, active)):
        with as_user(db, claims) as cur:
            cur.execute("select soft_delete_record('public.blacklist_entries', %s)", (entry,))
            assert ids(cur, "select id from blacklist_entries") == set()
            cur.execute("select restore_record('public.blacklist_entries', %s)", (entry,))
            assert ids(cur, "select id from blacklist_entries") == {entry}


def test_without_a_community_the_super_admin_reads_the_platform_but_writes_no_tenant_row(
    db: psycopg.Connection, world: World, entries: dict[str, uuid.UUID]
) -> None:
    with as_user(db, super_admin_in(world, None)) as cur:
        assert ids(cur, "select id from communities") == {world.c1, world.c2}
        assert ids(cur, "select id from organizations") == {world.o1, world.o2}
        # Tenant rows follow the current community, and there is none.
        assert ids(cur, "select id from blacklist_entries") == set()
        assert one(cur, "select count(*) from units") == 0
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into access_points (name, access_point_type) values ('Nowhere', 'door')")
        for community in (world.c1, world.c2):
            with expect_sqlstate(cur, "42501"):
                cur.execute("insert into units (community_id, unit_number, unit_type, coefficient) "
                            "values (%s, 'S-2', 'local', 1)", (community,))


def test_a_super_admin_claim_in_user_metadata_grants_nothing(db: psycopg.Connection, world: World) -> None:
    user = world["R1"]
    claims = claims_for(user.id, world.c1, "resident", user_metadata={"role": "super_admin"})
    with as_user(db, claims) as cur:
        assert ids(cur, "select id from communities") == {world.c1}
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into access_points (name, access_point_type) values ('Mine', 'door')")
