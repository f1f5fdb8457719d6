"""Phase 3 — Access Control & Security (REQUIREMENTS.md, ACC-01..ACC-11) on a real PostgreSQL.

Each acceptance bullet is shown working and its violation rejected, as the user the catalogue
names, the way PostgREST runs a request. Clock times are C1 local time and are written with
their zone, so a function that used the session's zone (UTC) instead of the community's fails.

Module fixtures (committed, as the platform): guard G1 of C1 linked to the C1 `guard` user,
gate P of C1, and in C2 an access point, a guard, an invitation, a patrol route with one
checkpoint, a patrol and an alert, as the parents of the tenant-isolation rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.db.conftest import compile_with
from tests.support.isolation import assert_tenant_isolation
from tests.support.pgcluster import FreshDb, PgCluster
from tests.support.session import as_service, as_user, as_user_committed, expect_sqlstate, one
from tests.support.world import User, World

MX = "America/Mexico_City"


def insert(cur: psycopg.Cursor | psycopg.Connection, table: str, **values: object) -> uuid.UUID:
    """One row, returning its id (as whoever `cur` acts for)."""
    query = sql.SQL("insert into {} ({}) values ({}) returning id").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(sql.Placeholder() * len(values)))
    row = cur.execute(query, list(values.values())).fetchone()
    assert row is not None
    return row[0]


def act_as(cur: psycopg.Cursor, user: User) -> None:
    """The next request of the same transaction, made by another user (the rows stay)."""
    cur.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(user.claims(), default=str),))


def ids(cur: psycopg.Cursor, query: str, *params: object) -> set[uuid.UUID]:
    return {row[0] for row in cur.execute(query, params)}


def period(start: str, end: str) -> str:
    """A tstzrange literal of two C1 wall-clock times, e.g. period('2026-03-09 08:00', '2026-03-09 16:00')."""
    return f"[{start} {MX}, {end} {MX})"


@dataclass
class Acc:
    g1: uuid.UUID           # guard row of the C1 `guard` user
    gate: uuid.UUID         # gate P of C1
    c2_point: uuid.UUID
    c2_guard: uuid.UUID
    c2_invitation: uuid.UUID
    c2_route: uuid.UUID
    c2_checkpoint: uuid.UUID
    c2_patrol: uuid.UUID
    c2_alert: uuid.UUID


@pytest.fixture(scope="module")
def acc(widgets_db: psycopg.Connection, world: World) -> Acc:
    conn = widgets_db
    c1, c2 = world.c1, world.c2
    g1 = insert(conn, "guards", community_id=c1, user_id=world["guard"].id, full_name="Guard One",
                employee_number="G-001")
    gate = insert(conn, "access_points", community_id=c1, name="Gate P", access_point_type="vehicular_gate")
    c2_point = insert(conn, "access_points", community_id=c2, name="C2 gate", access_point_type="pedestrian_gate")
    c2_guard = insert(conn, "guards", community_id=c2, full_name="Guard Three", employee_number="G-301")
    c2_invitation = insert(conn, "invitations", community_id=c2, host_resident_id=world.resident_ids["R3"],
                           unit_id=world.u3, invitation_type="single_use", max_uses=1, visitor_name="V3")
    c2_route = insert(conn, "patrol_routes", community_id=c2, name="C2 route", expected_duration_minutes=30)
    c2_checkpoint = insert(conn, "patrol_checkpoints", community_id=c2, name="C2 tag", nfc_serial="C2:00:01")
    insert(conn, "patrol_route_checkpoints", community_id=c2, route_id=c2_route, checkpoint_id=c2_checkpoint,
           sequence_order=1)
    c2_patrol = insert(conn, "patrol_logs", community_id=c2, route_id=c2_route, guard_id=c2_guard)
    c2_alert = insert(conn, "emergency_alerts", community_id=c2, emergency_type="fire",
                      location_description="C2 lobby")
    conn.commit()
    return Acc(g1, gate, c2_point, c2_guard, c2_invitation, c2_route, c2_checkpoint, c2_patrol, c2_alert)


def invitation(cur: psycopg.Cursor | psycopg.Connection, world: World, **columns: object) -> uuid.UUID:
    """An invitation of R1 for U1 (single-use unless said otherwise)."""
    values: dict[str, object] = {"community_id": world.c1, "host_resident_id": world.resident_ids["R1"],
                                 "unit_id": world.u1, "invitation_type": "single_use", "max_uses": 1,
                                 "visitor_name": "Visitor"}
    values.update(columns)
    return insert(cur, "invitations", **values)


# -- ACC-01 access points ------------------------------------------------------------------------


@pytest.mark.requirement("ACC-01")
def test_the_admin_configures_access_points_that_another_community_cannot_see(
        db: psycopg.Connection, world: World, acc: Acc) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        created = ids(cur, "insert into access_points (name, access_point_type, direction, hardware_id) values "
                           "('Main gate', 'vehicular_gate', 'entry', 'ctrl-1'), "
                           "('Lobby turnstile', 'turnstile', 'both', 'ctrl-2') returning id")
        assert ids(cur, "select id from access_points where id = any(%s)", list(created)) == created
        assert one(cur, "select community_id from access_points where name = 'Main gate'") == world.c1
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into access_points (name, access_point_type) values ('Main gate', 'door')")
        act_as(cur, world["A2"])
        assert one(cur, "select count(*) from access_points where id = any(%s)", list(created)) == 0
        assert cur.execute("update access_points set status = 'inactive' where id = any(%s)",
                           (list(created),)).rowcount == 0


@pytest.mark.requirement("ACC-01")
def test_residents_cannot_configure_access_points_and_types_are_checked(
        db: psycopg.Connection, world: World, acc: Acc) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into access_points (name, access_point_type) values ('Mine', 'door')")
        assert cur.execute("update access_points set name = 'x' where id = %s", (acc.gate,)).rowcount == 0
        assert one(cur, "select name from access_points where id = %s", acc.gate) == "Gate P"
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "22P02"):
        cur.execute("insert into access_points (name, access_point_type) values ('W', 'window')")


# -- ACC-02 invitations --------------------------------------------------------------------------


@pytest.mark.requirement("ACC-02")
def test_each_invitation_kind_requires_its_fields(db: psycopg.Connection, world: World, acc: Acc) -> None:
    bad = [
        {"invitation_type": "recurring", "max_uses": None, "recurrence_start_time": "09:00",
         "recurrence_end_time": "18:00"},
        {"invitation_type": "recurring", "max_uses": None, "recurrence_days": [],
         "recurrence_start_time": "09:00", "recurrence_end_time": "18:00"},
        {"invitation_type": "recurring", "max_uses": None, "recurrence_days": [1, 2],
         "recurrence_start_time": "09:00"},
        {"invitation_type": "recurring", "max_uses": None, "recurrence_days": [8],
         "recurrence_start_time": "09:00", "recurrence_end_time": "18:00"},
        {"invitation_type": "single_use", "max_uses": 2},
        {"invitation_type": "single_use", "max_uses": None},
        {"invitation_type": "event", "max_uses": None, "event_name": "Party"},
        {"invitation_type": "event", "max_uses": None, "valid_until": f"2026-03-10 02:00 {MX}"},
        {"invitation_type": "vehicle_preauth", "max_uses": None},
        {"valid_from": f"2026-03-09 10:00 {MX}", "valid_until": f"2026-03-09 09:00 {MX}"},
    ]
    since = {"valid_from": f"2026-03-01 00:00 {MX}"}
    with as_user(db, world["R1"].claims()) as cur:
        for columns in bad:
            with expect_sqlstate(cur, "23514"):
                invitation(cur, world, **{**since, **columns})
        invitation(cur, world, **since, invitation_type="event", max_uses=None, event_name="Party",
                   valid_until=f"2026-03-10 02:00 {MX}")
        invitation(cur, world, **since, invitation_type="vehicle_preauth", max_uses=None, vehicle_plate="ABC-123")
        invitation(cur, world, **since, invitation_type="recurring", max_uses=None, recurrence_days=[1, 2, 3, 4, 5],
                   recurrence_start_time="09:00", recurrence_end_time="18:00")
        invitation(cur, world, **since)


@pytest.mark.requirement("ACC-02")
def test_residents_invite_only_to_their_own_units(db: psycopg.Connection, world: World, acc: Acc) -> None:
    with as_user(db, world["R2"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into invitations (unit_id, invitation_type, max_uses, visitor_name) "
                    "values (%s, 'single_use', 1, 'V')", (world.u1,))
    with as_user(db, world["T1"].claims()) as cur:
        host = one(cur, "insert into invitations (unit_id, invitation_type, max_uses, visitor_name) "
                        "values (%s, 'single_use', 1, 'V') returning host_resident_id", world.u1)
        assert host == world.resident_ids["T1"]
        # A tenant cannot pass the invitation off as another resident's.
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into invitations (unit_id, host_resident_id, invitation_type, max_uses) "
                        "values (%s, %s, 'single_use', 1)", (world.u1, world.resident_ids["R1"]))


@pytest.mark.requirement("ACC-02")
def test_invitations_are_read_by_the_units_occupants_guards_and_staff(
        db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world)
    for name, seen in (("R1", 1), ("T1", 1), ("guard", 1), ("admin", 1), ("manager", 1), ("R2", 0),
                       ("accountant", 0), ("A2", 0)):
        with as_user(db, world[name].claims()) as cur:
            assert one(cur, "select count(*) from invitations where id = %s", target) == seen, name


@pytest.mark.requirement("ACC-02")
def test_a_single_use_invitation_is_used_by_one_granted_entry(db: psycopg.Connection, world: World,
                                                             acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["guard"].claims()) as cur:
        assert cur.execute("select ok, reason from validate_invitation(%s)", (target,)).fetchone() == (True, "ok")
        # A denied attempt does not count.
        cur.execute("insert into access_logs (access_point_id, direction, method, result, person_type, "
                    "invitation_id) values (%s, 'entry', 'qr_code', 'denied', 'visitor', %s)", (acc.gate, target))
        assert cur.execute("select status::text, uses_count from invitations where id = %s",
                           (target,)).fetchone() == ("active", 0)
        cur.execute("insert into access_logs (access_point_id, direction, method, result, person_type, "
                    "invitation_id) values (%s, 'entry', 'qr_code', 'granted', 'visitor', %s)", (acc.gate, target))
        assert cur.execute("select status::text, uses_count from invitations where id = %s",
                           (target,)).fetchone() == ("used", 1)
        assert cur.execute("select ok, reason from validate_invitation(%s)",
                           (target,)).fetchone() == (False, "already_used")


@pytest.mark.requirement("ACC-02")
def test_a_recurring_invitation_follows_its_weekly_schedule_in_community_time(
        db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world, invitation_type="recurring", max_uses=None, recurrence_days=[1, 2, 3, 4, 5],
                        recurrence_start_time="09:00", recurrence_end_time="18:00",
                        valid_from=f"2026-03-01 00:00 {MX}", valid_until=f"2026-12-31 00:00 {MX}")
    cases = [
        (f"2026-03-07 10:00 {MX}", False, "outside_schedule"),   # Saturday
        (f"2026-03-09 10:00 {MX}", True, "ok"),                  # Monday
        (f"2026-03-09 08:30 {MX}", False, "outside_schedule"),   # 14:30 UTC: inside in the wrong zone
        (f"2026-03-13 17:30 {MX}", True, "ok"),                  # Friday; 23:30 UTC
        (f"2026-03-13 18:00 {MX}", False, "outside_schedule"),   # the end is exclusive
        (f"2026-03-15 20:00 {MX}", False, "outside_schedule"),   # Sunday; Monday 02:00 UTC
        (f"2026-02-23 10:00 {MX}", False, "not_yet_valid"),
        (f"2027-01-04 10:00 {MX}", False, "expired"),
    ]
    with as_user(db, world["guard"].claims()) as cur:
        for at, ok, reason in cases:
            assert cur.execute("select ok, reason from validate_invitation(%s, %s)",
                               (target, at)).fetchone() == (ok, reason), at


@pytest.mark.requirement("ACC-02")
def test_cancelled_and_unseen_invitations_do_not_validate(db: psycopg.Connection, world: World,
                                                         acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute("update invitations set status = 'cancelled' where id = %s", (target,))
        assert cur.execute("select ok, reason from validate_invitation(%s)",
                           (target,)).fetchone() == (False, "cancelled")
        # A cancelled invitation stays cancelled.
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update invitations set status = 'active' where id = %s", (target,))
        assert str(failure.error).startswith("invalid_transition: cancelled -> active")
    with as_user(db, world["R2"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select * from validate_invitation(%s)", (target,))


@pytest.mark.requirement("ACC-02")
def test_residents_cannot_rewrite_the_use_count(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world, invitation_type="event", max_uses=5, event_name="Party",
                        valid_until=f"2026-12-31 00:00 {MX}", uses_count=5, status="used")
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("update invitations set uses_count = 0 where id = %s", (target,))
        with expect_sqlstate(cur, "P0001"):
            cur.execute("update invitations set status = 'active' where id = %s", (target,))
        assert cur.execute("update invitations set visitor_name = 'Renamed' where id = %s",
                           (target,)).rowcount == 1
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("update invitations set uses_count = 4 where id = %s", (target,))
    with as_service(db) as cur:   # the platform may correct it
        assert cur.execute("update invitations set uses_count = 4 where id = %s", (target,)).rowcount == 1


# -- ACC-03 access logs --------------------------------------------------------------------------


@pytest.mark.requirement("ACC-03")
def test_the_guard_logs_an_attempt_that_nobody_can_change(db: psycopg.Connection, world: World,
                                                          acc: Acc) -> None:
    with as_user(db, world["guard"].claims()) as cur:
        log, guard_id, plate, logged = cur.execute(
            "insert into access_logs (access_point_id, direction, method, result, person_type, unit_id, "
            "plate_normalized, photo_paths) values (%s, 'entry', 'lpr', 'granted', 'visitor', %s, 'abc-123 d', %s) "
            "returning id, guard_id, plate_normalized, logged_at is not null",
            (acc.gate, world.u1, [f"{world.c1}/access_logs/x/1.jpg"])).fetchone()
        assert (guard_id, plate, logged) == (acc.g1, "ABC123D", True)
        # Append-only: clients hold no update or delete privilege at all.
        for statement in ("update access_logs set result = 'denied' where id = %s",
                          "delete from access_logs where id = %s"):
            with expect_sqlstate(cur, "42501"):
                cur.execute(statement, (log,))
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into access_logs (access_point_id, direction, method, result) "
                    "values (%s, 'entry', 'manual', 'granted')", (acc.gate,))
    with as_user(db, world["guard"].claims()) as cur, expect_sqlstate(cur, "23514"):
        cur.execute("insert into access_logs (access_point_id, direction, method, result) "
                    "values (%s, 'both', 'manual', 'denied')", (acc.gate,))


@pytest.mark.requirement("ACC-03")
@pytest.mark.parametrize("statement", ["update access_logs set result = 'granted'", "delete from access_logs",
                                       "truncate access_logs"])
def test_access_logs_are_append_only_even_for_the_service_role(db: psycopg.Connection, world: World,
                                                              acc: Acc, statement: str) -> None:
    insert(db, "access_logs", community_id=world.c1, access_point_id=acc.gate, direction="entry",
           method="manual", result="denied")
    with as_service(db) as cur, expect_sqlstate(cur, "P0001") as failure:
        cur.execute(statement)
    assert str(failure.error).startswith("immutable_table")


@pytest.mark.requirement("ACC-03")
def test_residents_see_the_logs_of_their_unit_and_the_guard_sees_all(db: psycopg.Connection, world: World,
                                                                    acc: Acc) -> None:
    logs = {unit: insert(db, "access_logs", community_id=world.c1, access_point_id=acc.gate, direction="entry",
                         method="manual", result="granted", unit_id=getattr(world, unit))
            for unit in ("u1", "u2")}
    mine = insert(db, "access_logs", community_id=world.c1, access_point_id=acc.gate, direction="exit",
                  method="pin", result="granted", resident_id=world.resident_ids["R2"])
    query = "select id from access_logs where id = any(%s)"
    every = [*logs.values(), mine]
    with as_user(db, world["R1"].claims()) as cur:
        assert ids(cur, query, every) == {logs["u1"]}
    with as_user(db, world["R2"].claims()) as cur:
        assert ids(cur, query, every) == {logs["u2"], mine}
    with as_user(db, world["guard"].claims()) as cur:
        assert ids(cur, query, every) == set(every)
    with as_user(db, world["accountant"].claims()) as cur:
        assert ids(cur, query, every) == set()


@pytest.mark.requirement("ACC-03")
def test_log_times_keep_their_order_and_the_devices_clock(db: psycopg.Connection, world: World,
                                                          acc: Acc) -> None:
    logged = ("insert into access_logs (access_point_id, direction, method, result{}) "
              "values (%s, 'entry', 'manual', 'granted'{}) returning id, logged_at")
    with as_user(db, world["guard"].claims()) as cur:
        first = cur.execute(logged.format("", ""), (acc.gate,)).fetchone()
        second = cur.execute(logged.format("", ""), (acc.gate,)).fetchone()
        assert first[1] < second[1]   # clock_timestamp(), not the transaction's now()
        offline_id = uuid.uuid4()
        row = cur.execute(logged.format(", id, logged_at", ", %s, %s"),
                          (acc.gate, offline_id, f"2026-03-09 10:00 {MX}")).fetchone()
        assert row[0] == offline_id
        assert one(cur, "select %s::timestamptz = %s", row[1], "2026-03-09 16:00 UTC") is True


@pytest.mark.requirement("ACC-03")
def test_access_log_photos_live_in_the_rows_community(db: psycopg.Connection, world: World, acc: Acc) -> None:
    with as_user(db, world["guard"].claims()) as cur, expect_sqlstate(cur, "23514"):
        cur.execute("insert into access_logs (access_point_id, direction, method, result, photo_paths) "
                    "values (%s, 'entry', 'manual', 'denied', %s)", (acc.gate, [f"{world.c2}/access_logs/x/1.jpg"]))


# -- ACC-04 blacklist ----------------------------------------------------------------------------


@pytest.mark.requirement("ACC-04")
def test_the_blacklist_lookup_returns_active_unexpired_matches(db: psycopg.Connection, world: World,
                                                              acc: Acc) -> None:
    entry = {"community_id": world.c1, "reason": "Theft"}
    permanent = insert(db, "blacklist_entries", **entry, plate_normalized="XYZ9876", protocol="deny_and_alert_guard")
    expired = insert(db, "blacklist_entries", **entry, plate_normalized="XYZ9876",
                     expires_at=one(db, "select now() - interval '1 day'"))
    insert(db, "blacklist_entries", **entry, plate_normalized="XYZ9876", status="inactive")
    later = insert(db, "blacklist_entries", **entry, person_name="Juan Pérez",
                   expires_at=one(db, "select now() + interval '1 day'"))
    insert(db, "blacklist_entries", community_id=world.c2, reason="Elsewhere", plate_normalized="XYZ9876")
    assert one(db, "select plate_normalized from blacklist_entries where id = %s", permanent) == "XYZ9876"
    with as_user(db, world["guard"].claims()) as cur:
        assert ids(cur, "select id from check_blacklist(null, null, 'xyz-9876')") == {permanent}
        assert expired not in ids(cur, "select id from check_blacklist(null, null, 'XYZ9876')")
        assert ids(cur, "select id from check_blacklist('  JUAN PÉREZ ', null, null)") == {later}
        assert ids(cur, "select id from check_blacklist('Juan', null, 'ABC111')") == set()
        with expect_sqlstate(cur, "42501"):
            cur.execute("select * from check_blacklist(null, null, 'XYZ9876', %s)", (world.c2,))
    with as_service(db) as cur:
        assert len(ids(cur, "select id from check_blacklist(null, null, 'xyz9876', %s)", world.c2)) == 1


@pytest.mark.requirement("ACC-04")
def test_a_blacklist_entry_must_identify_someone_and_residents_cannot_read_it(
        db: psycopg.Connection, world: World, acc: Acc) -> None:
    insert(db, "blacklist_entries", community_id=world.c1, reason="Threats", id_document_number="INE123")
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into blacklist_entries (reason) values ('No one')")
        with expect_sqlstate(cur, "23514"):   # blanks and a plate without letters or digits are nothing
            cur.execute("insert into blacklist_entries (reason, person_name, plate_normalized) "
                        "values ('No one', ' ', '--')")
        cur.execute("insert into blacklist_entries (reason, id_document_number) values ('Fraud', 'PASS-1')")
        plate = one(cur, "insert into blacklist_entries (reason, plate_normalized) values ('Speeding', 'abc-111') "
                         "returning id")
        assert one(cur, "select plate_normalized from blacklist_entries where id = %s", plate) == "ABC111"
        cur.execute("update blacklist_entries set plate_normalized = 'def 222' where id = %s", (plate,))
        assert one(cur, "select plate_normalized from blacklist_entries where id = %s", plate) == "DEF222"
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "select count(*) from blacklist_entries") == 0
        assert one(cur, "select count(*) from check_blacklist(null, 'INE123', null)") == 0
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into blacklist_entries (reason, person_name) values ('Noisy', 'Neighbour')")
    with as_user(db, world["guard"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into blacklist_entries (reason, person_name) values ('x', 'y')")


# -- ACC-05 guards and certifications ------------------------------------------------------------


@pytest.mark.requirement("ACC-05")
def test_guards_have_unique_employee_numbers_and_dated_certifications(db: psycopg.Connection, world: World,
                                                                     acc: Acc) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into guards (full_name, employee_number) values ('Copy', 'G-001')")
        other = insert(cur, "guards", full_name="Guard Two", employee_number="G-002", security_company="Acme",
                       phone="+525512345678")
        for issued, expires in (("2026-01-01", "2026-01-01"), ("2026-01-01", "2025-12-31")):
            with expect_sqlstate(cur, "23514"):
                insert(cur, "guard_certifications", guard_id=other, certification_type="first_aid",
                       issued_on=issued, expires_on=expires)
        insert(cur, "guard_certifications", guard_id=other, certification_type="first_aid",
               issued_on="2026-01-01", expires_on="2026-01-02")
        insert(cur, "guard_certifications", guard_id=other, certification_type="firearms", issued_on="2026-01-01")
    # Another community numbers its guards on its own.
    insert(db, "guards", community_id=world.c2, full_name="Namesake", employee_number="G-001")


@pytest.mark.requirement("ACC-05")
def test_certification_states_follow_the_communitys_today(db: psycopg.Connection, world: World,
                                                          acc: Acc) -> None:
    today = f"(now() at time zone '{MX}')::date"
    certs = {}
    for name, offset in (("soon", "+ 10"), ("gone", "- 1"), ("today", "+ 0"), ("later", "+ 31")):
        certs[name] = one(db, f"insert into guard_certifications (community_id, guard_id, certification_type, "
                              f"issued_on, expires_on) values (%s, %s, %s, {today} - 400, {today} {offset}) "
                              "returning id", world.c1, acc.g1, name)
    certs["forever"] = insert(db, "guard_certifications", community_id=world.c1, guard_id=acc.g1,
                              certification_type="forever", issued_on="2020-01-01")
    query = "select certification_id, state from guard_certification_status where certification_id = any(%s)"
    with as_user(db, world["admin"].claims()) as cur:
        states = dict(cur.execute(query, (list(certs.values()),)).fetchall())
    assert {name: states[i] for name, i in certs.items()} == {
        "soon": "expiring", "gone": "expired", "today": "expiring", "later": "valid", "forever": "valid"}
    with as_user(db, world["guard"].claims()) as cur:
        assert one(cur, "select count(*) from guard_certifications where id = any(%s)", list(certs.values())) == 5
    for name in ("R1", "accountant", "A2"):
        with as_user(db, world[name].claims()) as cur:
            assert one(cur, "select count(*) from guard_certifications") == 0
            assert one(cur, "select count(*) from guard_certification_status") == 0


@pytest.mark.requirement("ACC-05")
def test_a_guard_sees_only_their_own_certifications(db: psycopg.Connection, world: World, acc: Acc) -> None:
    other = insert(db, "guards", community_id=world.c1, full_name="Guard Two", employee_number="G-002")
    theirs = insert(db, "guard_certifications", community_id=world.c1, guard_id=other,
                    certification_type="first_aid", issued_on="2026-01-01")
    mine = insert(db, "guard_certifications", community_id=world.c1, guard_id=acc.g1,
                  certification_type="first_aid", issued_on="2026-01-01")
    with as_user(db, world["guard"].claims()) as cur:
        assert ids(cur, "select id from guard_certifications where id in (%s, %s)", theirs, mine) == {mine}
        assert one(cur, "select get_current_guard_id()") == acc.g1
        with expect_sqlstate(cur, "42501"):
            insert(cur, "guard_certifications", guard_id=acc.g1, certification_type="x", issued_on="2026-01-01")


# -- ACC-06 shifts and assignments ---------------------------------------------------------------


@pytest.mark.requirement("ACC-06")
def test_a_guard_cannot_hold_two_overlapping_assignments(db: psycopg.Connection, world: World, acc: Acc) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        insert(cur, "guard_assignments", guard_id=acc.g1, access_point_id=acc.gate,
               period=period("2026-03-09 08:00", "2026-03-09 16:00"))
        with expect_sqlstate(cur, "23P01"):
            insert(cur, "guard_assignments", guard_id=acc.g1, access_point_id=acc.gate,
                   period=period("2026-03-09 15:00", "2026-03-09 23:00"))
        late = insert(cur, "guard_assignments", guard_id=acc.g1, access_point_id=acc.gate,
                      period=period("2026-03-09 16:00", "2026-03-10 00:00"))
        # Moving an assignment onto another one is an overlap too.
        with expect_sqlstate(cur, "23P01"):
            cur.execute("update guard_assignments set period = %s where id = %s",
                        (period("2026-03-09 12:00", "2026-03-09 20:00"), late))
        # Another guard may hold the same hours.
        other = insert(cur, "guards", full_name="Guard Two", employee_number="G-002")
        insert(cur, "guard_assignments", guard_id=other, access_point_id=acc.gate,
               period=period("2026-03-09 15:00", "2026-03-09 23:00"))
        # A soft-deleted assignment no longer blocks.
        cur.execute("select soft_delete_record('guard_assignments', %s)", (late,))
        insert(cur, "guard_assignments", guard_id=acc.g1, access_point_id=acc.gate,
               period=period("2026-03-09 18:00", "2026-03-09 22:00"))
        with expect_sqlstate(cur, "23514"):
            insert(cur, "guard_assignments", guard_id=acc.g1, access_point_id=acc.gate,
                   period=f"[2026-03-11 08:00 {MX},)")
    with as_user(db, world["guard"].claims()) as cur, expect_sqlstate(cur, "42501"):
        insert(cur, "guard_assignments", guard_id=acc.g1, access_point_id=acc.gate,
               period=period("2026-03-12 08:00", "2026-03-12 16:00"))


@pytest.mark.requirement("ACC-06")
def test_the_guard_is_on_duty_only_inside_the_assignment(db: psycopg.Connection, world: World, acc: Acc) -> None:
    insert(db, "guard_assignments", community_id=world.c1, guard_id=acc.g1, access_point_id=acc.gate,
           period=period("2026-03-09 08:00", "2026-03-09 16:00"))
    other_gate = insert(db, "access_points", community_id=world.c1, name="Side door", access_point_type="door")
    duty = "select is_on_duty_guard(%s, %s)"
    with as_user(db, world["guard"].claims()) as cur:
        assert one(cur, duty, acc.gate, f"2026-03-09 10:00 {MX}") is True
        assert one(cur, duty, acc.gate, f"2026-03-09 17:00 {MX}") is False
        # 17:00 UTC is 11:00 in C1: on duty although the session's zone says otherwise.
        assert one(cur, duty, acc.gate, "2026-03-09 17:00 UTC") is True
        assert one(cur, duty, acc.gate, f"2026-03-09 16:00 {MX}") is False
        assert one(cur, duty, other_gate, f"2026-03-09 10:00 {MX}") is False
    for name in ("admin", "R1"):
        with as_user(db, world[name].claims()) as cur:
            assert one(cur, duty, acc.gate, f"2026-03-09 10:00 {MX}") is False


@pytest.mark.requirement("ACC-06")
def test_shift_templates_run_on_iso_weekdays_and_may_cross_midnight(db: psycopg.Connection, world: World,
                                                                   acc: Acc) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        night = insert(cur, "guard_shifts", name="Night", start_time="22:00", end_time="06:00",
                       days_of_week=[1, 2, 3, 4, 5])
        day = insert(cur, "guard_shifts", name="Day", start_time="06:00", end_time="14:00")
        assert one(cur, "select days_of_week from guard_shifts where id = %s", day) == [1, 2, 3, 4, 5, 6, 7]
        for columns in ({"name": "Bad day", "days_of_week": [0]}, {"name": "None", "days_of_week": []},
                        {"name": "Zero", "end_time": "06:00"}):
            values = {"name": "x", "start_time": "06:00", "end_time": "14:00", **columns}
            with expect_sqlstate(cur, "23514"):
                insert(cur, "guard_shifts", **values)
        with expect_sqlstate(cur, "23505"):
            insert(cur, "guard_shifts", name="Night", start_time="21:00", end_time="05:00")
        insert(cur, "guard_assignments", guard_id=acc.g1, access_point_id=acc.gate, shift_id=night,
               period=period("2026-03-09 22:00", "2026-03-10 06:00"))
        act_as(cur, world["guard"])
        assert one(cur, "select count(*) from guard_shifts where id in (%s, %s)", night, day) == 2
        with expect_sqlstate(cur, "42501"):
            insert(cur, "guard_shifts", name="Mine", start_time="08:00", end_time="09:00")


# -- ACC-07 patrol routes --------------------------------------------------------------------------


@pytest.mark.requirement("ACC-07")
def test_route_checkpoints_have_distinct_positions_in_their_community(db: psycopg.Connection, world: World,
                                                                      acc: Acc) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        route = insert(cur, "patrol_routes", name="Perimeter", expected_duration_minutes=45,
                       schedule_rrule="FREQ=HOURLY;INTERVAL=2")
        tags = [insert(cur, "patrol_checkpoints", name=f"T{i}", nfc_serial=f"AA:0{i}") for i in (1, 2, 3)]
        insert(cur, "patrol_route_checkpoints", route_id=route, checkpoint_id=tags[0], sequence_order=1)
        insert(cur, "patrol_route_checkpoints", route_id=route, checkpoint_id=tags[1], sequence_order=2)
        with expect_sqlstate(cur, "23505"):
            insert(cur, "patrol_route_checkpoints", route_id=route, checkpoint_id=tags[2], sequence_order=2)
        insert(cur, "patrol_route_checkpoints", route_id=route, checkpoint_id=tags[2], sequence_order=3)
        with expect_sqlstate(cur, "23514"):
            insert(cur, "patrol_route_checkpoints", route_id=route, checkpoint_id=tags[2], sequence_order=0)
        with expect_sqlstate(cur, "23514"):
            insert(cur, "patrol_routes", name="Instant", expected_duration_minutes=0)
        with expect_sqlstate(cur, "23503"):
            insert(cur, "patrol_route_checkpoints", route_id=route, checkpoint_id=acc.c2_checkpoint,
                   sequence_order=4)
        act_as(cur, world["guard"])
        assert one(cur, "select count(*) from patrol_route_checkpoints where route_id = %s", route) == 3
        with expect_sqlstate(cur, "42501"):
            insert(cur, "patrol_routes", name="Shortcut", expected_duration_minutes=5)


# -- ACC-08 patrol checkpoints ---------------------------------------------------------------------


@pytest.mark.requirement("ACC-08")
def test_nfc_serials_are_normalised_and_unique(db: psycopg.Connection, world: World, acc: Acc) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        tag = insert(cur, "patrol_checkpoints", name="North", nfc_serial="04:a2:3b", lat=19.432608, lng=-99.133209)
        assert one(cur, "select nfc_serial from patrol_checkpoints where id = %s", tag) == "04A23B"
        with expect_sqlstate(cur, "23505"):
            insert(cur, "patrol_checkpoints", name="Copy", nfc_serial="04A23B")
        for lat, lng in ((91, 0), (-90.5, 0), (0, 180.5)):
            with expect_sqlstate(cur, "23514"):
                insert(cur, "patrol_checkpoints", name="Off", nfc_serial="FF01", lat=lat, lng=lng)
        insert(cur, "patrol_checkpoints", name="Pole", nfc_serial="FF01", lat=90, lng=-180)
        cur.execute("update patrol_checkpoints set nfc_serial = '04-a2 3c' where id = %s", (tag,))
        assert one(cur, "select nfc_serial from patrol_checkpoints where id = %s", tag) == "04A23C"
        for name, seen in (("R1", 0), ("accountant", 0), ("A2", 0), ("guard", 1)):
            act_as(cur, world[name])
            assert one(cur, "select count(*) from patrol_checkpoints where id = %s", tag) == seen, name
    # The same serial in another community is another tag.
    insert(db, "patrol_checkpoints", community_id=world.c2, name="North", nfc_serial="04a23b")


# -- ACC-09 patrol logs and scans ----------------------------------------------------------------


@pytest.fixture
def route(db: psycopg.Connection, world: World) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A C1 route of four checkpoints with serials 0A:01 … 0A:04 (uncommitted)."""
    route_id = insert(db, "patrol_routes", community_id=world.c1, name="Four posts", expected_duration_minutes=40)
    tags = []
    for i in range(1, 5):
        tags.append(insert(db, "patrol_checkpoints", community_id=world.c1, name=f"Post {i}", nfc_serial=f"0A:0{i}"))
        insert(db, "patrol_route_checkpoints", community_id=world.c1, route_id=route_id, checkpoint_id=tags[-1],
               sequence_order=i)
    return route_id, tags


