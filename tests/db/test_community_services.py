"""Phase 5 — service arrivals at the gate (REQUIREMENTS.md COMM-09) on a real PostgreSQL, run as
Supabase runs API requests: guards and staff record them, every user of the community reads them,
residents write none, and nobody forges who reported an arrival or when residents were notified."""

from __future__ import annotations

import psycopg
import pytest

from tests.db.test_community import act_as, refused, visible
from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_user, one
from tests.support.world import World

ARRIVAL = "insert into service_arrivals (service_type, vendor_name) values (%s, 'Pipas del Valle') returning id"


@pytest.mark.requirement("COMM-09")
def test_guards_record_arrivals_and_residents_read_them(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["guard"].claims()) as cur:
        arrival = one(cur, ARRIVAL, "water_truck")
        assert cur.execute("select reported_by, notify_residents, notified_at from service_arrivals where id = %s",
                           (arrival,)).fetchone() == (world["guard"].id, True, None)
        assert "row-level security" in refused(act_as(cur, world, "R1"), "42501", ARRIVAL, "gas_delivery")
        assert visible(cur, world, "T1", "service_arrivals", arrival) == 1
        assert cur.execute("update service_arrivals set notes = 'Mía' where id = %s", (arrival,)).rowcount == 0
        act_as(cur, world, "guard").execute("update service_arrivals set departed_at = arrived_at + interval '20 min' "
                                            "where id = %s", (arrival,))


@pytest.mark.requirement("COMM-09")
def test_a_truck_departs_after_it_arrives(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["guard"].claims()) as cur:
        arrival = one(cur, ARRIVAL, "garbage_collection")
        refused(cur, "23514", "update service_arrivals set departed_at = arrived_at - interval '1 min' where id = %s",
                arrival)


@pytest.mark.requirement("COMM-09")
def test_nobody_forges_the_reporter_or_the_notification(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["guard"].claims()) as cur:
        refused(cur, "42501", "insert into service_arrivals (service_type, reported_by) values ('recycling', %s)",
                world["admin"].id)
        refused(cur, "42501", "insert into service_arrivals (service_type, notified_at) values ('recycling', now())")
        arrival = one(act_as(cur, world, "manager"), "insert into service_arrivals (service_type, reported_by) "
                                                     "values ('other', %s) returning id", world["guard"].id)
        refused(cur, "42501", "update service_arrivals set notified_at = now() where id = %s", arrival)


@pytest.mark.requirement("COMM-09")
def test_service_arrivals_are_isolated_between_communities(db: psycopg.Connection, world: World) -> None:
    assert_tenant_isolation(db, "service_arrivals", {"community_id": world.c2, "service_type": "water_truck"},
                            world["admin"])
