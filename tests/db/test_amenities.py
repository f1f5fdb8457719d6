"""Phase 5 — amenities and reservations (REQUIREMENTS.md AMEN-01..03) on a real PostgreSQL, run as
Supabase runs API requests: every acceptance bullet shown working and its violation rejected with
the contract's SQLSTATE and message, as the catalogue's fixture users, plus the attacks a resident
of the same community could try on reservations. Clock times are C1 local time (X-08)."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from tests.db.conftest import SPEC
from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_user, expect_sqlstate, one
from tests.support.world import World
from upoe_compiler.api import analyse
from upoe_compiler.ir import Table

# A Saturday, far enough ahead that no booking of it is late.
SATURDAY = "2027-03-13"
BOOK = ("insert into reservations (amenity_id, unit_id, reserved_range, guest_count) "
        "values (%s, %s, tstzrange(%s::timestamptz, %s::timestamptz), %s) returning id")


def local(day: str, clock: str) -> str:
    """An instant written in C1's time zone, as the contract's checks write them."""
    return f"{day} {clock} America/Mexico_City"


def amenity(db: psycopg.Connection | psycopg.Cursor, world: World, **columns: Any) -> uuid.UUID:
    """An amenity of C1 made by the platform: exclusive, capacity 20, no approval, unless told."""
    values = {"name": f"Amenity {uuid.uuid4().hex[:8]}", "capacity": 20, **columns}
    return one(db, f"insert into amenities (community_id, {', '.join(values)}) "
                   f"values (%s{', %s' * len(values)}) returning id", world.c1, *values.values())


def book(cur: psycopg.Cursor, amenity_id: uuid.UUID, unit: uuid.UUID, start: str, end: str,
         guests: int = 1, day: str = SATURDAY) -> uuid.UUID:
    return one(cur, BOOK, amenity_id, unit, local(day, start), local(day, end), guests)


def status(cur: psycopg.Cursor | psycopg.Connection, reservation: uuid.UUID) -> str:
    return one(cur, "select status::text from reservations where id = %s", reservation)


def refused(cur: psycopg.Cursor, code: str, query: str, *params: object) -> str:
    """The message of the error `query` fails with, which must carry SQLSTATE `code`."""
    with expect_sqlstate(cur, code) as failure:
        cur.execute(query, params)
    return str(failure.error)


# -- AMEN-01 amenities catalogue --------------------------------------------------------------------


@pytest.mark.requirement("AMEN-01")
def test_amenity_photos_and_rules_lie_in_the_amenitys_folder_of_community_media(
        db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world)
    folder = f"{world.c1}/amenities/{hall}"
    upload = "insert into storage.objects (bucket_id, name) values ('community-media', %s)"
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute(upload, (f"{folder}/front.jpg",))
        cur.execute(upload, (f"{folder}/rules.pdf",))
        cur.execute("insert into amenity_photos (amenity_id, storage_path, sort_order) values (%s, %s, 1)",
                    (hall, f"{folder}/front.jpg"))
        cur.execute("update amenities set rules_document_path = %s where id = %s", (f"{folder}/rules.pdf", hall))
        # Every member of the community reads them; a resident uploads nothing there, and another
        # community reads nothing.
        with as_user(db, world["R1"].claims()) as resident:
            assert one(resident, "select count(*) from storage.objects where name like %s", f"{folder}/%") == 2
            refused(resident, "42501", upload, f"{folder}/mine.jpg")
        with as_user(db, world["R3"].claims()) as stranger:
            assert one(stranger, "select count(*) from storage.objects where name like %s", f"{folder}/%") == 0


@pytest.mark.requirement("AMEN-01")
def test_staff_keep_the_catalogue_and_every_member_reads_it(db: psycopg.Connection, world: World) -> None:
    insert = "insert into amenities (name, amenity_type, capacity, booking_mode) values (%s, 'event_hall', %s, %s) "
    with as_user(db, world["manager"].claims()) as cur:
        hall = one(cur, insert + "returning id", "Salón de eventos", 80, "exclusive")
        assert cur.execute("select cancellation_cutoff_hours, requires_approval, status::text from amenities "
                           "where id = %s", (hall,)).fetchone() == (24, False, "available")
        refused(cur, "23514", insert, "Alberca", 0, "shared")
        photo = f"{world.c1}/amenities/{hall}/hall.jpg"
        cur.execute("insert into amenity_photos (amenity_id, storage_path, sort_order) values (%s, %s, 1)",
                    (hall, photo))
        # a stored path lies in the row's community.
        refused(cur, "23514", "insert into amenity_photos (amenity_id, storage_path) values (%s, %s)",
                hall, f"{world.c2}/amenities/{hall}/hall.jpg")
        with as_user(db, world["R1"].claims()) as resident:
            assert one(resident, "select count(*) from amenities where id = %s", hall) == 1
            assert one(resident, "select storage_path from amenity_photos where amenity_id = %s", hall) == photo
            refused(resident, "42501", insert, "Gimnasio", 10, "shared")
            refused(resident, "42501", "insert into amenity_photos (amenity_id, storage_path) values (%s, %s)",
                    hall, photo)
            assert resident.execute("update amenities set capacity = 1 where id = %s", (hall,)).rowcount == 0
    amenity(db, world, name="Asador")
    with as_user(db, world["R3"].claims()) as cur:
        assert one(cur, "select count(*) from amenities where community_id = %s", world.c1) == 0


@pytest.mark.requirement("AMEN-01")
@pytest.mark.parametrize("amenity_status", ["maintenance", "closed"])
def test_an_amenity_out_of_service_takes_no_reservation(db: psycopg.Connection, world: World,
                                                         amenity_status: str) -> None:
    pool = amenity(db, world, status=amenity_status)
    with as_user(db, world["R1"].claims()) as cur:
        message = refused(cur, "P0001", BOOK, pool, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"), 1)
        assert message.startswith("amenity_unavailable")
        assert cur.execute("select ok, reason from is_amenity_open(%s, tstzrange(%s::timestamptz, %s::timestamptz))",
                           (pool, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))).fetchone() \
            == (False, "amenity_unavailable")
    db.execute("update amenities set status = 'available' where id = %s", (pool,))
    with as_user(db, world["R1"].claims()) as cur:
        assert status(cur, book(cur, pool, world.u1, "10:00", "12:00")) == "confirmed"


@pytest.mark.requirement("AMEN-01")
def test_an_amenity_that_is_not_bookable_takes_no_reservation(db: psycopg.Connection, world: World) -> None:
    playground = amenity(db, world, amenity_type="playground", booking_mode="not_bookable")
    with as_user(db, world["admin"].claims()) as cur:
        message = refused(cur, "P0001", BOOK, playground, world.u1, local(SATURDAY, "10:00"),
                          local(SATURDAY, "11:00"), 1)
        assert message.startswith("amenity_unavailable")


# -- AMEN-02 schedules and closures -----------------------------------------------------------------


@pytest.mark.requirement("AMEN-02")
def test_a_reservation_lies_inside_the_opening_hours(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world)
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute("insert into amenity_schedules (amenity_id, day_of_week, open_time, close_time) "
                    "values (%s, 6, '10:00', '22:00')", (hall,))
        refused(cur, "23514", "insert into amenity_schedules (amenity_id, day_of_week, open_time, close_time) "
                              "values (%s, 6, '22:00', '10:00')", hall)
        refused(cur, "23514", "insert into amenity_schedules (amenity_id, day_of_week, open_time, close_time) "
                              "values (%s, 8, '10:00', '22:00')", hall)
        with as_user(db, world["R1"].claims()) as resident:
            assert one(resident, "select count(*) from amenity_schedules where amenity_id = %s", hall) == 1
            refused(resident, "42501", "insert into amenity_schedules (amenity_id, day_of_week, open_time, "
                                       "close_time) values (%s, 7, '10:00', '22:00')", hall)
            verdict = "select ok, reason from is_amenity_open(%s, tstzrange(%s::timestamptz, %s::timestamptz))"
            assert resident.execute(verdict, (hall, local(SATURDAY, "21:00"), local(SATURDAY, "23:00"))).fetchone() \
                == (False, "outside_schedule")
            assert resident.execute(verdict, (hall, local(SATURDAY, "20:00"), local(SATURDAY, "22:00"))).fetchone() \
                == (True, "ok")
            # 2027-03-14 is a Sunday: closed all day.
            assert resident.execute(verdict, (hall, local("2027-03-14", "11:00"), local("2027-03-14", "12:00"))
                                    ).fetchone() == (False, "outside_schedule")
            message = refused(resident, "P0001", BOOK, hall, world.u1, local(SATURDAY, "21:00"),
                              local(SATURDAY, "23:00"), 1)
            assert message.startswith("outside_schedule")
            refused(resident, "P0001", BOOK, hall, world.u1, local(SATURDAY, "09:00"), local(SATURDAY, "11:00"), 1)
            assert status(resident, book(resident, hall, world.u1, "20:00", "22:00")) == "confirmed"


@pytest.mark.requirement("AMEN-02")
def test_opening_hours_are_read_in_the_communitys_time_zone(db: psycopg.Connection, world: World) -> None:
    # 10:00-22:00 local is 16:00-04:00 UTC: a session zone of UTC would call 21:00 local closed.
    hall = amenity(db, world)
    db.execute("insert into amenity_schedules (community_id, amenity_id, day_of_week, open_time, close_time) "
               "values (%s, %s, 6, '10:00', '14:00'), (%s, %s, 6, '14:00', '22:00')", (world.c1, hall, world.c1, hall))
    with as_user(db, world["R1"].claims()) as cur:
        # Two windows that follow on from each other hold one booking across them.
        assert status(cur, book(cur, hall, world.u1, "12:00", "16:00")) == "confirmed"
        assert status(cur, book(cur, hall, world.u1, "21:00", "22:00")) == "confirmed"


@pytest.mark.requirement("AMEN-02")
def test_a_closure_keeps_reservations_out(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world)
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("insert into amenity_closures (amenity_id, period, closure_type, reason) "
                    "values (%s, tstzrange(%s::timestamptz, %s::timestamptz), 'maintenance', 'Pintura')",
                    (hall, local(SATURDAY, "08:00"), local(SATURDAY, "12:00")))
        refused(cur, "23514", "insert into amenity_closures (amenity_id, period) values (%s, tstzrange(now(), null))",
                hall)
        with as_user(db, world["R1"].claims()) as resident:
            assert one(resident, "select count(*) from amenity_closures where amenity_id = %s", hall) == 1
            refused(resident, "42501", "insert into amenity_closures (amenity_id, period) "
                                       "values (%s, tstzrange(now(), now() + interval '1 hour'))", hall)
            message = refused(resident, "P0001", BOOK, hall, world.u1, local(SATURDAY, "11:00"),
                              local(SATURDAY, "13:00"), 1)
            assert message.startswith("amenity_closed")
            # Half-open ranges: a booking from the closure's end touches it without overlapping.
            assert status(resident, book(resident, hall, world.u1, "12:00", "14:00")) == "confirmed"


# -- AMEN-03 reservations ----------------------------------------------------------------------------


@pytest.mark.requirement("AMEN-03")
def test_an_exclusive_amenity_is_never_double_booked(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, booking_mode="exclusive")
    with as_user(db, world["R1"].claims()) as cur:
        first = book(cur, hall, world.u1, "10:00", "12:00")
        assert status(cur, first) == "confirmed"
        assert one(cur, "select is_exclusive from reservations where id = %s", first) is True
        with as_user(db, world["R2"].claims()) as other:
            message = refused(other, "23P01", BOOK, hall, world.u2, local(SATURDAY, "11:00"),
                              local(SATURDAY, "13:00"), 1)
            assert "reservations_amenity_id_reserved_range_excl" in message
            assert status(other, book(other, hall, world.u2, "12:00", "14:00")) == "confirmed"
        cur.execute("update reservations set status = 'cancelled' where id = %s", (first,))
        assert status(cur, book(cur, hall, world.u1, "11:00", "13:00")) == "confirmed"


@pytest.mark.requirement("AMEN-03")
def test_a_pending_reservation_holds_its_slot_too(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, requires_approval=True)
    with as_user(db, world["R1"].claims()) as cur:
        assert status(cur, book(cur, hall, world.u1, "10:00", "12:00")) == "pending"
        refused(cur, "23P01", BOOK, hall, world.u1, local(SATURDAY, "11:00"), local(SATURDAY, "13:00"), 1)


@pytest.mark.requirement("AMEN-03")
def test_a_shared_amenity_holds_overlapping_reservations_up_to_its_capacity(db: psycopg.Connection,
                                                                          world: World) -> None:
    pool = amenity(db, world, amenity_type="pool", booking_mode="shared", capacity=20)
    with as_user(db, world["R1"].claims()) as cur:
        first = book(cur, pool, world.u1, "10:00", "12:00", guests=15)
        assert one(cur, "select is_exclusive from reservations where id = %s", first) is False
        message = refused(cur, "P0001", BOOK, pool, world.u1, local(SATURDAY, "11:00"), local(SATURDAY, "13:00"), 6)
        assert message.startswith("capacity_exceeded")
        book(cur, pool, world.u1, "11:00", "13:00", guests=5)
        # After the first ends only the 5 remain: 15 more fit from 12:00.
        book(cur, pool, world.u1, "12:00", "14:00", guests=15)
        refused(cur, "P0001", BOOK, pool, world.u1, local(SATURDAY, "12:30"), local(SATURDAY, "13:30"), 1)
        refused(cur, "P0001", BOOK, pool, world.u1, local(SATURDAY, "15:00"), local(SATURDAY, "16:00"), 21)
        # A cancelled reservation leaves its places.
        cur.execute("update reservations set status = 'cancelled' where id = %s", (first,))
        book(cur, pool, world.u1, "10:00", "11:00", guests=15)


@pytest.mark.requirement("AMEN-03")
def test_more_guests_than_an_exclusive_amenity_holds_are_refused(db: psycopg.Connection, world: World) -> None:
    grill = amenity(db, world, amenity_type="grill_area", capacity=10)
    with as_user(db, world["R1"].claims()) as cur:
        assert refused(cur, "P0001", BOOK, grill, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"),
                       11).startswith("capacity_exceeded")


@pytest.mark.requirement("AMEN-03")
def test_reservations_start_pending_only_where_staff_approve_them(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, requires_approval=True)
    court = amenity(db, world, amenity_type="court")
    insert_as = ("insert into reservations (amenity_id, unit_id, reserved_range, status) "
                 "values (%s, %s, tstzrange(%s::timestamptz, %s::timestamptz), %s) returning id")
    with as_user(db, world["R1"].claims()) as cur:
        pending = book(cur, hall, world.u1, "10:00", "12:00")
        assert cur.execute("select status::text, approved_by, approved_at from reservations where id = %s",
                           (pending,)).fetchone() == ("pending", None, None)
        message = refused(cur, "P0001", insert_as, hall, world.u1, local(SATURDAY, "13:00"), local(SATURDAY, "14:00"),
                          "confirmed")
        assert message.startswith("invalid_transition: null -> confirmed")
        refused(cur, "P0001", insert_as, court, world.u1, local(SATURDAY, "13:00"), local(SATURDAY, "14:00"),
                "completed")
        assert status(cur, book(cur, court, world.u1, "10:00", "12:00")) == "confirmed"
    with as_user(db, world["manager"].claims()) as cur:
        # Staff book for any unit, and may book confirmed straight away: they are the approvers.
        staffed = one(cur, insert_as, hall, world.u2, local(SATURDAY, "15:00"), local(SATURDAY, "16:00"), "confirmed")
        assert cur.execute("select status::text, approved_by from reservations where id = %s",
                           (staffed,)).fetchone() == ("confirmed", world["manager"].id)


@pytest.mark.requirement("AMEN-03")
def test_only_staff_confirm_reject_or_mark_no_shows(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, requires_approval=True)
    with as_user(db, world["R1"].claims()) as cur:
        mine = book(cur, hall, world.u1, "10:00", "12:00")
        other = book(cur, hall, world.u1, "14:00", "16:00")
        for target in ("confirmed", "rejected"):
            refused(cur, "42501", "update reservations set status = %s where id = %s", target, mine)
        with as_user(db, world["guard"].claims()) as guard:
            assert one(guard, "select count(*) from reservations where id in (%s, %s)", mine, other) == 2
            assert guard.execute("update reservations set status = 'confirmed' where id = %s",
                                 (mine,)).rowcount == 0
        with as_user(db, world["admin"].claims()) as admin:
            admin.execute("update reservations set status = 'confirmed' where id = %s", (mine,))
            assert admin.execute("select status::text, approved_by, approved_at is not null from reservations "
                                 "where id = %s", (mine,)).fetchone() == ("confirmed", world["admin"].id, True)
            message = refused(admin, "P0001", "update reservations set status = 'pending' where id = %s", mine)
            assert message.startswith("invalid_transition: confirmed -> pending")
            admin.execute("update reservations set status = 'rejected' where id = %s", (other,))
            refused(admin, "P0001", "update reservations set status = 'confirmed' where id = %s", other)
            with as_user(db, world["R1"].claims()) as resident:
                for target in ("no_show", "completed"):
                    refused(resident, "42501", "update reservations set status = %s where id = %s", target, mine)
            # A no-show is marked once the reservation has ended (AMEN-07).
            message = refused(admin, "P0001", "update reservations set status = 'no_show' where id = %s", mine)
            assert message.startswith("reservation_not_ended")


@pytest.mark.requirement("AMEN-03")
@pytest.mark.parametrize(("hours_ahead", "late"), [(2, True), (48, False)])
def test_a_cancellation_after_the_cutoff_is_late(db: psycopg.Connection, world: World, hours_ahead: int,
                                                 late: bool) -> None:
    court = amenity(db, world, amenity_type="court", cancellation_cutoff_hours=24)
    with as_user(db, world["R1"].claims()) as cur:
        booked = one(cur, "insert into reservations (amenity_id, unit_id, reserved_range) values (%s, %s, "
                          "tstzrange(now() + make_interval(hours => %s), now() + make_interval(hours => %s))) "
                          "returning id", court, world.u1, hours_ahead, hours_ahead + 1)
        cur.execute("update reservations set status = 'cancelled', cancellation_reason = 'Viaje' where id = %s",
                    (booked,))
        assert cur.execute("select status::text, is_late_cancellation, cancelled_at is not null, "
                           "cancellation_reason from reservations where id = %s", (booked,)).fetchone() \
            == ("cancelled", late, True, "Viaje")


@pytest.mark.requirement("AMEN-03")
def test_residents_see_and_cancel_only_their_units_reservations(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        mine = book(cur, hall, world.u1, "10:00", "12:00")
        assert one(cur, "select resident_id from reservations where id = %s", mine) == world.resident_ids["R1"]
        with as_user(db, world["T1"].claims()) as tenant:
            # T1 lives in U1: they see it and may cancel it.
            assert one(tenant, "select count(*) from reservations where id = %s", mine) == 1
        with as_user(db, world["R2"].claims()) as neighbour:
            assert one(neighbour, "select count(*) from reservations where id = %s", mine) == 0
            assert neighbour.execute("update reservations set status = 'cancelled' where id = %s",
                                     (mine,)).rowcount == 0
        with as_user(db, world["accountant"].claims()) as accountant:
            assert one(accountant, "select count(*) from reservations where id = %s", mine) == 0


# -- attacks from inside the community -----------------------------------------------------------------


@pytest.mark.requirement("AMEN-03")
def test_a_resident_books_only_for_their_unit_as_themselves(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", BOOK, hall, world.u2, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"), 1)
        message = refused(cur, "42501", "insert into reservations (amenity_id, unit_id, resident_id, reserved_range) "
                                        "values (%s, %s, %s, tstzrange(%s::timestamptz, %s::timestamptz))",
                          hall, world.u1, world.resident_ids["T1"], local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))
        assert "resident_id" in message
    with as_user(db, world["admin"].claims()) as cur:
        named = one(cur, "insert into reservations (amenity_id, unit_id, resident_id, reserved_range) "
                         "values (%s, %s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning resident_id",
                    hall, world.u2, world.resident_ids["R2"], local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))
        assert named == world.resident_ids["R2"]


@pytest.mark.requirement("AMEN-03")
@pytest.mark.parametrize("column, value", [
    ("approved_by", "owner"), ("approved_at", "now()"), ("cancelled_at", "now()"), ("is_exclusive", "true"),
    ("is_late_cancellation", "true"), ("deposit_status", "'refunded'"), ("move_request_id", "gen_random_uuid()"),
    ("charge_transaction_id", "gen_random_uuid()"), ("deposit_transaction_id", "gen_random_uuid()"),
    ("no_show_marked_at", "now()"), ("no_show_marked_by", "owner"),
])
def test_a_resident_cannot_write_what_the_database_decides(db: psycopg.Connection, world: World, column: str,
                                                            value: str) -> None:
    # Shared, so that is_exclusive = true differs from the default and from what the database copies.
    hall = amenity(db, world, booking_mode="shared")
    value = f"'{world['R1'].id}'" if value == "owner" else value
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", f"insert into reservations (amenity_id, unit_id, reserved_range, {column}) values "
                              f"(%s, %s, tstzrange(%s::timestamptz, %s::timestamptz), {value})",
                hall, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))
        mine = book(cur, hall, world.u1, "10:00", "12:00")
        refused(cur, "42501", f"update reservations set {column} = {value} where id = %s", mine)


@pytest.mark.requirement("AMEN-03")
def test_a_resident_may_only_cancel(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, cancellation_cutoff_hours=24)
    court = amenity(db, world, amenity_type="court")
    with as_user(db, world["R1"].claims()) as cur:
        soon = one(cur, "insert into reservations (amenity_id, unit_id, reserved_range) values (%s, %s, "
                        "tstzrange(now() + interval '2 hours', now() + interval '3 hours')) returning id",
                   hall, world.u1)
        for change in ("guest_count = 2", f"amenity_id = '{court}'",
                       "reserved_range = tstzrange(now() + interval '30 days', now() + interval '31 days')"):
            refused(cur, "42501", f"update reservations set {change} where id = %s", soon)
            # Nor with a cancellation: moving the start away would make a late cancellation look timely.
            refused(cur, "42501", f"update reservations set status = 'cancelled', {change} where id = %s", soon)
        cur.execute("update reservations set status = 'cancelled' where id = %s", (soon,))
        # A cancelled reservation stays cancelled.
        assert cur.execute("update reservations set status = 'confirmed' where id = %s", (soon,)).rowcount == 0
        assert one(cur, "select is_late_cancellation from reservations where id = %s", soon) is True
        with as_user(db, world["admin"].claims()) as admin:
            assert refused(admin, "P0001", "update reservations set status = 'confirmed' where id = %s", soon) \
                .startswith("invalid_transition: cancelled -> confirmed")


@pytest.mark.requirement("AMEN-03")
def test_a_booking_names_an_amenity_of_its_own_community(db: psycopg.Connection, world: World) -> None:
    foreign = one(db, "insert into amenities (community_id, name, capacity) values (%s, 'C2 hall', 20) returning id",
                  world.c2)
    with as_user(db, world["admin"].claims()) as cur:
        refused(cur, "23503", BOOK, foreign, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"), 1)


# -- AMEN-04 booking rules -----------------------------------------------------------------------------

RULE = "insert into amenity_booking_rules (community_id, amenity_id, rule_type, int_value, period, unit_types) " \
       "values (%s, %s, %s, %s, %s, %s::unit_type[]) returning id"
BOOK_AHEAD = ("insert into reservations (amenity_id, unit_id, reserved_range, guest_count) values (%s, %s, "
              "tstzrange(now() + make_interval(hours => %s), now() + make_interval(hours => %s)), %s) returning id")


def rule(db: psycopg.Connection, world: World, amenity_id: uuid.UUID, rule_type: str, int_value: int | None = None,
         period: str | None = None, unit_types: list[str] | None = None) -> uuid.UUID:
    """An active booking rule of a C1 amenity, made by the platform."""
    return one(db, RULE, world.c1, amenity_id, rule_type, int_value, period, unit_types)


def rejection(cur: psycopg.Cursor, reason: str, query: str, *params: object) -> None:
    """`query` fails with P0001 and a message starting with `reason`."""
    message = refused(cur, "P0001", query, *params)
    assert message.startswith(reason), message


# validate_reservation weighs a reservation's row, as the contract names it: here one being written.
VERDICT = ("select ok, reason from validate_reservation(jsonb_populate_record(null::reservations, jsonb_build_object("
           "'amenity_id', %s::uuid, 'unit_id', %s::uuid, "
           "'reserved_range', tstzrange(%s::timestamptz, %s::timestamptz), 'guest_count', 1)))")


@pytest.mark.requirement("AMEN-04")
@pytest.mark.parametrize("requires_approval", [False, True])
def test_a_unit_books_an_amenity_at_most_its_quota_per_period(db: psycopg.Connection, world: World,
                                                               requires_approval: bool) -> None:
    court = amenity(db, world, amenity_type="court", requires_approval=requires_approval)
    rule(db, world, court, "max_per_unit_per_period", 2, "month")
    with as_user(db, world["R1"].claims()) as cur:
        first = book(cur, court, world.u1, "10:00", "12:00", day="2027-03-06")
        book(cur, court, world.u1, "10:00", "12:00", day="2027-03-13")
        with as_user(db, world["T1"].claims()) as tenant:
            # The quota is the unit's: T1 lives in U1 too.
            rejection(tenant, "quota_exceeded", BOOK, court, world.u1, local("2027-03-20", "10:00"),
                      local("2027-03-20", "12:00"), 1)
            # Months are local: 20:00 on 31 March in C1 is already April in UTC.
            rejection(tenant, "quota_exceeded", BOOK, court, world.u1, local("2027-03-31", "20:00"),
                      local("2027-03-31", "23:00"), 1)
            book(tenant, court, world.u1, "10:00", "12:00", day="2027-04-03")
        with as_user(db, world["R2"].claims()) as neighbour:
            book(neighbour, court, world.u2, "10:00", "12:00", day="2027-03-20")
        assert cur.execute(VERDICT, (court, world.u1, local("2027-03-27", "10:00"),
                                     local("2027-03-27", "12:00"))).fetchone() == (False, "quota_exceeded")
        # A cancelled reservation leaves its place in the quota.
        cur.execute("update reservations set status = 'cancelled' where id = %s", (first,))
        book(cur, court, world.u1, "10:00", "12:00", day="2027-03-27")


@pytest.mark.requirement("AMEN-04")
def test_bookings_keep_to_the_advance_window(db: psycopg.Connection, world: World) -> None:
    gym = amenity(db, world, amenity_type="gym")
    rule(db, world, gym, "max_advance_days", 30)
    rule(db, world, gym, "min_advance_hours", 24)
    with as_user(db, world["R1"].claims()) as cur:
        rejection(cur, "advance_window", BOOK_AHEAD, gym, world.u1, 31 * 24, 31 * 24 + 1, 1)
        rejection(cur, "advance_window", BOOK_AHEAD, gym, world.u1, 2, 3, 1)
        one(cur, BOOK_AHEAD, gym, world.u1, 29 * 24, 29 * 24 + 1, 1)


@pytest.mark.requirement("AMEN-04")
def test_bookings_keep_to_duration_and_guest_limits(db: psycopg.Connection, world: World) -> None:
    grill = amenity(db, world, amenity_type="grill_area", capacity=20)
    rule(db, world, grill, "min_duration_minutes", 60)
    rule(db, world, grill, "max_duration_minutes", 240)
    rule(db, world, grill, "max_guests", 10)
    with as_user(db, world["R1"].claims()) as cur:
        rejection(cur, "duration_limit", BOOK, grill, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "10:30"), 1)
        rejection(cur, "duration_limit", BOOK, grill, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "15:00"), 1)
        rejection(cur, "guest_limit", BOOK, grill, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"), 11)
        booked = book(cur, grill, world.u1, "10:00", "14:00", guests=10)
        with as_user(db, world["manager"].claims()) as manager:
            # Changing what a reservation books is weighed again, even by staff.
            rejection(manager, "guest_limit", "update reservations set guest_count = 12 where id = %s", booked)
            rejection(manager, "duration_limit", "update reservations set reserved_range = tstzrange("
                      "lower(reserved_range), lower(reserved_range) + interval '5 hours') where id = %s", booked)


@pytest.mark.requirement("AMEN-04")
def test_only_the_allowed_kinds_of_unit_book(db: psycopg.Connection, world: World) -> None:
    business = amenity(db, world, amenity_type="business_center")
    rule(db, world, business, "allowed_unit_types", unit_types=["local", "bodega"])
    with as_user(db, world["R1"].claims()) as cur:
        # U1 is a departamento.
        rejection(cur, "unit_type_not_allowed", BOOK, business, world.u1, local(SATURDAY, "10:00"),
                  local(SATURDAY, "12:00"), 1)
    db.execute("update amenity_booking_rules set unit_types = '{departamento}' where amenity_id = %s", (business,))
    with as_user(db, world["R1"].claims()) as cur:
        book(cur, business, world.u1, "10:00", "12:00")


@pytest.mark.requirement("AMEN-04")
def test_a_delinquent_unit_is_blocked_where_the_amenity_says_so(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, amenity_type="event_hall")
    blocking = rule(db, world, hall, "block_delinquent")
    block = one(db, "insert into delinquency_rules (community_id, days_overdue, action) "
                    "values (%s, 30, 'block_amenities') returning id", world.c1)
    db.execute("insert into delinquency_actions (community_id, rule_id, unit_id, action) "
               "values (%s, %s, %s, 'block_amenities')", (world.c1, block, world.u1))
    with as_user(db, world["R1"].claims()) as cur:
        rejection(cur, "unit_delinquent", BOOK, hall, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"), 1)
        with as_user(db, world["R2"].claims()) as neighbour:
            book(neighbour, hall, world.u2, "10:00", "12:00")
    with as_user(db, world["admin"].claims()) as cur:
        # Staff booking for the unit are held to the rule too.
        rejection(cur, "unit_delinquent", BOOK, hall, world.u1, local(SATURDAY, "13:00"), local(SATURDAY, "14:00"), 1)
    db.execute("update amenity_booking_rules set is_active = false where id = %s", (blocking,))
    with as_user(db, world["R1"].claims()) as cur:
        book(cur, hall, world.u1, "13:00", "14:00")


@pytest.mark.requirement("AMEN-04")
def test_a_status_change_is_not_weighed_again(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, requires_approval=True)
    first = one(db, "insert into reservations (community_id, amenity_id, unit_id, reserved_range) values "
                    "(%s, %s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning id",
                world.c1, hall, world.u1, local("2027-03-06", "10:00"), local("2027-03-06", "12:00"))
    second = one(db, "insert into reservations (community_id, amenity_id, unit_id, reserved_range) values "
                     "(%s, %s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning id",
                 world.c1, hall, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))
    rule(db, world, hall, "max_per_unit_per_period", 1, "month")
    rule(db, world, hall, "max_guests", 0)
    with as_user(db, world["admin"].claims()) as cur:
        # Rules added later bind new bookings, not the approval or cancellation of earlier ones.
        cur.execute("update reservations set status = 'confirmed' where id = %s", (first,))
        cur.execute("update reservations set status = 'rejected' where id = %s", (second,))
        assert (status(cur, first), status(cur, second)) == ("confirmed", "rejected")


@pytest.mark.requirement("AMEN-04")
def test_staff_keep_the_booking_rules(db: psycopg.Connection, world: World) -> None:
    court = amenity(db, world, amenity_type="court")
    insert = "insert into amenity_booking_rules (amenity_id, rule_type, int_value, period) values (%s, %s, %s, %s)"
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute(insert, (court, "max_per_unit_per_period", 2, "week"))
        # A quota needs its limit and period; one active rule of a type per amenity.
        refused(cur, "23514", insert, court, "max_guests", None, None)
        refused(cur, "23514", insert, court, "max_per_unit_per_period", 2, None)
        refused(cur, "23514", insert, court, "max_per_unit_per_period", 2, "year")
        refused(cur, "23505", insert, court, "max_per_unit_per_period", 3, "month")
        with as_user(db, world["R1"].claims()) as resident:
            assert one(resident, "select count(*) from amenity_booking_rules where amenity_id = %s", court) == 1
            refused(resident, "42501", insert, court, "max_guests", 5, None)
            assert resident.execute("update amenity_booking_rules set int_value = 99 where amenity_id = %s",
                                    (court,)).rowcount == 0


@pytest.mark.requirement("AMEN-04")
def test_validate_reservation_answers_only_for_the_callers_units(db: psycopg.Connection, world: World) -> None:
    playground = amenity(db, world, amenity_type="playground", booking_mode="not_bookable")
    court = amenity(db, world, amenity_type="court")
    verdict = VERDICT
    slot = (local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))
    with as_user(db, world["R1"].claims()) as cur:
        assert cur.execute(verdict, (court, world.u1, *slot)).fetchone() == (True, "ok")
        assert cur.execute(verdict, (playground, world.u1, *slot)).fetchone() == (False, "amenity_unavailable")
        # Another unit's delinquency or quota is not the resident's to probe.
        refused(cur, "42501", verdict, court, world.u2, *slot)
    with as_user(db, world["manager"].claims()) as cur:
        assert cur.execute(verdict, (court, world.u2, *slot)).fetchone() == (True, "ok")
        refused(cur, "42501", verdict, court, world.u3, *slot)


# -- AMEN-06 fees and deposits --------------------------------------------------------------------------

LEDGER = ("select a.system_key, e.amount from ledger_entries e join accounts a on a.id = e.account_id "
          "where e.transaction_id = %s order by a.system_key")


def balance(db: psycopg.Connection, world: World, unit: uuid.UUID) -> float:
    """The unit's balance as the accountant reads it (what it owes)."""
    with as_user(db, world["accountant"].claims()) as cur:
        return float(one(cur, "select coalesce(sum(balance), 0) from unit_balances where unit_id = %s", unit))