def scan(cur: psycopg.Cursor, patrol: uuid.UUID, checkpoint: uuid.UUID, serial: str,
         **columns: object) -> uuid.UUID:
    return insert(cur, "patrol_checkpoint_scans", patrol_log_id=patrol, checkpoint_id=checkpoint,
                  nfc_serial_read=serial, lat=19.4, lng=-99.1, **columns)


@pytest.mark.requirement("ACC-09")
def test_a_patrol_with_a_missed_checkpoint_ends_incomplete(db: psycopg.Connection, world: World, acc: Acc,
                                                           route: tuple[uuid.UUID, list[uuid.UUID]]) -> None:
    route_id, tags = route
    with as_user(db, world["guard"].claims()) as cur:
        patrol, guard_id, status = cur.execute(
            "insert into patrol_logs (route_id) values (%s) returning id, guard_id, status::text",
            (route_id,)).fetchone()
        assert (guard_id, status) == (acc.g1, "in_progress")
        for tag, serial in zip(tags[:2] + tags[3:], ("0a:01", "0A-02", "0a04"), strict=True):
            scan(cur, patrol, tag, serial)
        assert one(cur, "select nfc_serial_read from patrol_checkpoint_scans where patrol_log_id = %s "
                        "and checkpoint_id = %s", patrol, tags[0]) == "0A01"
        assert cur.execute("select expected, scanned, missed, pct from patrol_progress(%s)",
                           (patrol,)).fetchone() == (4, 3, [tags[2]], 75)
        assert one(cur, "select end_patrol(%s)::text", patrol) == "incomplete"
        assert cur.execute("select status::text, ended_at is not null from patrol_logs where id = %s",
                           (patrol,)).fetchone() == ("incomplete", True)
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("select end_patrol(%s)", (patrol,))
        assert str(failure.error).startswith("patrol_not_in_progress")
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update patrol_logs set status = 'in_progress' where id = %s", (patrol,))
        assert str(failure.error).startswith("invalid_transition: incomplete -> in_progress")


