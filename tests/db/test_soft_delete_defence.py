"""Defence in depth for soft delete (FOUND-06, X-10).

`private.soft_delete_record` and `private.restore_record` are security-definer bodies that
`authenticated` may execute. They no longer trust their public invoker wrapper: called
directly, they re-check with `private.caller_passes_policies` that the caller could select and
update the row under the table's RLS (restore: as the row would be once restored), unless the
caller is the platform (service_role, super_admin, jobs without a JWT).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.session import as_service, as_user, claims_for, expect_sqlstate, one
from tests.support.world import World

PRIVATE_DELETE = "select private.soft_delete_record(%s, %s)"
PRIVATE_RESTORE = "select private.restore_record(%s, %s)"


def deleted(db: psycopg.Connection, table: str, row: uuid.UUID) -> bool:
    return bool(one(db, f"select deleted_at is not null from {table} where id = %s", row))


def vehicle(db: psycopg.Connection, community: uuid.UUID, unit: uuid.UUID, plate: str) -> uuid.UUID:
    return one(db, "insert into vehicles (community_id, unit_id, plate) values (%s, %s, %s) returning id",
               community, unit, plate)


def blacklisted(db: psycopg.Connection, community: uuid.UUID) -> uuid.UUID:
    return one(db, "insert into blacklist_entries (community_id, person_name, reason) "
                   "values (%s, 'Sample Person', 'Trespassing') returning id", community)


# -- soft_delete_record, its private body called directly ----------------------------------------


@pytest.mark.requirement("FOUND-06")
@pytest.mark.parametrize("user", ["R1", "T1", "guard", "accountant", "board_member"])
def test_a_user_who_may_not_update_the_row_cannot_call_the_private_body(
    db: psycopg.Connection, world: World, user: str
) -> None:
    # Every C1 user reads U1, so the community check alone (assert_tenant_row) would let this through.
    with as_user(db, world[user].claims()) as cur:
        assert one(cur, "select count(*) from units where id = %s", world.u1) == 1
        with expect_sqlstate(cur, "42501") as failure:
            cur.execute(PRIVATE_DELETE, ("public.units", world.u1))
        assert str(failure.error).startswith("not_authorized:")
    assert not deleted(db, "units", world.u1)


@pytest.mark.requirement("FOUND-06")
@pytest.mark.parametrize("user", ["admin", "manager"])
def test_staff_who_may_update_the_row_soft_delete_it_directly(db: psycopg.Connection, world: World,
                                                              user: str) -> None:
    with as_user(db, world[user].claims()) as cur:
        cur.execute(PRIVATE_DELETE, ("public.units", world.u2))
        assert one(cur, "select count(*) from units where id = %s", world.u2) == 0
    # as_user rolled the request back.
    assert not deleted(db, "units", world.u2)


@pytest.mark.requirement("FOUND-06")
def test_the_select_policy_counts_too(db: psycopg.Connection, world: World) -> None:
    # The guard reads blacklist entries but may not update them; the accountant does neither.
    entry = blacklisted(db, world.c1)
    for user in ("guard", "accountant", "R1"):
        with as_user(db, world[user].claims()) as cur, expect_sqlstate(cur, "42501"):
            cur.execute(PRIVATE_DELETE, ("public.blacklist_entries", entry))
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute(PRIVATE_DELETE, ("public.blacklist_entries", entry))
        assert one(cur, "select count(*) from blacklist_entries where id = %s", entry) == 0


@pytest.mark.requirement("FOUND-06")
def test_a_resident_soft_deletes_only_what_their_rules_allow(db: psycopg.Connection, world: World) -> None:
    mine = vehicle(db, world.c1, world.u1, "AAA111")
    theirs = vehicle(db, world.c1, world.u2, "BBB222")
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute(PRIVATE_DELETE, ("public.vehicles", theirs))
        cur.execute(PRIVATE_DELETE, ("public.vehicles", mine))
        assert one(cur, "select count(*) from vehicles where id = %s", mine) == 0
    with as_user(db, world["R2"].claims()) as cur:
        cur.execute(PRIVATE_DELETE, ("public.vehicles", theirs))


@pytest.mark.requirement("FOUND-06")
def test_a_deleted_or_missing_row_is_refused(db: psycopg.Connection, world: World) -> None:
    gone = vehicle(db, world.c1, world.u1, "CCC333")
    db.execute("update vehicles set deleted_at = now() where id = %s", (gone,))
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute(PRIVATE_DELETE, ("public.vehicles", gone))
        with expect_sqlstate(cur, "42501"):
            cur.execute(PRIVATE_DELETE, ("public.vehicles", uuid.uuid4()))


@pytest.mark.requirement("FOUND-06")
def test_another_communitys_row_is_still_refused(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute(PRIVATE_DELETE, ("public.units", world.u3))
    assert not deleted(db, "units", world.u3)


@pytest.mark.requirement("FOUND-06")
def test_the_platform_calls_the_private_body_for_any_community(db: psycopg.Connection, world: World) -> None:
    with as_service(db) as cur:
        cur.execute(PRIVATE_DELETE, ("public.units", world.u3))
        cur.execute(PRIVATE_DELETE, ("public.units", world.u1))
        assert one(cur, "select count(*) from units where deleted_at is not null") == 2
    with as_user(db, world["S"].claims()) as cur:
        cur.execute(PRIVATE_DELETE, ("public.units", world.u3))
    with as_user(db, claims_for(world["S"].id, world.c1, "super_admin")) as cur:
        cur.execute(PRIVATE_DELETE, ("public.units", world.u1))
    # A job: no JWT, as postgres.
    db.execute(PRIVATE_DELETE, ("public.units", world.u3))
    assert deleted(db, "units", world.u3)


@pytest.mark.requirement("FOUND-06")
def test_the_public_wrapper_behaves_as_before(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select soft_delete_record('public.units', %s)", (world.u1,))
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("select soft_delete_record('public.units', %s)", (world.u1,))
        assert one(cur, "select count(*) from units where id = %s", world.u1) == 0
    with as_service(db) as cur:
        cur.execute("select soft_delete_record('public.units', %s)", (world.u3,))
        assert one(cur, "select deleted_at is not null from units where id = %s", world.u3)


# -- restore_record, its private body called directly ----------------------------------------------


@pytest.mark.requirement("FOUND-06")
@pytest.mark.parametrize("user", ["R1", "manager", "guard"])
def test_only_an_admin_restores_even_directly(db: psycopg.Connection, world: World, user: str) -> None:
    db.execute("update units set deleted_at = now() where id = %s", (world.u2,))
    with as_user(db, world[user].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute(PRIVATE_RESTORE, ("public.units", world.u2))
    with as_user(db, world["A2"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute(PRIVATE_RESTORE, ("public.units", world.u2))
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute(PRIVATE_RESTORE, ("public.units", world.u2))
        assert one(cur, "select count(*) from units where id = %s", world.u2) == 1
    with as_service(db) as cur:
        cur.execute(PRIVATE_RESTORE, ("public.units", world.u2))
        assert one(cur, "select deleted_at from units where id = %s", world.u2) is None


# -- caller_passes_policies on a hand-made table ---------------------------------------------------


@pytest.fixture
def gizmos(db: psycopg.Connection, world: World) -> Iterator[dict[str, uuid.UUID]]:
    """public.gizmos: select for members, update for managers only, one restrictive policy."""
    db.execute("create table public.gizmos (id uuid primary key default generate_uuid_v7(), "
               "community_id uuid not null references communities (id), code text not null, "
               "locked boolean not null default false, deleted_at timestamptz)")
    db.execute("alter table public.gizmos enable row level security")
    db.execute("grant select, update on public.gizmos to authenticated")
    db.execute("create policy gizmos_select on public.gizmos for select to authenticated "
               "using (community_id = (select get_current_community_id()) and deleted_at is null)")
    db.execute("create policy gizmos_update on public.gizmos for update to authenticated "
               "using (community_id = (select get_current_community_id()) "
               "and (select has_any_role(array['manager'])) and deleted_at is null)")
    db.execute("create policy gizmos_unlocked on public.gizmos as restrictive for update to authenticated "
               "using (not locked)")
    rows = {code: one(db, "insert into gizmos (community_id, code, locked) values (%s, %s, %s) returning id",
                      world.c1, code, code == "locked")
            for code in ("open", "locked")}
    yield rows


def passes(db: psycopg.Connection, claims: dict[str, object], row: uuid.UUID, command: str,
           restored: bool = False) -> bool:
    """The helper as a definer body runs it: as its owner, with the caller's JWT in the GUC."""
    db.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims, default=str),))
    try:
        return bool(one(db, "select private.caller_passes_policies('public.gizmos', %s, %s, %s)",
                        row, command, restored))
    finally:
        db.execute("select set_config('request.jwt.claims', '', true)")