def ledger(db: psycopg.Connection, world: World, transaction: uuid.UUID) -> list[tuple[str, float]]:
    """A transaction's entries (system account, amount) as the accountant reads them."""
    with as_user(db, world["accountant"].claims()) as cur:
        return [(key, float(amount)) for key, amount in cur.execute(LEDGER, (transaction,)).fetchall()]


def past(db: psycopg.Connection, world: World, amenity_id: uuid.UUID, unit: uuid.UUID, days_ago: int) -> uuid.UUID:
    """A reservation of two hours that ended `days_ago` days ago, made by the platform."""
    return one(db, "insert into reservations (community_id, amenity_id, unit_id, reserved_range) values (%s, %s, %s, "
                   "tstzrange(now() - make_interval(days => %s, hours => 2), now() - make_interval(days => %s))) "
                   "returning id", world.c1, amenity_id, unit, days_ago, days_ago)


@pytest.mark.requirement("AMEN-06")
def test_confirming_charges_the_fee_and_a_timely_cancellation_reverses_it(db: psycopg.Connection,
                                                                          world: World) -> None:
    hall = amenity(db, world, requires_approval=True, fee_amount=500)
    before = balance(db, world, world.u1)
    with as_user(db, world["R1"].claims()) as cur:
        booked = one(cur, BOOK_AHEAD, hall, world.u1, 48, 50, 1)
        # Pending: nothing charged yet.
        assert one(cur, "select charge_transaction_id from reservations where id = %s", booked) is None
        with as_user(db, world["manager"].claims()) as manager:
            manager.execute("update reservations set status = 'confirmed' where id = %s", (booked,))
            charge = one(manager, "select charge_transaction_id from reservations where id = %s", booked)
            assert manager.execute("select transaction_type::text, unit_id from transactions where id = %s",
                                   (charge,)).fetchone() == ("charge", world.u1)
            assert ledger(db, world, charge) == [("accounts_receivable", 500.0), ("amenity_income", -500.0)]
            assert balance(db, world, world.u1) == before + 500
            with as_user(db, world["R1"].claims()) as resident:
                # 48 hours ahead with a 24-hour cutoff: in time, so the fee is reversed.
                resident.execute("update reservations set status = 'cancelled' where id = %s", (booked,))
                assert one(resident, "select is_late_cancellation from reservations where id = %s", booked) is False
                reversal = one(resident, "select id from transactions where reverses_transaction_id = %s", charge)
                assert ledger(db, world, reversal) == [("accounts_receivable", -500.0), ("amenity_income", 500.0)]
                assert balance(db, world, world.u1) == before