@pytest.mark.requirement("ACC-09")
def test_a_patrol_that_scans_every_checkpoint_is_completed(db: psycopg.Connection, world: World, acc: Acc,
                                                            route: tuple[uuid.UUID, list[uuid.UUID]]) -> None:
    route_id, tags = route
    with as_user(db, world["guard"].claims()) as cur:
        patrol = insert(cur, "patrol_logs", route_id=route_id)
        for i, tag in enumerate(tags, start=1):
            scan(cur, patrol, tag, f"0A0{i}")
        scan(cur, patrol, tags[0], "0A01")  # scanned twice, counted once
        assert cur.execute("select expected, scanned, missed, pct from patrol_progress(%s)",
                           (patrol,)).fetchone() == (4, 4, [], 100)
        assert one(cur, "select end_patrol(%s)::text", patrol) == "completed"


@pytest.mark.requirement("ACC-09")
def test_scans_must_match_the_tag_and_the_route(db: psycopg.Connection, world: World, acc: Acc,
                                                route: tuple[uuid.UUID, list[uuid.UUID]]) -> None:
    route_id, tags = route
    stray = insert(db, "patrol_checkpoints", community_id=world.c1, name="Stray", nfc_serial="0B01")
    with as_user(db, world["guard"].claims()) as cur:
        patrol = insert(cur, "patrol_logs", route_id=route_id)
        with expect_sqlstate(cur, "P0001") as failure:
            scan(cur, patrol, tags[0], "0A02")
        assert str(failure.error).startswith("nfc_mismatch")
        with expect_sqlstate(cur, "P0001") as failure:
            scan(cur, patrol, stray, "0B01")
        assert str(failure.error).startswith("checkpoint_not_in_route")
        # A checkpoint of another community is the foreign key's to refuse.
        with expect_sqlstate(cur, "23503"):
            scan(cur, patrol, acc.c2_checkpoint, "C20001")
        done = scan(cur, patrol, tags[0], "0A01")
        with expect_sqlstate(cur, "42501"):
            cur.execute("update patrol_checkpoint_scans set notes = 'x' where id = %s", (done,))
    with as_service(db) as cur:
        patrol = insert(cur, "patrol_logs", community_id=world.c1, route_id=route_id, guard_id=acc.g1)
        done = scan(cur, patrol, tags[1], "0A02", community_id=world.c1)
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update patrol_checkpoint_scans set notes = 'edited' where id = %s", (done,))
        assert str(failure.error).startswith("immutable_table")