def test_permissive_policies_admit_and_restrictive_ones_narrow(db: psycopg.Connection, world: World,
                                                               gizmos: dict[str, uuid.UUID]) -> None:
    manager, admin, a2 = (world[name].claims() for name in ("manager", "admin", "A2"))
    assert passes(db, manager, gizmos["open"], "select")
    assert passes(db, manager, gizmos["open"], "update")
    assert not passes(db, manager, gizmos["locked"], "update"), "the restrictive policy is AND'd"
    assert passes(db, admin, gizmos["open"], "select")
    assert not passes(db, admin, gizmos["open"], "update"), "only managers match the update policy"
    assert not passes(db, a2, gizmos["open"], "select")
    assert not passes(db, manager, uuid.uuid4(), "select")
    # No delete policy (and no delete privilege) means no.
    assert not passes(db, manager, gizmos["open"], "delete")


def test_a_soft_deleted_row_is_judged_as_restored_only_when_asked(db: psycopg.Connection, world: World,
                                                                   gizmos: dict[str, uuid.UUID]) -> None:
    db.execute("update gizmos set deleted_at = now() where id = %s", (gizmos["open"],))
    manager = world["manager"].claims()
    assert not passes(db, manager, gizmos["open"], "update")
    assert passes(db, manager, gizmos["open"], "update", restored=True)
    assert passes(db, manager, gizmos["open"], "select", restored=True)


