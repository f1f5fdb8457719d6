"""Phase 2 — Identity & CRM (REQUIREMENTS.md, CRM-01..CRM-07) on a real PostgreSQL, run as
Supabase runs API requests.

Every acceptance bullet is shown working and its violation rejected, as the catalogue's
fixture users (tests/support/world.py): C1 with U1 (R1 owner, T1 tenant) and U2 (R2 owner),
C2 with U3 (R3 owner). Each CRM table is also checked for tenant isolation and for composite
tenant keys (no row of C1 points into C2).
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_anon, as_service, as_user, expect_sqlstate, one
from tests.support.world import World

C1_TODAY = "(now() at time zone 'America/Mexico_City')::date"


def ids(cur: psycopg.Cursor, sql: str, *params: object) -> set[object]:
    return {row[0] for row in cur.execute(sql, params)}


def vehicle(conn: psycopg.Connection | psycopg.Cursor, community: uuid.UUID, unit: uuid.UUID, plate: str,
            sticker: str | None = None) -> uuid.UUID:
    return one(conn, "insert into vehicles (community_id, unit_id, plate, sticker_number) "
                     "values (%s, %s, %s, %s) returning id", community, unit, plate, sticker)


def pet(conn: psycopg.Connection | psycopg.Cursor, community: uuid.UUID, unit: uuid.UUID,
        name: str = "Firulais") -> uuid.UUID:
    return one(conn, "insert into pets (community_id, unit_id, name, species) values (%s, %s, %s, 'dog') "
                     "returning id", community, unit, name)


def document_path(world: World, resident: str, file: str = "ine.pdf", community: uuid.UUID | None = None) -> str:
    return f"{community or world.c1}/residents/{world.resident_ids[resident]}/{file}"


# -- fixtures ---------------------------------------------------------------------------------------


def test_the_catalogue_fixtures_exist(db: psycopg.Connection, world: World) -> None:
    rows = db.execute(
        "select u.unit_number, u.coefficient::int, r.user_id, o.occupancy_type::text, o.start_date::text, "
        "o.end_date, o.is_voting_representative from occupancies o "
        "join residents r on r.id = o.resident_id join units u on u.id = o.unit_id order by 1, 4").fetchall()
    assert rows == [
        ("101", 40, world["R1"].id, "owner", "2025-01-01", None, True),
        ("101", 40, world["T1"].id, "tenant", "2025-01-01", None, False),
        ("102", 60, world["R2"].id, "owner", "2025-01-01", None, True),
        ("301", 100, world["R3"].id, "owner", "2025-01-01", None, False),
    ]
    for name in ("R1", "T1", "R2", "R3"):
        user = world[name]
        assert user.role == "resident"
        with as_user(db, user.claims()) as cur:
            assert one(cur, "select get_current_resident_id()") == world.resident_ids[name]


# -- CRM-01: units with type, area and coefficient ----------------------------------------------------


@pytest.mark.requirement("CRM-01")
def test_coefficients_sum_to_100_until_a_unit_is_soft_deleted(db: psycopg.Connection, world: World) -> None:
    query = "select total::int, difference::int, ok from validate_coefficient_total(%s)"
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute(query, (world.c1,)).fetchone() == (100, 0, True)
        cur.execute("select soft_delete_record('public.units', %s)", (world.u2,))
        assert cur.execute(query, (world.c1,)).fetchone() == (40, 60, False)


@pytest.mark.requirement("CRM-01")
def test_inactive_units_do_not_count_in_the_coefficient_total(db: psycopg.Connection, world: World) -> None:
    db.execute("update units set status = 'inactive' where id = %s", (world.u1,))
    with as_user(db, world["R2"].claims()) as cur:
        assert cur.execute("select total::int, difference::int, ok from validate_coefficient_total(%s)",
                           (world.c1,)).fetchone() == (60, 40, False)


@pytest.mark.requirement("CRM-01")
def test_the_coefficient_total_of_another_community_is_refused(db: psycopg.Connection, world: World) -> None:
    for name in ("admin", "R1"):
        with as_user(db, world[name].claims()) as cur, expect_sqlstate(cur, "42501"):
            cur.execute("select * from validate_coefficient_total(%s)", (world.c2,))
        # Around the public wrapper, the private body checks the caller itself.
        with as_user(db, world[name].claims()) as cur, expect_sqlstate(cur, "42501"):
            cur.execute("select * from private.validate_coefficient_total(%s)", (world.c2,))
    # The platform reads any community.
    with as_user(db, world["S"].claims()) as cur:
        assert one(cur, "select ok from validate_coefficient_total(%s)", world.c2) is True
    with as_service(db) as cur:
        assert one(cur, "select ok from validate_coefficient_total(%s)", world.c1) is True


@pytest.mark.requirement("CRM-01")
@pytest.mark.parametrize(
    ("columns", "sqlstate"),
    [
        ({"unit_type": "oficina"}, "22P02"),
        ({"area_m2": 0}, "23514"),
        ({"coefficient": 0}, "23514"),
        ({"coefficient": 100.5}, "23514"),
        ({"room_count": -1}, "23514"),
        ({"parking_entitlement": -1}, "23514"),
        ({"unit_number": "101"}, "23505"),
    ],
)
def test_bad_units_are_rejected(db: psycopg.Connection, world: World, columns: dict[str, object],
                                sqlstate: str) -> None:
    row = {"unit_number": "103", "unit_type": "departamento", "coefficient": 5, "area_m2": 80.5, **columns}
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, sqlstate):
            cur.execute(f"insert into units ({', '.join(row)}) values ({', '.join(['%s'] * len(row))})",
                        list(row.values()))
        # The same row with its one fault undone is fine.
        cur.execute("insert into units (unit_number, unit_type, coefficient, area_m2) "
                    "values ('103', 'casa', 5, 80.5)")


@pytest.mark.requirement("CRM-01")
def test_a_soft_deleted_unit_frees_its_number(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("select soft_delete_record('public.units', %s)", (world.u2,))
        cur.execute("insert into units (unit_number, unit_type, coefficient) values ('102', 'departamento', 60)")
    # Numbers are unique per community, not across communities.
    with as_user(db, world["A2"].claims()) as cur:
        cur.execute("insert into units (unit_number, unit_type, coefficient) values ('101', 'local', 1)")


@pytest.mark.requirement("CRM-01")
def test_only_staff_write_units(db: psycopg.Connection, world: World) -> None:
    for name in ("R1", "guard", "accountant"):
        with as_user(db, world[name].claims()) as cur:
            with expect_sqlstate(cur, "42501"):
                cur.execute("insert into units (unit_number, unit_type, coefficient) values ('9', 'casa', 1)")
            assert cur.execute("update units set floor = '9'").rowcount == 0
            # Every member of the community reads the units.
            assert ids(cur, "select id from units") == {world.u1, world.u2}
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute("insert into units (unit_number, unit_type, coefficient, room_count) values ('9', 'casa', 1, 3)")
        assert cur.execute("update units set floor = 'PB' where id = %s", (world.u1,)).rowcount == 1


# -- CRM-02: residents with profiles, photos and KYC status ------------------------------------------


@pytest.mark.requirement("CRM-02")
def test_residents_see_themselves_and_their_co_occupants(db: psycopg.Connection, world: World) -> None:
    r1, t1, r2 = (world.resident_ids[n] for n in ("R1", "T1", "R2"))
    with as_user(db, world["R2"].claims()) as cur:
        assert one(cur, "select count(*) from residents where id = %s", r1) == 0
        assert cur.execute("update residents set phone = '+525512345678' where id = %s", (r1,)).rowcount == 0
        assert ids(cur, "select id from residents") == {r2}
    with as_user(db, world["T1"].claims()) as cur:
        assert ids(cur, "select id from residents") == {r1, t1}
        # Seeing a co-occupant is not editing them.
        assert cur.execute("update residents set phone = '+525512345678' where id = %s", (r1,)).rowcount == 0
    with as_user(db, world["R1"].claims()) as cur:
        assert cur.execute("update residents set phone = '+525512345678' where id = %s", (r1,)).rowcount == 1
        assert one(cur, "select phone from residents where id = %s", r1) == "+525512345678"
        with expect_sqlstate(cur, "23514"):
            cur.execute("update residents set phone = '55 1234' where id = %s", (r1,))
        # A resident cannot hand their row to another account.
        with expect_sqlstate(cur, "42501"):
            cur.execute("update residents set user_id = %s where id = %s", (world["R2"].id, r1))


@pytest.mark.requirement("CRM-02")
def test_a_co_occupant_is_no_longer_seen_once_their_occupancy_ended(db: psycopg.Connection, world: World) -> None:
    db.execute(f"update occupancies set end_date = {C1_TODAY} - 1 where id = %s", (world.occupancy_ids["T1"],))
    with as_user(db, world["R1"].claims()) as cur:
        assert ids(cur, "select id from residents") == {world.resident_ids["R1"]}
    with as_user(db, world["T1"].claims()) as cur:
        assert ids(cur, "select id from residents") == {world.resident_ids["T1"]}


@pytest.mark.requirement("CRM-02")
@pytest.mark.parametrize("name", ["admin", "manager", "guard"])
def test_staff_and_guards_see_every_resident_of_the_community(db: psycopg.Connection, world: World,
                                                              name: str) -> None:
    with as_user(db, world[name].claims()) as cur:
        assert ids(cur, "select id from residents") == {world.resident_ids[n] for n in ("R1", "T1", "R2")}


@pytest.mark.requirement("CRM-02")
def test_only_staff_create_residents(db: psycopg.Connection, world: World) -> None:
    for name in ("R1", "guard"):
        with as_user(db, world[name].claims()) as cur, expect_sqlstate(cur, "42501"):
            cur.execute("insert into residents (first_name, last_name) values ('Ana', 'López')")
    with as_user(db, world["admin"].claims()) as cur:
        created = one(cur, "insert into residents (first_name, last_name) values ('Ana', 'López') "
                           "returning community_id")
        assert created == world.c1
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into residents (phone) values ('+525512345678')")


@pytest.mark.requirement("CRM-02")
def test_private_data_is_for_the_resident_and_staff_only(db: psycopg.Connection, world: World) -> None:
    r1 = world.resident_ids["R1"]
    with as_user(db, world["R2"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into resident_private_data (resident_id, curp) values (%s, 'GODE561231HDFRRN09')",
                    (r1,))
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "insert into resident_private_data (resident_id, curp, date_of_birth) "
                        "values (%s, 'GODE561231HDFRRN09', '1956-12-31') returning community_id", r1) == world.c1
    # as_user rolls back: the row the checks below read is the platform's.
    db.execute("insert into resident_private_data (community_id, resident_id, curp) "
               "values (%s, %s, 'GODE561231HDFRRN09')", (world.c1, r1))
    for name in ("guard", "T1", "R2", "accountant"):
        with as_user(db, world[name].claims()) as cur:
            assert one(cur, "select count(*) from resident_private_data where resident_id = %s", r1) == 0
            assert cur.execute("update resident_private_data set id_document_number = 'x'").rowcount == 0
    for name in ("R1", "admin", "manager"):
        with as_user(db, world[name].claims()) as cur:
            assert one(cur, "select curp from resident_private_data where resident_id = %s", r1) \
                == "GODE561231HDFRRN09"
            assert cur.execute("update resident_private_data set id_document_number = 'IDMEX1' "
                               "where resident_id = %s", (r1,)).rowcount == 1
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into resident_private_data (resident_id) values (%s)", (r1,))
        with expect_sqlstate(cur, "23514"):
            cur.execute("update resident_private_data set curp = 'ABCD' where resident_id = %s", (r1,))


@pytest.mark.requirement("CRM-02")
@pytest.mark.parametrize(
    ("column", "value"),
    [("kyc_status", "verified"), ("kyc_status", "pending"), ("kyc_verified_at", "2026-01-01"),
     ("onboarding_status", "suspended"),
     ("onboarding_status", "invited"),  # not a valid move either: still 42501, not P0001 invalid_transition
     ("invited_at", "2026-01-01"), ("activated_at", "2026-01-01"),
     ("status", "inactive")],
)
def test_a_resident_cannot_change_their_kyc_or_onboarding(db: psycopg.Connection, world: World, column: str,
                                                          value: str) -> None:
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501") as failure:
        cur.execute(f"update residents set {column} = %s where id = %s", (value, world.resident_ids["R1"]))
    assert "not_authorized" in str(failure.error)


@pytest.mark.requirement("CRM-02")
@pytest.mark.parametrize("name", ["admin", "manager"])
def test_staff_verify_kyc_and_the_verification_is_stamped(db: psycopg.Connection, world: World,
                                                          name: str) -> None:
    staff = world[name]
    r1 = world.resident_ids["R1"]
    with as_user(db, staff.claims()) as cur:
        assert cur.execute("update residents set kyc_status = 'verified' where id = %s", (r1,)).rowcount == 1
        verified_at, verified_by = cur.execute(
            "select kyc_verified_at, kyc_verified_by from residents where id = %s", (r1,)).fetchone()
    assert verified_at is not None
    assert verified_by == staff.id


@pytest.mark.requirement("CRM-02")
def test_staff_insert_a_verified_resident_and_the_platform_may_change_kyc(db: psycopg.Connection,
                                                                         world: World) -> None:
    admin = world["admin"]
    with as_user(db, admin.claims()) as cur:
        # Inserts are not guarded (only staff may insert residents); a verified KYC is stamped.
        assert cur.execute("insert into residents (first_name, kyc_status) values ('Eva', 'verified') "
                           "returning kyc_verified_at is not null, kyc_verified_by").fetchone() == (True, admin.id)
    with as_service(db) as cur:
        r1 = world.resident_ids["R1"]
        assert cur.execute("update residents set kyc_status = 'pending', status = 'inactive' where id = %s",
                           (r1,)).rowcount == 1


@pytest.mark.requirement("CRM-02")
def test_a_verified_kyc_needs_its_stamp(db: psycopg.Connection, world: World) -> None:
    r1 = world.resident_ids["R1"]
    db.execute("update residents set kyc_status = 'verified' where id = %s", (r1,))
    with expect_sqlstate(db, "23514"):
        db.execute("update residents set kyc_verified_at = null where id = %s", (r1,))


@pytest.mark.requirement("CRM-02")
def test_one_active_resident_row_per_user_and_community(db: psycopg.Connection, world: World) -> None:
    r1 = world["R1"]
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into residents (user_id, first_name) values (%s, 'Again')", (r1.id,))
        cur.execute("select soft_delete_record('public.residents', %s)", (world.resident_ids["R1"],))
        cur.execute("insert into residents (user_id, first_name) values (%s, 'Again')", (r1.id,))
    # Another community may know the same person.
    with as_user(db, world["A2"].claims()) as cur:
        cur.execute("insert into residents (user_id, first_name) values (%s, 'Elsewhere')", (r1.id,))


# -- CRM-03: unit-resident occupancy with role and dates -----------------------------------------------


@pytest.mark.requirement("CRM-03")
def test_only_an_owner_is_a_voting_representative(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("update occupancies set is_voting_representative = true where id = %s",
                        (world.occupancy_ids["T1"],))
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into occupancies (resident_id, unit_id, occupancy_type, start_date, "
                        "is_voting_representative) values (%s, %s, 'authorized', '2025-01-01', true)",
                        (world.resident_ids["R2"], world.u2))


@pytest.mark.requirement("CRM-03")
def test_a_unit_has_one_open_voting_representative(db: psycopg.Connection, world: World) -> None:
    insert = ("insert into occupancies (resident_id, unit_id, occupancy_type, start_date, is_voting_representative) "
              "values (%s, %s, 'owner', '2025-06-01', %s)")
    co_owner = world.resident_ids["R2"]
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23505"):
            cur.execute(insert, (co_owner, world.u1, True))
        # Several owners are fine; one of them votes.
        cur.execute(insert, (co_owner, world.u1, False))
        # Once R1's occupancy is closed, another owner may represent the unit.
        cur.execute(f"update occupancies set end_date = {C1_TODAY}, is_voting_representative = true "
                    "where id = %s", (world.occupancy_ids["R1"],))
        cur.execute(insert, (co_owner, world.u1, True))


@pytest.mark.requirement("CRM-03")
def test_an_occupancy_ends_on_or_after_its_start(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("update occupancies set end_date = '2024-12-31' where id = %s", (world.occupancy_ids["T1"],))
        # A one-day occupancy is fine.
        cur.execute("update occupancies set end_date = '2025-01-01' where id = %s", (world.occupancy_ids["T1"],))


@pytest.mark.requirement("CRM-03")
def test_unit_occupants_lists_the_active_occupancies(db: psycopg.Connection, world: World) -> None:
    query = ("select resident_id, occupancy_type::text, is_voting_representative from unit_occupants "
             "where unit_id = %s order by 2")
    r1, t1 = world.resident_ids["R1"], world.resident_ids["T1"]
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute(query, (world.u1,)).fetchall() == [(r1, "owner", True), (t1, "tenant", False)]
        # Ending today (community time) is still active; ended yesterday is not.
        cur.execute(f"update occupancies set end_date = {C1_TODAY} where id = %s", (world.occupancy_ids["T1"],))
        assert len(cur.execute(query, (world.u1,)).fetchall()) == 2
        cur.execute(f"update occupancies set end_date = {C1_TODAY} - 1 where id = %s",
                    (world.occupancy_ids["T1"],))
        assert cur.execute(query, (world.u1,)).fetchall() == [(r1, "owner", True)]


@pytest.mark.requirement("CRM-03")
def test_today_is_the_communitys_day(db: psycopg.Connection, world: World) -> None:
    # Kiritimati (UTC+14) is a day ahead of the session's UTC for most of the day: an
    # occupancy that ended on its yesterday has ended, whatever current_date says.
    db.execute("update communities set timezone = 'Pacific/Kiritimati' where id = %s", (world.c1,))
    db.execute("update occupancies set end_date = (now() at time zone 'Pacific/Kiritimati')::date - 1 "
               "where id = %s", (world.occupancy_ids["T1"],))
    with as_user(db, world["admin"].claims()) as cur:
        assert ids(cur, "select resident_id from unit_occupants where unit_id = %s", world.u1) \
            == {world.resident_ids["R1"]}


@pytest.mark.requirement("CRM-03")
def test_residents_see_the_occupancies_of_their_units(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R2"].claims()) as cur:
        assert ids(cur, "select id from occupancies") == {world.occupancy_ids["R2"]}
        assert ids(cur, "select resident_id from unit_occupants") == {world.resident_ids["R2"]}
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into occupancies (resident_id, unit_id, occupancy_type, start_date) "
                        "values (%s, %s, 'authorized', '2026-01-01')", (world.resident_ids["R2"], world.u1))
        assert cur.execute("update occupancies set is_primary_contact = true").rowcount == 0
    with as_user(db, world["T1"].claims()) as cur:
        assert ids(cur, "select id from occupancies") == {world.occupancy_ids["R1"], world.occupancy_ids["T1"]}
    with as_user(db, world["guard"].claims()) as cur:
        assert one(cur, "select count(*) from occupancies") == 3


@pytest.mark.requirement("CRM-03")
def test_an_occupancy_cannot_link_a_resident_to_a_unit_of_another_community(db: psycopg.Connection,
                                                                           world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "23503"):
        cur.execute("insert into occupancies (resident_id, unit_id, occupancy_type, start_date) "
                    "values (%s, %s, 'owner', '2025-01-01')", (world.resident_ids["R1"], world.u3))
    # Not even the platform can write such a row.
    with expect_sqlstate(db, "23503"):
        db.execute("insert into occupancies (community_id, resident_id, unit_id, occupancy_type, start_date) "
                   "values (%s, %s, %s, 'owner', '2025-01-01')", (world.c1, world.resident_ids["R1"], world.u3))


@pytest.mark.requirement("CRM-03")
def test_an_ended_occupancy_ends_access_to_the_unit(db: psycopg.Connection, world: World) -> None:
    vehicle(db, world.c1, world.u1, "AAA111")
    with as_user(db, world["T1"].claims()) as cur:
        assert one(cur, "select count(*) from vehicles") == 1
    db.execute(f"update occupancies set end_date = {C1_TODAY} - 1 where id = %s", (world.occupancy_ids["T1"],))
    with as_user(db, world["T1"].claims()) as cur:
        assert one(cur, "select get_current_unit_ids()") == []
        assert one(cur, "select count(*) from vehicles") == 0


# -- CRM-04: vehicles with plates, photos, sticker and LPR data -------------------------------------------


@pytest.mark.requirement("CRM-04")
def test_plates_are_normalised_and_unique_among_active_vehicles(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        first = vehicle(cur, world.c1, world.u1, "abc-123-d", sticker="T-001")
        assert one(cur, "select plate_normalized from vehicles where id = %s", first) == "ABC123D"
        with expect_sqlstate(cur, "23505"):
            vehicle(cur, world.c1, world.u2, "ABC 123 D")
        with expect_sqlstate(cur, "23505"):
            vehicle(cur, world.c1, world.u2, "XYZ-999", sticker="T-001")
        with expect_sqlstate(cur, "23514"):
            vehicle(cur, world.c1, world.u2, "- -")
        cur.execute("select soft_delete_record('public.vehicles', %s)", (first,))
        vehicle(cur, world.c1, world.u2, "ABC 123 D", sticker="T-001")
    # Plates are unique per community.
    vehicle(db, world.c2, world.u3, "ABC123D", sticker="T-001")


@pytest.mark.requirement("CRM-04")
def test_vehicle_paths_and_lpr_data_are_checked(db: psycopg.Connection, world: World) -> None:
    good = vehicle(db, world.c1, world.u1, "AAA111")
    db.execute("update vehicles set photo_paths = %s, lpr_plate_image_path = %s, lpr_confidence = 97.5 "
               "where id = %s", ([f"{world.c1}/vehicles/{good}/a.jpg"], f"{world.c1}/vehicles/{good}/p.jpg", good))
    for column, value in (("photo_paths", [f"{world.c2}/vehicles/{good}/a.jpg"]),
                          ("lpr_plate_image_path", f"{world.c2}/vehicles/{good}/p.jpg"),
                          ("lpr_confidence", 100.5), ("country", "mx")):
        with expect_sqlstate(db, "23514"):
            db.execute(f"update vehicles set {column} = %s where id = %s", (value, good))
    with expect_sqlstate(db, "22P02"):
        db.execute("update vehicles set vehicle_type = 'tank' where id = %s", (good,))


@pytest.mark.requirement("CRM-04")
def test_find_vehicle_by_plate_normalises_its_input(db: psycopg.Connection, world: World) -> None:
    target = vehicle(db, world.c1, world.u1, "abc-123-d")
    vehicle(db, world.c2, world.u3, "ABC123D")
    for name in ("guard", "admin", "R1"):
        with as_user(db, world[name].claims()) as cur:
            assert cur.execute("select vehicle_id, unit_id, resident_id, status::text "
                               "from find_vehicle_by_plate('abc123d')").fetchall() == [
                (target, world.u1, None, "active")]
    with as_user(db, world["R2"].claims()) as cur:
        assert cur.execute("select * from find_vehicle_by_plate('ABC 123 D')").fetchall() == []
    with as_user(db, world["A2"].claims()) as cur:
        assert one(cur, "select unit_id from find_vehicle_by_plate('abc123d')") == world.u3


@pytest.mark.requirement("CRM-04")
def test_residents_see_and_register_only_their_units_vehicles(db: psycopg.Connection, world: World) -> None:
    mine = vehicle(db, world.c1, world.u1, "AAA111")
    theirs = vehicle(db, world.c1, world.u2, "BBB222")
    with as_user(db, world["R2"].claims()) as cur:
        assert ids(cur, "select id from vehicles") == {theirs}
        assert cur.execute("update vehicles set color = 'red' where id = %s", (mine,)).rowcount == 0
        with expect_sqlstate(cur, "42501"):
            vehicle(cur, world.c1, world.u1, "CCC333")
        vehicle(cur, world.c1, world.u2, "CCC333")
    with as_user(db, world["guard"].claims()) as cur:
        assert ids(cur, "select id from vehicles") == {mine, theirs}
        with expect_sqlstate(cur, "42501"):
            vehicle(cur, world.c1, world.u1, "DDD444")
    with as_user(db, world["T1"].claims()) as cur:
        assert ids(cur, "select id from vehicles") == {mine}
        assert cur.execute("update vehicles set color = 'blue' where id = %s", (mine,)).rowcount == 1


@pytest.mark.requirement("CRM-04")
def test_a_vehicle_cannot_belong_to_a_unit_of_another_community(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "23503"):
        vehicle(cur, world.c1, world.u3, "EEE555")


# -- CRM-05: pets with vaccination records and incident history --------------------------------------------


@pytest.mark.requirement("CRM-05")
def test_vaccination_status_follows_the_latest_record(db: psycopg.Connection, world: World) -> None:
    dog = pet(db, world.c1, world.u1)
    status = "select status from pet_vaccination_status where pet_id = %s and vaccine = 'rabies'"
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute(f"insert into pet_vaccinations (pet_id, vaccine, applied_on, expires_on) "
                    f"values (%s, 'rabies', '2024-01-01', {C1_TODAY} - 1)", (dog,))
        assert one(cur, status, dog) == "expired"
        cur.execute(f"insert into pet_vaccinations (pet_id, vaccine, applied_on, expires_on) "
                    f"values (%s, 'rabies', {C1_TODAY}, {C1_TODAY} + 365)", (dog,))
        assert one(cur, status, dog) == "valid"
        assert one(cur, "select count(*) from pet_vaccination_status where pet_id = %s", dog) == 1
    db.execute("insert into pet_vaccinations (community_id, pet_id, vaccine, applied_on, expires_on) "
               "values (%s, %s, 'rabies', '2024-01-01', '2025-01-01')", (world.c1, dog))
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, status, dog) == "expired"
    with as_user(db, world["R2"].claims()) as cur:
        assert one(cur, "select count(*) from pet_vaccination_status") == 0


@pytest.mark.requirement("CRM-05")
def test_a_vaccination_expiring_today_is_still_valid(db: psycopg.Connection, world: World) -> None:
    dog = pet(db, world.c1, world.u1)
    db.execute(f"insert into pet_vaccinations (community_id, pet_id, vaccine, applied_on, expires_on) "
               f"values (%s, %s, 'parvovirus', '2024-01-01', {C1_TODAY})", (world.c1, dog))
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "select status from pet_vaccination_status where pet_id = %s", dog) == "valid"


@pytest.mark.requirement("CRM-05")
@pytest.mark.parametrize("expires_on", ["2025-01-01", "2024-12-31"])
def test_a_vaccination_expires_after_it_was_applied(db: psycopg.Connection, world: World, expires_on: str) -> None:
    dog = pet(db, world.c1, world.u1)
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "23514"):
        cur.execute("insert into pet_vaccinations (pet_id, vaccine, applied_on, expires_on) "
                    "values (%s, 'rabies', '2025-01-01', %s)", (dog, expires_on))


@pytest.mark.requirement("CRM-05")
def test_a_pet_incident_cannot_concern_a_pet_of_another_community(db: psycopg.Connection, world: World) -> None:
    theirs = pet(db, world.c2, world.u3)
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23503"):
            cur.execute("insert into pet_incidents (pet_id, incident_type, severity) values (%s, 'bite', 'high')",
                        (theirs,))
        with expect_sqlstate(cur, "23503"):
            cur.execute("insert into pet_vaccinations (pet_id, vaccine, applied_on, expires_on) "
                        "values (%s, 'rabies', '2025-01-01', '2026-01-01')", (theirs,))
        with expect_sqlstate(cur, "23503"):
            pet(cur, world.c1, world.u3)


@pytest.mark.requirement("CRM-05")
def test_pet_incidents_are_reported_by_guards_and_residents(db: psycopg.Connection, world: World) -> None:
    dog = pet(db, world.c1, world.u1)
    with as_user(db, world["guard"].claims()) as cur:
        reported = one(cur, "insert into pet_incidents (pet_id, incident_type, severity, description) "
                            "values (%s, 'noise', 'low', 'barking at night') returning reported_by", dog)
        assert reported == world["guard"].id
    incident = one(db, "insert into pet_incidents (community_id, pet_id, incident_type, reported_by) "
                       "values (%s, %s, 'noise', %s) returning id", world.c1, dog, world["guard"].id)
    with as_user(db, world["R2"].claims()) as cur:
        # A neighbour reports the dog of U1 and sees their own report, not the others.
        cur.execute("insert into pet_incidents (pet_id, incident_type) values (%s, 'waste')", (dog,))
        assert one(cur, "select count(*) from pet_incidents") == 1
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into pet_incidents (pet_id, incident_type, reported_by) values (%s, 'bite', %s)",
                        (dog, world["R1"].id))
        with expect_sqlstate(cur, "22P02"):
            cur.execute("insert into pet_incidents (pet_id, incident_type, severity) values (%s, 'bite', 'awful')",
                        (dog,))
    with as_user(db, world["R1"].claims()) as cur:
        # The pet's own household sees its history.
        assert ids(cur, "select id from pet_incidents") == {incident}
        assert ids(cur, "select id from pets") == {dog}
        assert cur.execute("update pet_incidents set severity = 'low'").rowcount == 0
    with as_user(db, world["R2"].claims()) as cur:
        assert one(cur, "select count(*) from pets") == 0


@pytest.mark.requirement("CRM-05")
def test_residents_keep_the_pets_of_their_units(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        pet(cur, world.c1, world.u1)
    dog = pet(db, world.c1, world.u1)
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute("insert into pet_vaccinations (pet_id, vaccine, applied_on, expires_on) "
                    "values (%s, 'rabies', '2025-01-01', '2026-01-01')", (dog,))
        with expect_sqlstate(cur, "42501"):
            pet(cur, world.c1, world.u2)
    with as_user(db, world["R2"].claims()) as cur:
        assert one(cur, "select count(*) from pet_vaccinations") == 0
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into pet_vaccinations (pet_id, vaccine, applied_on, expires_on) "
                        "values (%s, 'rabies', '2025-01-01', '2026-01-01')", (dog,))


# -- CRM-06: onboarding workflow states ------------------------------------------------------------------


@pytest.mark.requirement("CRM-06")
def test_invitation_to_activation_stamps_every_state(db: psycopg.Connection, world: World) -> None:
    admin = world["admin"]
    with as_user(db, admin.claims()) as cur:
        invited = one(cur, "select invite_resident('New.Person@Example.test', %s, 'tenant')", world.u2)
        assert cur.execute("select onboarding_status::text, email, invited_at is not null from residents "
                           "where id = %s", (invited,)).fetchone() == ("invited", "new.person@example.test", True)
        assert cur.execute(f"select occupancy_type::text, start_date = {C1_TODAY}, end_date from occupancies "
                           "where resident_id = %s and unit_id = %s", (invited, world.u2)).fetchone() \
            == ("tenant", True, None)
        for state in ("registered", "verified", "active"):
            assert cur.execute("update residents set onboarding_status = %s where id = %s",
                               (state, invited)).rowcount == 1
        stamps = cur.execute("select invited_at, registered_at, verified_at, activated_at, verified_by "
                             "from residents where id = %s", (invited,)).fetchone()
    assert all(stamp is not None for stamp in stamps[:4])
    assert stamps[4] == admin.id


@pytest.mark.requirement("CRM-06")
def test_staff_suspend_and_reactivate_an_active_resident(db: psycopg.Connection, world: World) -> None:
    r1 = world.resident_ids["R1"]
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute("update residents set onboarding_status = 'suspended' where id = %s", (r1,))
        assert one(cur, "select suspended_at is not null from residents where id = %s", r1)
    db.execute("update residents set onboarding_status = 'suspended' where id = %s", (r1,))
    with as_user(db, world["R1"].claims()) as cur:
        # A suspended resident no longer acts for their unit.
        assert one(cur, "select get_current_unit_ids()") == []
        assert one(cur, "select get_current_resident_id()") == r1
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute("update residents set onboarding_status = 'active' where id = %s", (r1,))
        assert one(cur, "select onboarding_status::text from residents where id = %s", r1) == "active"


@pytest.mark.requirement("CRM-06")
@pytest.mark.parametrize(
    ("start", "target"),
    [("invited", "active"), ("invited", "verified"), ("registered", "active"), ("active", "invited"),
     ("suspended", "verified"), ("verified", "suspended")],
)
def test_other_transitions_are_rejected(db: psycopg.Connection, world: World, start: str, target: str) -> None:
    resident = one(db, "insert into residents (community_id, first_name, onboarding_status) "
                       "values (%s, 'Ana', %s) returning id", world.c1, start)
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "P0001") as failure:
        cur.execute("update residents set onboarding_status = %s where id = %s", (target, resident))
    assert str(failure.error).startswith(f"invalid_transition: {start} -> {target}")


@pytest.mark.requirement("CRM-06")
def test_only_staff_invite_residents(db: psycopg.Connection, world: World) -> None:
    for name in ("R1", "guard", "accountant"):
        with as_user(db, world[name].claims()) as cur, expect_sqlstate(cur, "42501"):
            cur.execute("select invite_resident('someone@example.test', %s, 'tenant')", (world.u1,))
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23503"):
            cur.execute("select invite_resident('someone@example.test', %s, 'owner')", (world.u3,))
        with expect_sqlstate(cur, "23514"):
            cur.execute("select invite_resident('not an e-mail', %s, 'owner')", (world.u1,))


@pytest.mark.requirement("CRM-06")
def test_inviting_a_known_email_reuses_the_resident(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        resident = one(cur, "select invite_resident('r2@example.test', %s, 'authorized')", world.u1)
        assert resident == world.resident_ids["R2"]
        assert one(cur, "select count(*) from occupancies where resident_id = %s", resident) == 2


# -- CRM-07: resident documents ------------------------------------------------------------------------


def document(conn: psycopg.Connection | psycopg.Cursor, world: World, resident: str, file: str = "ine.pdf",
             status: str = "pending") -> uuid.UUID:
    return one(conn, "insert into resident_documents (community_id, resident_id, document_type, storage_path, "
                     "verification_status) values (%s, %s, 'ine', %s, %s) returning id",
               world.c1, world.resident_ids[resident], document_path(world, resident, file), status)


@pytest.mark.requirement("CRM-07")
def test_residents_see_only_their_own_documents_and_files(db: psycopg.Connection, world: World) -> None:
    mine, theirs = document(db, world, "R1"), document(db, world, "R2")
    files = [document_path(world, "R1"), document_path(world, "R2")]
    db.execute("insert into storage.objects (bucket_id, name) values ('resident-documents', %s), "
               "('resident-documents', %s)", files)
    with as_user(db, world["R2"].claims()) as cur:
        assert ids(cur, "select id from resident_documents") == {theirs}
        assert ids(cur, "select name from storage.objects") == {files[1]}
    for name in ("T1", "guard"):
        with as_user(db, world[name].claims()) as cur:
            assert one(cur, "select count(*) from resident_documents") == 0
            assert one(cur, "select count(*) from storage.objects") == 0
    with as_user(db, world["admin"].claims()) as cur:
        assert ids(cur, "select id from resident_documents") == {mine, theirs}
        assert ids(cur, "select name from storage.objects") == set(files)
    with as_user(db, world["A2"].claims()) as cur:
        assert one(cur, "select count(*) from storage.objects") == 0


@pytest.mark.requirement("CRM-07")
def test_a_resident_uploads_into_their_own_folder_of_their_community(db: psycopg.Connection,
                                                                     world: World) -> None:
    upload = "insert into storage.objects (bucket_id, name) values ('resident-documents', %s)"
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute(upload, (document_path(world, "R1"),))
        cur.execute("insert into resident_documents (resident_id, document_type, storage_path) "
                    "values (%s, 'ine', %s)", (world.resident_ids["R1"], document_path(world, "R1")))
        assert one(cur, "select count(*) from storage.objects") == 1
        for path in (document_path(world, "R1", community=world.c2),
                     f"{world.c1}/units/{world.u1}/x.pdf",
                     document_path(world, "R2"),
                     "not-a-uuid/residents/x/y.pdf"):
            with expect_sqlstate(cur, "42501"):
                cur.execute(upload, (path,))
        # The row must point into the resident's own folder.
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into resident_documents (resident_id, document_type, storage_path) "
                        "values (%s, 'ine', %s)", (world.resident_ids["R1"], f"{world.c1}/residents/x/ine.pdf"))
        # … and to the resident's own row.
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into resident_documents (resident_id, document_type, storage_path) "
                        "values (%s, 'ine', %s)", (world.resident_ids["T1"], document_path(world, "T1")))


@pytest.mark.requirement("CRM-07")
def test_only_staff_review_documents(db: psycopg.Connection, world: World) -> None:
    mine = document(db, world, "R1")
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("update resident_documents set verification_status = 'approved' where id = %s", (mine,))
        with expect_sqlstate(cur, "42501"):
            cur.execute("update resident_documents set reviewed_at = now() where id = %s", (mine,))
        # A document is born pending: the workflow refuses any other first state.
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("insert into resident_documents (resident_id, document_type, storage_path, "
                        "verification_status) values (%s, 'passport', %s, 'approved')",
                        (world.resident_ids["R1"], document_path(world, "R1", "passport.pdf")))
        assert str(failure.error).startswith("invalid_transition: null -> approved")
        # While pending, the resident may correct their own document.
        assert cur.execute("update resident_documents set expires_on = '2030-01-01' where id = %s",
                           (mine,)).rowcount == 1
    admin = world["admin"]
    with as_user(db, admin.claims()) as cur:
        cur.execute("update resident_documents set verification_status = 'approved' where id = %s", (mine,))
        assert cur.execute("select reviewed_by, reviewed_at is not null from resident_documents where id = %s",
                           (mine,)).fetchone() == (admin.id, True)
    db.execute("update resident_documents set verification_status = 'approved' where id = %s", (mine,))
    with as_user(db, world["R1"].claims()) as cur:
        # Once reviewed, it is out of the resident's hands.
        assert cur.execute("update resident_documents set expires_on = '2031-01-01' where id = %s",
                           (mine,)).rowcount == 0


@pytest.mark.requirement("CRM-07")
def test_a_document_is_approved_only_with_its_file(db: psycopg.Connection, world: World) -> None:
    fileless = one(db, "insert into resident_documents (community_id, resident_id, document_type) "
                       "values (%s, %s, 'proof_of_address') returning id", world.c1, world.resident_ids["R1"])
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("update resident_documents set verification_status = 'approved' where id = %s",
                        (fileless,))
        cur.execute("update resident_documents set verification_status = 'rejected' where id = %s", (fileless,))


@pytest.mark.requirement("CRM-07")
def test_a_withdrawn_document_stays_withdrawn(db: psycopg.Connection, world: World) -> None:
    withdrawn = document(db, world, "R1", status="cancelled")
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "P0001") as failure:
        cur.execute("update resident_documents set verification_status = 'approved' where id = %s", (withdrawn,))
    assert str(failure.error).startswith("invalid_transition: cancelled -> approved")


@pytest.mark.requirement("CRM-07")
def test_the_documents_bucket_is_private(db: psycopg.Connection) -> None:
    assert db.execute("select public from storage.buckets where id = 'resident-documents'").fetchone() == (False,)


# -- tenant isolation of every CRM table ----------------------------------------------------------


def foreign_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each CRM table, its parents being C2's fixtures."""
    c2, u3, r3 = world.c2, world.u3, world.resident_ids["R3"]
    dog = pet(db, c2, u3, "Rex")
    return {
        "units": {"community_id": c2, "unit_number": "302", "unit_type": "bodega", "coefficient": 1},
        "residents": {"community_id": c2, "first_name": "Foreign"},
        "resident_private_data": {"community_id": c2, "resident_id": r3, "curp": "GODE561231HDFRRN09"},
        "occupancies": {"community_id": c2, "resident_id": r3, "unit_id": u3, "occupancy_type": "authorized",
                        "start_date": "2025-01-01"},
        "vehicles": {"community_id": c2, "unit_id": u3, "plate": "ZZZ999"},
        "pets": {"community_id": c2, "unit_id": u3, "name": "Tom", "species": "cat"},
        "pet_vaccinations": {"community_id": c2, "pet_id": dog, "vaccine": "rabies", "applied_on": "2025-01-01",
                             "expires_on": "2026-01-01"},
        "pet_incidents": {"community_id": c2, "pet_id": dog, "incident_type": "bite"},
        "resident_documents": {"community_id": c2, "resident_id": r3, "document_type": "ine",
                               "storage_path": f"{c2}/residents/{r3}/ine.pdf"},
    }


CRM_TABLES = ["units", "residents", "resident_private_data", "occupancies", "vehicles", "pets",
              "pet_vaccinations", "pet_incidents", "resident_documents"]


@pytest.mark.parametrize("table", CRM_TABLES)
@pytest.mark.parametrize("name", ["admin", "R1"])
def test_every_crm_table_isolates_its_tenants(db: psycopg.Connection, world: World, table: str, name: str) -> None:
    assert_tenant_isolation(db, table, foreign_rows(db, world)[table], world[name])


@pytest.mark.parametrize("table", CRM_TABLES)
def test_anon_reaches_no_crm_table(db: psycopg.Connection, table: str) -> None:
    with as_anon(db) as cur, expect_sqlstate(cur, "42501"):
        cur.execute(f"select * from {table}")