@pytest.mark.requirement("ACC-09")
def test_guards_scan_only_their_own_patrols(db: psycopg.Connection, world: World, acc: Acc,
                                            route: tuple[uuid.UUID, list[uuid.UUID]]) -> None:
    route_id, tags = route
    other = insert(db, "guards", community_id=world.c1, full_name="Guard Two", employee_number="G-002")
    theirs = insert(db, "patrol_logs", community_id=world.c1, route_id=route_id, guard_id=other)
    with as_user(db, world["guard"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            scan(cur, theirs, tags[0], "0A01")
        with expect_sqlstate(cur, "42501"):
            insert(cur, "patrol_logs", route_id=route_id, guard_id=other)
        assert cur.execute("update patrol_logs set status = 'aborted' where id = %s", (theirs,)).rowcount == 0
        with expect_sqlstate(cur, "42501"):
            cur.execute("select end_patrol(%s)", (theirs,))
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("select * from patrol_progress(%s)", (theirs,))
        assert one(cur, "select count(*) from patrol_logs") == 0


# -- ACC-10 emergency alerts -------------------------------------------------------------------------


@pytest.mark.requirement("ACC-10")
def test_an_alert_needs_a_location(db: psycopg.Connection, world: World, acc: Acc) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into emergency_alerts (emergency_type) values ('panic')")
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into emergency_alerts (emergency_type, location_description) values ('panic', ' ')")
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into emergency_alerts (emergency_type, lat) values ('panic', 19.4)")
        by = one(cur, "insert into emergency_alerts (emergency_type, unit_id) values ('medical', %s) "
                      "returning triggered_by", world.u1)
        assert by == world["R1"].id
        cur.execute("insert into emergency_alerts (emergency_type, lat, lng) values ('fire', 19.4, -99.1)")
        # Residents raise alerts only for their own units.
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into emergency_alerts (emergency_type, unit_id) values ('panic', %s)", (world.u2,))
    with as_user(db, world["guard"].claims()) as cur:
        cur.execute("insert into emergency_alerts (emergency_type, location_description) "
                    "values ('intrusion', 'North fence')")


@pytest.mark.requirement("ACC-10")
def test_an_alert_is_dispatched_and_resolved_step_by_step(db: psycopg.Connection, world: World, acc: Acc) -> None:
    stamps = "select status::text, acknowledged_at is not null, dispatched_at is not null, " \
             "on_scene_at is not null, resolved_at is not null from emergency_alerts where id = %s"
    with as_user(db, world["R1"].claims()) as cur:
        alert = insert(cur, "emergency_alerts", emergency_type="panic", unit_id=world.u1)
        assert cur.execute(stamps, (alert,)).fetchone() == ("triggered", False, False, False, False)
        act_as(cur, world["guard"])
        cur.execute("update emergency_alerts set status = 'acknowledged' where id = %s", (alert,))
        assert cur.execute(stamps, (alert,)).fetchone() == ("acknowledged", True, False, False, False)
        assert one(cur, "select acknowledged_by from emergency_alerts where id = %s", alert) == world["guard"].id
        insert(cur, "emergency_dispatches", alert_id=alert, responder_kind="guard", guard_id=acc.g1)
        assert cur.execute(stamps, (alert,)).fetchone() == ("dispatched", True, True, False, False)
        # Later dispatches leave the alert where it is.
        insert(cur, "emergency_dispatches", alert_id=alert, responder_kind="police", external_name="Patrol 12")
        cur.execute("update emergency_alerts set status = 'on_scene' where id = %s", (alert,))
        assert cur.execute(stamps, (alert,)).fetchone() == ("on_scene", True, True, True, False)
        with expect_sqlstate(cur, "23514"):
            cur.execute("update emergency_alerts set status = 'resolved' where id = %s", (alert,))
        cur.execute("update emergency_alerts set status = 'resolved', resolution_notes = 'Lost child found' "
                    "where id = %s", (alert,))
        assert cur.execute(stamps, (alert,)).fetchone() == ("resolved", True, True, True, True)
        act_as(cur, world["R1"])
        assert one(cur, "select status::text from emergency_alerts where id = %s", alert) == "resolved"


@pytest.mark.requirement("ACC-10")
def test_alert_transitions_outside_the_lifecycle_are_rejected(db: psycopg.Connection, world: World,
                                                              acc: Acc) -> None:
    def alert() -> uuid.UUID:
        return insert(db, "emergency_alerts", community_id=world.c1, emergency_type="panic", unit_id=world.u1)

    with as_user(db, world["admin"].claims()) as cur:
        target = alert()
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update emergency_alerts set status = 'resolved', resolution_notes = 'x' where id = %s",
                        (target,))
        assert str(failure.error).startswith("invalid_transition: triggered -> resolved")
        cur.execute("update emergency_alerts set status = 'false_alarm' where id = %s", (target,))
        target = alert()
        cur.execute("update emergency_alerts set status = 'acknowledged' where id = %s", (target,))
        cur.execute("update emergency_alerts set status = 'false_alarm' where id = %s", (target,))
        with expect_sqlstate(cur, "P0001"):
            cur.execute("update emergency_alerts set status = 'triggered' where id = %s", (target,))
        # A dispatch to a triggered alert does not skip acknowledging it.
        target = alert()
        insert(cur, "emergency_dispatches", alert_id=target, responder_kind="ambulance", external_name="Cruz Roja")
        assert one(cur, "select status::text from emergency_alerts where id = %s", target) == "triggered"


@pytest.mark.requirement("ACC-10")
def test_residents_may_only_cancel_their_own_triggered_alerts(db: psycopg.Connection, world: World,
                                                              acc: Acc) -> None:
    mine = insert(db, "emergency_alerts", community_id=world.c1, emergency_type="panic", unit_id=world.u1,
                  triggered_by=world["R1"].id)
    theirs = insert(db, "emergency_alerts", community_id=world.c1, emergency_type="panic", unit_id=world.u2,
                    triggered_by=world["R2"].id)
    with as_user(db, world["R1"].claims()) as cur:
        assert ids(cur, "select id from emergency_alerts where id in (%s, %s)", mine, theirs) == {mine}
        assert cur.execute("update emergency_alerts set status = 'cancelled' where id = %s", (theirs,)).rowcount == 0
        with expect_sqlstate(cur, "42501"):
            cur.execute("update emergency_alerts set status = 'acknowledged' where id = %s", (mine,))
        assert cur.execute("update emergency_alerts set status = 'cancelled' where id = %s", (mine,)).rowcount == 1
    with as_user(db, world["T1"].claims()) as cur:   # same unit
        assert ids(cur, "select id from emergency_alerts where id in (%s, %s)", mine, theirs) == {mine}


@pytest.mark.requirement("ACC-10")
def test_a_dispatch_cannot_arrive_before_it_leaves(db: psycopg.Connection, world: World, acc: Acc) -> None:
    alert = insert(db, "emergency_alerts", community_id=world.c1, emergency_type="fire", location_description="B")
    with as_user(db, world["guard"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            insert(cur, "emergency_dispatches", alert_id=alert, responder_kind="fire_department",
                   external_name="Station 4", dispatched_at=f"2026-03-09 10:00 {MX}",
                   arrived_at=f"2026-03-09 09:59 {MX}")
        with expect_sqlstate(cur, "23514"):
            insert(cur, "emergency_dispatches", alert_id=alert, responder_kind="guard")
        insert(cur, "emergency_dispatches", alert_id=alert, responder_kind="fire_department",
               external_name="Station 4", dispatched_at=f"2026-03-09 10:00 {MX}", arrived_at=f"2026-03-09 10:12 {MX}")
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        insert(cur, "emergency_dispatches", alert_id=alert, responder_kind="police", external_name="x")


# -- ACC-11 QR codes -------------------------------------------------------------------------------


def on_duty(db: psycopg.Connection, world: World, acc: Acc) -> None:
    """G1 is assigned to gate P from an hour ago to an hour from now (uncommitted)."""
    db.execute("insert into guard_assignments (community_id, guard_id, access_point_id, period) "
               "values (%s, %s, %s, tstzrange(now() - interval '1 hour', now() + interval '1 hour'))",
               (world.c1, acc.g1, acc.gate))


def issue(cur: psycopg.Cursor, invitation_id: uuid.UUID) -> tuple[uuid.UUID, str, str, int]:
    row = cur.execute("select qr_code_id, payload, signature, key_version from generate_qr_code(%s)",
                      (invitation_id,)).fetchone()
    assert row is not None
    return row


def verify(cur: psycopg.Cursor, payload: str, signature: str, point: uuid.UUID) -> tuple[str, str]:
    return cur.execute("select result, reason from verify_and_burn_qr(%s, %s, %s)",
                       (payload, signature, point)).fetchone()


@pytest.mark.requirement("ACC-11")
def test_a_single_use_code_is_granted_once_then_burned(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world, valid_until=one(db, "select now() + interval '1 day'"))
    on_duty(db, world, acc)
    with as_user(db, world["R1"].claims()) as cur:
        code, payload, signature, version = issue(cur, target)
        assert version >= 1 and len(signature) == 64
        act_as(cur, world["guard"])
        assert verify(cur, payload, signature, acc.gate) == ("granted", "ok")
        assert verify(cur, payload, signature, acc.gate) == ("denied", "already_burned")
        act_as(cur, world["R1"])
        burned = cur.execute("select status::text, burned_at is not null, burned_at_access_point_id, "
                             "burned_by_guard_id from qr_codes where id = %s", (code,)).fetchone()
        assert burned == ("burned", True, acc.gate, acc.g1)


@pytest.mark.requirement("ACC-11")
def test_a_tampered_code_has_an_invalid_signature(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["T1"].claims()) as cur:
        _code, payload, signature, _version = issue(cur, target)
        act_as(cur, world["admin"])
        changed = payload[:-1] + ("0" if payload[-1] != "0" else "1")
        assert verify(cur, changed, signature, acc.gate) == ("denied", "invalid_signature")
        forged = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        assert verify(cur, payload, forged, acc.gate) == ("denied", "invalid_signature")
        assert verify(cur, payload, signature, acc.gate) == ("granted", "ok")


@pytest.mark.requirement("ACC-11")
def test_a_burned_code_never_becomes_active_again(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        code, payload, signature, _version = issue(cur, target)
        act_as(cur, world["manager"])
        assert verify(cur, payload, signature, acc.gate) == ("granted", "ok")
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update qr_codes set status = 'active' where id = %s", (code,))
        assert str(failure.error).startswith("invalid_transition: burned -> active")
        assert one(cur, "select status::text from qr_codes where id = %s", code) == "burned"
    with as_service(db) as cur:
        code, payload, signature, _version = issue(cur, target)
        assert verify(cur, payload, signature, acc.gate) == ("granted", "ok")
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update qr_codes set status = 'active', burned_at = null where id = %s", (code,))
        assert str(failure.error).startswith("invalid_transition: burned -> active")
        for status in ("expired", "revoked"):
            with expect_sqlstate(cur, "P0001"):
                cur.execute("update qr_codes set status = %s where id = %s", (status, code))


@pytest.mark.requirement("ACC-11")
def test_revoked_expired_and_invalid_invitations_deny(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world, invitation_type="event", max_uses=None, event_name="Party",
                        valid_until=one(db, "select now() + interval '2 hours'"))
    with as_user(db, world["R1"].claims()) as cur:
        revoked = issue(cur, target)
        expiring = issue(cur, target)
        cancelled = issue(cur, target)
        reusable = issue(cur, target)
        act_as(cur, world["admin"])
        cur.execute("update qr_codes set status = 'revoked' where id = %s", (revoked[0],))
        cur.execute("update qr_codes set expires_at = now() - interval '1 minute' where id = %s", (expiring[0],))
        assert verify(cur, *revoked[1:3], acc.gate) == ("denied", "revoked")
        assert verify(cur, *expiring[1:3], acc.gate) == ("denied", "expired")
        assert one(cur, "select status::text from qr_codes where id = %s", expiring[0]) == "expired"
        # A code of a multi-use invitation is not burned; it validates with its invitation.
        assert verify(cur, *reusable[1:3], acc.gate) == ("granted", "ok")
        assert verify(cur, *reusable[1:3], acc.gate) == ("granted", "ok")
        cur.execute("update invitations set status = 'cancelled' where id = %s", (target,))
        assert verify(cur, *cancelled[1:3], acc.gate) == ("denied", "revoked")
    expired = invitation(db, world, valid_from=f"2026-01-01 00:00 {MX}", valid_until=f"2026-01-02 00:00 {MX}")
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "P0001") as failure:
        issue(cur, expired)
    assert str(failure.error).startswith("invitation_not_active")


@pytest.mark.requirement("ACC-11")
def test_only_occupants_and_staff_issue_codes(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world)
    for name in ("R2", "guard", "accountant", "A2", "R3"):
        with as_user(db, world[name].claims()) as cur, expect_sqlstate(cur, "42501"):
            issue(cur, target)
    for name in ("R1", "T1", "admin", "manager"):
        with as_user(db, world[name].claims()) as cur:
            issue(cur, target)
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into qr_codes (invitation_id, payload, signature, key_version) "
                    "values (%s, 'forged', 'ab', 1)", (target,))


@pytest.mark.requirement("ACC-11")
def test_only_the_on_duty_guard_staff_or_the_platform_verify(db: psycopg.Connection, world: World,
                                                             acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        _code, payload, signature, _version = issue(cur, target)
        for name in ("R1", "guard", "accountant", "A2"):   # the guard is not on duty
            act_as(cur, world[name])
            with expect_sqlstate(cur, "42501"):
                verify(cur, payload, signature, acc.gate)
        # C2's admin may verify at C2's gates only, where a C1 code is no code.
        act_as(cur, world["A2"])
        assert verify(cur, payload, signature, acc.c2_point) == ("denied", "invalid_signature")
        # The platform (service_role) verifies anywhere.
        cur.execute("set local role service_role")
        cur.execute("select set_config('request.jwt.claims', '{\"role\": \"service_role\"}', true)")
        assert verify(cur, payload, signature, acc.c2_point) == ("denied", "invalid_signature")
        assert verify(cur, payload, signature, acc.gate) == ("granted", "ok")


@pytest.mark.requirement("ACC-11")
def test_codes_are_read_by_staff_and_the_units_occupants_only(db: psycopg.Connection, world: World,
                                                              acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        code = issue(cur, target)[0]
        for name, seen in (("R1", 1), ("T1", 1), ("admin", 1), ("manager", 1), ("R2", 0), ("guard", 0),
                           ("accountant", 0), ("A2", 0)):
            act_as(cur, world[name])
            assert one(cur, "select count(*) from qr_codes where id = %s", code) == seen, name
            assert cur.execute("update qr_codes set expires_at = now() where id = %s",
                               (code,)).rowcount == (1 if name in ("admin", "manager") else 0), name


@pytest.mark.requirement("ACC-11")
def test_codes_are_signed_with_the_communitys_vault_key(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world, invitation_type="event", max_uses=None, event_name="Party",
                        valid_until=one(db, "select now() + interval '1 day'"))
    vault_name = f"upoe_signing_key:{world.c1}:v%s"
    db.execute("select vault.create_secret('key material 50', %s)", (vault_name % 50,))
    with as_user(db, world["R1"].claims()) as cur:
        _code, payload, signature, version = issue(cur, target)
        assert version == 50
        assert signature == hmac.new(b"key material 50", payload.encode(), hashlib.sha256).hexdigest()
        # An operator rotates the key: version 51 signs new codes, codes of version 50 still verify.
        cur.execute("set local role postgres")
        cur.execute("select vault.create_secret('key material 51', %s)", (vault_name % 51,))
        cur.execute("set local role authenticated")
        _new, new_payload, new_signature, new_version = issue(cur, target)
        assert new_version == 51
        assert new_signature == hmac.new(b"key material 51", new_payload.encode(), hashlib.sha256).hexdigest()
        act_as(cur, world["admin"])
        assert verify(cur, payload, signature, acc.gate) == ("granted", "ok")
        assert verify(cur, new_payload, new_signature, acc.gate) == ("granted", "ok")
        # A code signed with another version's key does not verify.
        assert verify(cur, payload, hmac.new(b"key material 51", payload.encode(), hashlib.sha256).hexdigest(),
                      acc.gate) == ("denied", "invalid_signature")


@pytest.mark.requirement("ACC-11")
def test_the_first_code_of_a_community_creates_its_key_in_vault(db: psycopg.Connection, world: World,
                                                                  acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        issue(cur, target)
        cur.execute("set local role postgres")
        keys = cur.execute("select name, length(decrypted_secret) from vault.decrypted_secrets "
                           "where name like %s", (f"upoe_signing_key:{world.c1}:%",)).fetchall()
        assert (f"upoe_signing_key:{world.c1}:v1", 64) in keys


@pytest.mark.requirement("ACC-11")
def test_signing_keys_are_out_of_reach_of_the_api(db: psycopg.Connection) -> None:
    for role in ("anon", "authenticated", "service_role"):
        for function in ("private.signing_key(uuid, integer, boolean)", "private.sign_payload(uuid, text)",
                         "private.verify_payload_signature(uuid, text, text, integer)"):
            assert not one(db, "select has_function_privilege(%s, %s, 'execute')", role, function), (role, function)
        assert not one(db, "select has_table_privilege(%s, 'vault.decrypted_secrets', 'select')", role)
    columns = {row[0] for row in db.execute(
        "select column_name from information_schema.columns where table_schema = 'public' "
        "and table_name = 'qr_codes'")}
    assert not columns & {"key", "secret", "hmac_key", "signing_key"}
    assert one(db, "select prosecdef from pg_proc "
                   "where oid = 'private.signing_key(uuid, integer, boolean)'::regprocedure")


def test_the_migrations_apply_without_vault(fresh_db: FreshDb, pg_cluster: PgCluster, tmp_path: Path) -> None:
    conn = fresh_db()
    conn.execute("drop schema vault cascade")
    conn.commit()
    for path in sorted(compile_with(tmp_path).glob("*.sql")):
        pg_cluster.psql_file(conn.info.dbname, path)
    assert one(conn, "select count(*) from pg_proc where proname = 'verify_and_burn_qr'") == 2


@pytest.fixture
def committed_code(db: psycopg.Connection, world: World) -> Iterator[tuple[str, str]]:
    """A single-use invitation's QR code, committed so that other connections see it."""
    target = invitation(db, world)
    db.commit()
    with as_user_committed(db, world["R1"].claims()) as cur:
        _code, payload, signature, _version = issue(cur, target)
    yield payload, signature


@pytest.mark.requirement("ACC-11")
def test_two_concurrent_verifications_grant_exactly_once(db: psycopg.Connection, world: World, acc: Acc,
                                                         pg_cluster: PgCluster,
                                                         committed_code: tuple[str, str]) -> None:
    payload, signature = committed_code
    admin, manager = world["admin"], world["manager"]
    first = psycopg.connect(pg_cluster.dsn(db.info.dbname))
    second = psycopg.connect(pg_cluster.dsn(db.info.dbname))
    monitor = psycopg.connect(pg_cluster.dsn(db.info.dbname), autocommit=True)
    results: dict[str, tuple[str, str]] = {}
    try:
        with as_user_committed(first, admin.claims()) as cur:
            results["first"] = verify(cur, payload, signature, acc.gate)

            def other() -> None:
                with as_user(second, manager.claims()) as other_cur:
                    results["second"] = verify(other_cur, payload, signature, acc.gate)

            thread = threading.Thread(target=other)
            thread.start()
            # The second call must be waiting for the first one's row lock before the first commits.
            deadline = time.monotonic() + 10
            while one(monitor, "select wait_event_type from pg_stat_activity where pid = %s",
                      second.info.backend_pid) != "Lock":
                assert time.monotonic() < deadline, "the second verification never waited for the row lock"
                time.sleep(0.02)
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        for conn in (first, second, monitor):
            conn.close()
    assert sorted(results.values()) == [("denied", "already_burned"), ("granted", "ok")]
    assert results["first"] == ("granted", "ok")


@pytest.mark.requirement("ACC-11")
def test_racing_verifications_grant_exactly_once(db: psycopg.Connection, world: World, acc: Acc,
                                                 pg_cluster: PgCluster, committed_code: tuple[str, str]) -> None:
    payload, signature = committed_code
    barrier = threading.Barrier(4)
    results: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def attempt(user: User) -> None:
        try:
            with psycopg.connect(pg_cluster.dsn(db.info.dbname)) as conn, \
                    as_user_committed(conn, user.claims()) as cur:
                barrier.wait(timeout=10)
                results.append(verify(cur, payload, signature, acc.gate))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(world[name],)) for name in ("admin", "manager") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert sorted(results) == [("denied", "already_burned")] * 3 + [("granted", "ok")]


# -- ACC-02 x ACC-11: the invitation's uses, whatever code is shown ----------------------------------


def uses(cur: psycopg.Cursor | psycopg.Connection, target: uuid.UUID) -> tuple[str, int]:
    row = cur.execute("select status::text, uses_count from invitations where id = %s", (target,)).fetchone()
    assert row is not None
    return row


def granted_logs(cur: psycopg.Cursor | psycopg.Connection, target: uuid.UUID) -> int:
    return one(cur, "select count(*) from access_logs where invitation_id = %s and result = 'granted'", target)


@pytest.mark.requirement("ACC-02", "ACC-11")
def test_two_codes_of_a_single_use_invitation_admit_one_visitor(db: psycopg.Connection, world: World,
                                                               acc: Acc) -> None:
    target = invitation(db, world)
    on_duty(db, world, acc)
    with as_user(db, world["R1"].claims()) as cur:
        first, second = issue(cur, target), issue(cur, target)
        act_as(cur, world["guard"])
        assert verify(cur, *first[1:3], acc.gate) == ("granted", "ok")
        # The second code was never shown, but the invitation it admits for is used up.
        assert verify(cur, *second[1:3], acc.gate) == ("denied", "already_used")
        assert verify(cur, *first[1:3], acc.gate) == ("denied", "already_burned")
        assert uses(cur, target) == ("used", 1)
        assert granted_logs(cur, target) == 1
        act_as(cur, world["R1"])
        assert one(cur, "select status::text from qr_codes where id = %s", second[0]) == "active"
        # … and no further code is issued for it.
        with expect_sqlstate(cur, "P0001") as failure:
            issue(cur, target)
        assert str(failure.error).startswith(f"invitation_not_active: invitation {target} is used")


@pytest.mark.requirement("ACC-02", "ACC-11")
def test_an_invitation_of_two_uses_admits_two_visitors(db: psycopg.Connection, world: World, acc: Acc) -> None:
    target = invitation(db, world, invitation_type="event", max_uses=2, event_name="Dinner",
                        valid_until=one(db, "select now() + interval '1 day'"))
    with as_user(db, world["R1"].claims()) as cur:
        codes = [issue(cur, target) for _ in range(3)]
        act_as(cur, world["admin"])
        assert verify(cur, *codes[0][1:3], acc.gate) == ("granted", "ok")
        assert uses(cur, target) == ("active", 1)
        assert verify(cur, *codes[1][1:3], acc.gate) == ("granted", "ok")
        assert uses(cur, target) == ("used", 2)
        assert verify(cur, *codes[2][1:3], acc.gate) == ("denied", "already_used")
        # A code of a multi-use invitation is not burned, but its invitation has no use left.
        assert verify(cur, *codes[0][1:3], acc.gate) == ("denied", "already_used")
        assert uses(cur, target) == ("used", 2)
        assert granted_logs(cur, target) == 2


@pytest.mark.requirement("ACC-02", "ACC-11")
def test_a_granted_verification_is_logged_once_and_counted_once(db: psycopg.Connection, world: World,
                                                                acc: Acc) -> None:
    target = invitation(db, world)
    unlimited = invitation(db, world, invitation_type="event", max_uses=None, event_name="Open house",
                           valid_until=one(db, "select now() + interval '1 day'"))
    way_out = insert(db, "access_points", community_id=world.c1, name="Way out", access_point_type="door",
                     direction="exit")
    on_duty(db, world, acc)
    logged = ("select access_point_id, direction::text, method::text, result::text, person_type::text, unit_id, "
              "guard_id from access_logs where invitation_id = %s order by logged_at")
    with as_user(db, world["R1"].claims()) as cur:
        code = issue(cur, target)
        open_codes = [issue(cur, unlimited), issue(cur, unlimited)]
        act_as(cur, world["guard"])
        # Denied verifications neither log nor count.
        assert verify(cur, code[1], "00" * 32, acc.gate) == ("denied", "invalid_signature")
        assert uses(cur, target) == ("active", 0)
        assert cur.execute(logged, (target,)).fetchall() == []
        # The verification writes the granted log (at a gate for both ways: an entry), and that log is
        # the one use: uses_count 1, not 1 for the burn plus 1 for the log.
        assert verify(cur, *code[1:3], acc.gate) == ("granted", "ok")
        assert cur.execute(logged, (target,)).fetchall() == [
            (acc.gate, "entry", "qr_code", "granted", "visitor", world.u1, acc.g1)]
        assert uses(cur, target) == ("used", 1)
        assert verify(cur, *code[1:3], acc.gate) == ("denied", "already_burned")
        assert cur.execute(logged, (target,)).fetchall() == [
            (acc.gate, "entry", "qr_code", "granted", "visitor", world.u1, acc.g1)]
        assert uses(cur, target) == ("used", 1)
        # An unlimited invitation counts each admission once, in the direction of the access point.
        act_as(cur, world["manager"])
        assert verify(cur, *open_codes[0][1:3], way_out) == ("granted", "ok")
        assert verify(cur, *open_codes[1][1:3], acc.gate) == ("granted", "ok")
        assert cur.execute(logged, (unlimited,)).fetchall() == [
            (way_out, "exit", "qr_code", "granted", "visitor", world.u1, None),
            (acc.gate, "entry", "qr_code", "granted", "visitor", world.u1, None)]
        assert uses(cur, unlimited) == ("active", 2)


@pytest.mark.requirement("ACC-02", "ACC-11")
def test_an_entry_logged_by_hand_uses_the_invitation_its_codes_admit_for(db: psycopg.Connection, world: World,
                                                                          acc: Acc) -> None:
    target = invitation(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        code = issue(cur, target)
        act_as(cur, world["guard"])
        cur.execute("insert into access_logs (access_point_id, direction, method, result, person_type, "
                    "invitation_id) values (%s, 'entry', 'manual', 'granted', 'visitor', %s)", (acc.gate, target))
        act_as(cur, world["admin"])
        assert verify(cur, *code[1:3], acc.gate) == ("denied", "already_used")
        assert uses(cur, target) == ("used", 1)
        assert granted_logs(cur, target) == 1


@pytest.fixture
def committed_codes(db: psycopg.Connection, world: World) -> tuple[uuid.UUID, list[tuple[str, str]]]:
    """A single-use invitation with four QR codes, committed so that other connections see them."""
    target = invitation(db, world)
    db.commit()
    with as_user_committed(db, world["R1"].claims()) as cur:
        codes = [issue(cur, target)[1:3] for _ in range(4)]
    return target, codes


@pytest.mark.requirement("ACC-02", "ACC-11")
def test_two_codes_of_one_invitation_verified_concurrently_admit_once(
        db: psycopg.Connection, world: World, acc: Acc, pg_cluster: PgCluster,
        committed_codes: tuple[uuid.UUID, list[tuple[str, str]]]) -> None:
    target, codes = committed_codes
    first = psycopg.connect(pg_cluster.dsn(db.info.dbname))
    second = psycopg.connect(pg_cluster.dsn(db.info.dbname))
    monitor = psycopg.connect(pg_cluster.dsn(db.info.dbname), autocommit=True)
    results: dict[str, tuple[str, str]] = {}
    try:
        with as_user_committed(first, world["admin"].claims()) as cur:
            results["first"] = verify(cur, *codes[0], acc.gate)

            def other() -> None:
                with as_user_committed(second, world["manager"].claims()) as other_cur:
                    results["second"] = verify(other_cur, *codes[1], acc.gate)

            thread = threading.Thread(target=other)
            thread.start()
            # Another code, so not the code's lock: the second call must wait for the invitation's.
            deadline = time.monotonic() + 10
            while one(monitor, "select wait_event_type from pg_stat_activity where pid = %s",
                      second.info.backend_pid) != "Lock":
                assert time.monotonic() < deadline, "the second verification never waited for the invitation"
                time.sleep(0.02)
            assert one(monitor, "select pg_blocking_pids(%s)", second.info.backend_pid) == [first.info.backend_pid]
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        for conn in (first, second, monitor):
            conn.close()
    assert results == {"first": ("granted", "ok"), "second": ("denied", "already_used")}
    assert uses(db, target) == ("used", 1)
    assert granted_logs(db, target) == 1


@pytest.mark.requirement("ACC-02", "ACC-11")
def test_racing_codes_of_one_invitation_admit_once(db: psycopg.Connection, world: World, acc: Acc,
                                                   pg_cluster: PgCluster,
                                                   committed_codes: tuple[uuid.UUID, list[tuple[str, str]]]) -> None:
    target, codes = committed_codes
    barrier = threading.Barrier(len(codes))
    results: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def attempt(user: User, code: tuple[str, str]) -> None:
        try:
            with psycopg.connect(pg_cluster.dsn(db.info.dbname)) as conn, \
                    as_user_committed(conn, user.claims()) as cur:
                barrier.wait(timeout=10)
                results.append(verify(cur, *code, acc.gate))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(world[name], code))
               for name, code in zip(("admin", "manager") * 2, codes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert sorted(results) == [("denied", "already_used")] * 3 + [("granted", "ok")]
    assert uses(db, target) == ("used", 1)
    assert granted_logs(db, target) == 1


# -- tenant isolation for every ACC table ------------------------------------------------------


def foreign_rows(world: World, acc: Acc) -> dict[str, dict[str, object]]:
    """Valid rows of C2 for each ACC table."""
    c2 = {"community_id": world.c2}
    return {
        "access_points": {**c2, "name": "Other gate", "access_point_type": "door"},
        "invitations": {**c2, "host_resident_id": world.resident_ids["R3"], "unit_id": world.u3,
                        "invitation_type": "vehicle_preauth", "vehicle_plate": "AAA111"},
        "access_logs": {**c2, "access_point_id": acc.c2_point, "direction": "entry", "method": "manual",
                        "result": "denied"},
        "blacklist_entries": {**c2, "person_name": "Somebody", "reason": "Threats"},
        "guards": {**c2, "full_name": "Other guard", "employee_number": "G-399"},
        "guard_certifications": {**c2, "guard_id": acc.c2_guard, "certification_type": "first_aid",
                                 "issued_on": "2025-01-01"},
        "guard_shifts": {**c2, "name": "Other shift", "start_time": "08:00", "end_time": "16:00"},
        "guard_assignments": {**c2, "guard_id": acc.c2_guard, "access_point_id": acc.c2_point,
                              "period": period("2030-01-01 08:00", "2030-01-01 16:00")},
        "patrol_routes": {**c2, "name": "Other route", "expected_duration_minutes": 20},
        "patrol_checkpoints": {**c2, "name": "Other tag", "nfc_serial": "C2:FF"},
        "patrol_route_checkpoints": {**c2, "route_id": acc.c2_route, "checkpoint_id": acc.c2_checkpoint,
                                     "sequence_order": 9},
        "patrol_logs": {**c2, "route_id": acc.c2_route, "guard_id": acc.c2_guard},
        "patrol_checkpoint_scans": {**c2, "patrol_log_id": acc.c2_patrol, "checkpoint_id": acc.c2_checkpoint,
                                    "nfc_serial_read": "C20001"},
        "emergency_alerts": {**c2, "emergency_type": "medical", "location_description": "Pool"},
        "emergency_dispatches": {**c2, "alert_id": acc.c2_alert, "responder_kind": "police",
                                 "external_name": "Unit 7"},
        "qr_codes": {**c2, "invitation_id": acc.c2_invitation, "payload": "upoe-qr:test", "signature": "00",
                     "key_version": 1},
    }


ACC_TABLES = ("access_points", "invitations", "access_logs", "blacklist_entries", "guards", "guard_certifications",
              "guard_shifts", "guard_assignments", "patrol_routes", "patrol_checkpoints", "patrol_route_checkpoints",
              "patrol_logs", "patrol_checkpoint_scans", "emergency_alerts", "emergency_dispatches", "qr_codes")


@pytest.mark.parametrize("table", ACC_TABLES)
@pytest.mark.parametrize("user", ["admin", "guard", "R1"])
def test_every_acc_table_is_isolated_per_community(db: psycopg.Connection, world: World, acc: Acc, table: str,
                                                   user: str) -> None:
    assert_tenant_isolation(db, table, foreign_rows(world, acc)[table], world[user])


def test_the_isolation_list_covers_every_acc_table(db: psycopg.Connection) -> None:
    tables = {row[0] for row in db.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind = 'r' "
        "and obj_description(c.oid, 'pg_class') ~ 'Requirements: ([A-Z]+-[0-9]+, )*ACC-'")}
    assert tables == set(ACC_TABLES)


def test_acc_functions_pin_their_search_path_and_hide_definer_bodies(db: psycopg.Connection) -> None:
    rows = db.execute(
        "select p.oid::regprocedure::text, n.nspname, p.prosecdef, p.proconfig "
        "from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname in ('public', 'private') and (obj_description(p.oid, 'pg_proc') ~ 'ACC-' "
        # and the trigger functions the constructs generate for ACC tables (normalize, guarded_columns, …)
        "or p.oid in (select t.tgfoid from pg_trigger t where not t.tgisinternal "
        "and t.tgrelid = any (%s::text[]::regclass[])))",
        ([f"public.{table}" for table in ACC_TABLES],)).fetchall()
    names = {row[0] for row in rows}
    assert len(rows) >= 16  # the signing helpers moved to the foundation domain
    assert {"private.access_logs_normalize()", "private.blacklist_entries_normalize()",
            "private.patrol_checkpoints_normalize()", "private.invitations_guard_columns()"} <= names
    for name, schema, definer, config in rows:
        assert config == ["search_path=\"\""] or config == ['search_path=""'], name
        assert not definer or schema == "private", name
        assert not one(db, "select has_function_privilege('anon', %s, 'execute')", name), name