@pytest.mark.requirement("AMEN-06")
def test_a_late_cancellation_keeps_the_fee(db: psycopg.Connection, world: World) -> None:
    court = amenity(db, world, amenity_type="court", fee_amount=100, fee_unit="per_hour")
    with as_user(db, world["R1"].claims()) as cur:
        booked = one(cur, BOOK_AHEAD, court, world.u1, 2, 5, 1)
        charge = one(cur, "select charge_transaction_id from reservations where id = %s", booked)
        # Per hour: three hours booked.
        assert ledger(db, world, charge) == [("accounts_receivable", 300.0), ("amenity_income", -300.0)]
        cur.execute("update reservations set status = 'cancelled' where id = %s", (booked,))
        assert one(cur, "select count(*) from transactions where reverses_transaction_id = %s", charge) == 0


@pytest.mark.requirement("AMEN-06")
def test_a_deposit_is_held_and_settled_after_the_event(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world, amenity_type="event_hall", deposit_amount=1000)
    held = past(db, world, hall, world.u1, 1)
    deposit = one(db, "select deposit_transaction_id from reservations where id = %s and deposit_status = 'held'",
                  held)
    assert ledger(db, world, deposit) == [("operating_bank", 1000.0), ("security_deposits", -1000.0)]
    settle = "select settle_reservation_deposit(%s, %s, %s)"
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", settle, held, 0, "Sin daños")
    with as_user(db, world["accountant"].claims()) as cur:
        settlement = one(cur, settle, held, 200, "Mantel quemado")
        assert ledger(db, world, settlement) == [("amenity_income", -200.0), ("operating_bank", -800.0),
                                           ("security_deposits", 1000.0)]
        with as_user(db, world["admin"].claims()) as admin:
            assert one(admin, "select deposit_status::text from reservations where id = %s", held) \
                == "partially_retained"
        assert refused(cur, "P0001", settle, held, 0, "Otra vez").startswith("deposit_not_held")
    with as_user(db, world["R1"].claims()) as cur:
        upcoming = one(cur, BOOK_AHEAD, hall, world.u1, 72, 74, 1)
        with as_user(db, world["admin"].claims()) as admin:
            assert refused(admin, "P0001", settle, upcoming, 0, "Antes").startswith("reservation_not_ended")
        # A cancellation gives the whole deposit back.
        cur.execute("update reservations set status = 'cancelled' where id = %s", (upcoming,))
        refund = one(cur, "select t.id from transactions t join reservations r on t.reference = "
                          "r.deposit_transaction_id::text where r.id = %s and t.transaction_type = 'refund'", upcoming)
        assert ledger(db, world, refund) == [("operating_bank", -1000.0), ("security_deposits", 1000.0)]
        assert one(cur, "select deposit_status::text from reservations where id = %s", upcoming) == "refunded"