def test_no_rls_no_policy_or_no_privilege_means_no(db: psycopg.Connection, world: World,
                                                  gizmos: dict[str, uuid.UUID]) -> None:
    manager = world["manager"].claims()
    db.execute("revoke update on public.gizmos from authenticated")
    assert not passes(db, manager, gizmos["open"], "update")
    db.execute("grant update on public.gizmos to authenticated")
    db.execute("drop policy gizmos_update on public.gizmos")
    assert not passes(db, manager, gizmos["open"], "update"), "a restrictive policy alone admits nothing"
    db.execute("alter table public.gizmos disable row level security")
    assert not passes(db, manager, gizmos["open"], "select")
    with expect_sqlstate(db, "22023"):
        db.execute("select private.caller_passes_policies('public.gizmos', %s, 'insert')", (gizmos["open"],))


def test_an_admin_restores_only_a_row_they_could_update_once_restored(
    db: psycopg.Connection, world: World, gizmos: dict[str, uuid.UUID]
) -> None:
    db.execute("update gizmos set deleted_at = now()")
    # The admin may not update gizmos (managers only), so the admin may not restore them either.
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select restore_record('public.gizmos', %s)", (gizmos["open"],))
    with as_service(db) as cur:
        cur.execute("select restore_record('public.gizmos', %s)", (gizmos["locked"],))
        assert one(cur, "select deleted_at from gizmos where id = %s", gizmos["locked"]) is None


def test_the_helper_is_for_definer_bodies_only(db: psycopg.Connection, world: World) -> None:
    for role in ("anon", "authenticated", "service_role"):
        assert not one(db, "select has_function_privilege(%s, "
                           "'private.caller_passes_policies(regclass, uuid, text, boolean)', 'execute')", role)