@pytest.mark.requirement("AMEN-06")
def test_a_free_amenity_posts_nothing(db: psycopg.Connection, world: World) -> None:
    court = amenity(db, world, amenity_type="court")
    with as_user(db, world["R1"].claims()) as cur:
        booked = book(cur, court, world.u1, "10:00", "12:00")
        assert cur.execute("select charge_transaction_id, deposit_transaction_id, deposit_status::text "
                           "from reservations where id = %s", (booked,)).fetchone() == (None, None, "not_required")
        refused(cur, "42501", "select charge_reservation(%s)", booked)


# -- AMEN-07 no-shows -----------------------------------------------------------------------------------


@pytest.mark.requirement("AMEN-07")
def test_staff_mark_an_ended_reservation_a_no_show_and_post_its_fee(db: psycopg.Connection, world: World) -> None:
    grill = amenity(db, world, amenity_type="grill_area", no_show_fee=200)
    ended = past(db, world, grill, world.u1, 1)
    mark = "select mark_reservation_no_show(%s)"
    with as_user(db, world["R1"].claims()) as cur:
        upcoming = book(cur, grill, world.u1, "10:00", "12:00")
        refused(cur, "42501", mark, ended)
        with as_user(db, world["manager"].claims()) as manager:
            assert refused(manager, "P0001", mark, upcoming).startswith("reservation_not_ended")
            manager.execute(mark, (ended,))
            assert manager.execute("select status::text, no_show_marked_by, no_show_marked_at is not null "
                                   "from reservations where id = %s", (ended,)).fetchone() \
                == ("no_show", world["manager"].id, True)
            penalty = one(manager, "select id from transactions where unit_id = %s and transaction_type = 'penalty'",
                          world.u1)
            assert ledger(db, world, penalty) == [("accounts_receivable", 200.0), ("fines_income", -200.0)]
            # Marked once: a no-show is final.
            assert refused(manager, "P0001", mark, ended).startswith("invalid_transition: no_show -> no_show")


@pytest.mark.requirement("AMEN-07")
def test_too_many_recent_no_shows_keep_a_unit_from_booking(db: psycopg.Connection, world: World) -> None:
    gym = amenity(db, world, amenity_type="gym")
    other = amenity(db, world, amenity_type="court")
    for days_ago in (100, 60, 30):
        db.execute("update reservations set status = 'no_show' where id = %s", (past(db, world, gym, world.u1,
                                                                                      days_ago),))
    with as_user(db, world["R1"].claims()) as cur:
        # Two within 90 days: the limit is 3.
        book(cur, gym, world.u1, "10:00", "11:00")
    db.execute("update reservations set status = 'no_show' where id = %s", (past(db, world, gym, world.u1, 5),))
    with as_user(db, world["R1"].claims()) as cur:
        rejection(cur, "no_show_limit", BOOK, gym, world.u1, local(SATURDAY, "10:00"), local(SATURDAY, "11:00"), 1)
        # The limit is per amenity and per unit.
        book(cur, other, world.u1, "10:00", "11:00")
        with as_user(db, world["R2"].claims()) as neighbour:
            book(neighbour, gym, world.u2, "10:00", "11:00")
    db.execute("update amenities set no_show_limit = null where id = %s", (gym,))
    with as_user(db, world["R1"].claims()) as cur:
        book(cur, gym, world.u1, "10:00", "11:00")


# -- AMEN-05 waitlist -----------------------------------------------------------------------------------

WAIT = ("insert into amenity_waitlist_entries (amenity_id, unit_id, desired_range) "
        "values (%s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning id")


def wait(cur: psycopg.Cursor, amenity_id: uuid.UUID, unit: uuid.UUID, start: str, end: str) -> uuid.UUID:
    return one(cur, WAIT, amenity_id, unit, local(SATURDAY, start), local(SATURDAY, end))


def entry(cur: psycopg.Cursor, entry_id: uuid.UUID) -> tuple[str, uuid.UUID | None]:
    return cur.execute("select status::text, promoted_reservation_id from amenity_waitlist_entries where id = %s",
                       (entry_id,)).fetchone()


@pytest.mark.requirement("AMEN-05")
@pytest.mark.parametrize(("requires_approval", "promoted_status"), [(False, "confirmed"), (True, "pending")])
def test_a_cancellation_promotes_the_first_entry_that_fits(db: psycopg.Connection, world: World,
                                                           requires_approval: bool, promoted_status: str) -> None:
    hall = amenity(db, world, requires_approval=requires_approval)
    with as_user(db, world["R1"].claims()) as cur:
        booked = book(cur, hall, world.u1, "10:00", "12:00")
        with as_user(db, world["R2"].claims()) as neighbour:
            first = wait(neighbour, hall, world.u2, "10:00", "12:00")
            assert entry(neighbour, first) == ("waiting", None)
            with as_user(db, world["T1"].claims()) as tenant:
                second = wait(tenant, hall, world.u1, "10:00", "12:00")
                with as_user(db, world["R1"].claims()) as owner:
                    owner.execute("update reservations set status = 'cancelled' where id = %s", (booked,))
                    with as_user(db, world["admin"].claims()) as admin:
                        status_now, reservation = entry(admin, first)
                        assert status_now == "promoted"
                        assert admin.execute("select unit_id, resident_id, status::text, reserved_range = "
                                             "tstzrange(%s::timestamptz, %s::timestamptz) from reservations "
                                             "where id = %s", (local(SATURDAY, "10:00"), local(SATURDAY, "12:00"),
                                                               reservation)).fetchone() \
                            == (world.u2, world.resident_ids["R2"], promoted_status, True)
                        assert entry(admin, second) == ("waiting", None)


@pytest.mark.requirement("AMEN-05")
def test_an_entry_that_breaks_a_booking_rule_keeps_waiting(db: psycopg.Connection, world: World) -> None:
    court = amenity(db, world, amenity_type="court")
    platform_book = ("insert into reservations (community_id, amenity_id, unit_id, reserved_range) values "
                     "(%s, %s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning id")
    taken = one(db, platform_book, world.c1, court, world.u2, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))
    one(db, platform_book, world.c1, court, world.u2, local(SATURDAY, "16:00"), local(SATURDAY, "17:00"))
    rule(db, world, court, "max_per_unit_per_period", 1, "day")
    with as_user(db, world["R2"].claims()) as cur:
        # U2 keeps a booking that day once 10:00 is cancelled: its entry cannot be served, U1's after it can.
        blocked = wait(cur, court, world.u2, "10:00", "11:00")
        with as_user(db, world["R1"].claims()) as resident:
            served = wait(resident, court, world.u1, "11:00", "12:00")
            with as_user(db, world["R2"].claims()) as owner:
                owner.execute("update reservations set status = 'cancelled' where id = %s", (taken,))
                with as_user(db, world["admin"].claims()) as admin:
                    assert entry(admin, blocked) == ("waiting", None)
                    assert entry(admin, served)[0] == "promoted"


@pytest.mark.requirement("AMEN-05")
def test_entries_whose_time_has_come_expire(db: psycopg.Connection, world: World) -> None:
    gym = amenity(db, world, amenity_type="gym")
    insert = ("insert into amenity_waitlist_entries (community_id, amenity_id, unit_id, desired_range) values "
              "(%s, %s, %s, tstzrange(now() + make_interval(hours => %s), now() + make_interval(hours => %s))) "
              "returning id")
    gone = one(db, insert, world.c1, gym, world.u1, -3, -1)
    ahead = one(db, insert, world.c1, gym, world.u1, 24, 26)
    foreign = one(db, "insert into amenities (community_id, name, capacity) values (%s, 'C2 gym', 5) returning id",
                  world.c2)
    elsewhere = one(db, insert, world.c2, foreign, world.u3, -3, -1)
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", "select expire_waitlist_entries()")
        refused(cur, "42501", "select promote_waitlist(%s, tstzrange(now(), now() + interval '2 days'))", gym)
    with as_user(db, world["manager"].claims()) as cur:
        # Staff serve a range by hand: nothing holds the gym, so the entry ahead is booked.
        assert one(cur, "select promote_waitlist(%s, tstzrange(now(), now() + interval '2 days'))", gym) == 1
        assert entry(cur, ahead)[0] == "promoted"
    with as_user(db, world["manager"].claims()) as cur:
        assert one(cur, "select expire_waitlist_entries()") == 1
        assert entry(cur, gone)[0] == "expired"
        assert entry(cur, ahead)[0] == "waiting"
        # Staff expire their own community's entries only.
        assert one(cur, "select expire_waitlist_entries(now() + interval '30 hours')") == 1
    assert one(db, "select status::text from amenity_waitlist_entries where id = %s", elsewhere) == "waiting"


@pytest.mark.requirement("AMEN-05")
def test_residents_wait_for_their_unit_and_may_only_cancel(db: psycopg.Connection, world: World) -> None:
    hall = amenity(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", WAIT, hall, world.u2, local(SATURDAY, "10:00"), local(SATURDAY, "12:00"))
        # Born waiting, and never promoted by hand.
        assert refused(cur, "P0001", "insert into amenity_waitlist_entries (amenity_id, unit_id, desired_range, "
                                     "status) values (%s, %s, tstzrange(now() + interval '1 day', now() + "
                                     "interval '2 days'), 'promoted')", hall, world.u1) \
            .startswith("invalid_transition: null -> promoted")
        refused(cur, "42501", "insert into amenity_waitlist_entries (amenity_id, unit_id, resident_id, desired_range) "
                              "values (%s, %s, %s, tstzrange(now() + interval '1 day', now() + interval '2 days'))",
                hall, world.u1, world.resident_ids["T1"])
        mine = wait(cur, hall, world.u1, "10:00", "12:00")
        assert one(cur, "select resident_id from amenity_waitlist_entries where id = %s", mine) \
            == world.resident_ids["R1"]
        refused(cur, "42501", "update amenity_waitlist_entries set status = 'promoted' where id = %s", mine)
        refused(cur, "42501", "update amenity_waitlist_entries set promoted_reservation_id = gen_random_uuid() "
                              "where id = %s", mine)
        # The range wanted never changes, not even with a cancellation.
        refused(cur, "42501", "update amenity_waitlist_entries set status = 'cancelled', desired_range = "
                              "tstzrange(now(), now() + interval '1 hour') where id = %s", mine)
        with as_user(db, world["R2"].claims()) as neighbour:
            assert one(neighbour, "select count(*) from amenity_waitlist_entries where id = %s", mine) == 0
            assert neighbour.execute("update amenity_waitlist_entries set status = 'cancelled' where id = %s",
                                     (mine,)).rowcount == 0
        with as_user(db, world["guard"].claims()) as guard:
            assert one(guard, "select count(*) from amenity_waitlist_entries where id = %s", mine) == 1
        cur.execute("update amenity_waitlist_entries set status = 'cancelled' where id = %s", (mine,))
        assert entry(cur, mine) == ("cancelled", None)


# -- isolation ---------------------------------------------------------------------------------------

AMENITY_TABLES = ("amenities", "amenity_photos", "amenity_schedules", "amenity_closures", "reservations",
                  "amenity_booking_rules", "amenity_waitlist_entries")


def c2_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each amenities table, its parents being C2's rows (made as the platform)."""
    c2 = world.c2
    pool = one(db, "insert into amenities (community_id, name, capacity) values (%s, 'C2 pool', 20) returning id", c2)
    base = {"community_id": c2}
    return {
        "amenities": {**base, "name": "C2 gym", "capacity": 5},
        "amenity_photos": {**base, "amenity_id": pool, "storage_path": f"{c2}/amenities/{pool}/pool.jpg"},
        "amenity_schedules": {**base, "amenity_id": pool, "day_of_week": 1, "open_time": "08:00",
                              "close_time": "20:00"},
        "amenity_closures": {**base, "amenity_id": pool, "period": "[2027-01-01 00:00+00, 2027-01-02 00:00+00)"},
        "reservations": {**base, "amenity_id": pool, "unit_id": world.u3, "resident_id": world.resident_ids["R3"],
                         "reserved_range": "[2027-02-01 16:00+00, 2027-02-01 18:00+00)"},
        "amenity_booking_rules": {**base, "amenity_id": pool, "rule_type": "max_guests", "int_value": 4},
        "amenity_waitlist_entries": {**base, "amenity_id": pool, "unit_id": world.u3,
                                     "resident_id": world.resident_ids["R3"],
                                     "desired_range": "[2027-02-01 16:00+00, 2027-02-01 18:00+00)"},
    }


def test_every_amenities_table_is_listed() -> None:
    model, _, _ = analyse(SPEC)
    assert {t.name for t in model.of_type(Table) if t.domain == "amenities"} == set(AMENITY_TABLES)


@pytest.mark.requirement("AMEN-01")
@pytest.mark.requirement("AMEN-02")
@pytest.mark.requirement("AMEN-03")
@pytest.mark.requirement("AMEN-04")
@pytest.mark.requirement("AMEN-05")
@pytest.mark.parametrize("table", AMENITY_TABLES)
def test_amenities_tables_are_isolated_between_communities(db: psycopg.Connection, world: World,
                                                           table: str) -> None:
    # The admin reads and writes every amenities table of C1: nothing of C2 reaches it.
    assert_tenant_isolation(db, table, c2_rows(db, world)[table], world["admin"])
