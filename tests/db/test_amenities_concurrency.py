"""AMEN-03, AMEN-04 and AMEN-05 under concurrency, with two connections committing at once as
PostgREST would: two overlapping bookings of an exclusive amenity never both hold (the exclusion
constraint); two bookings of a shared amenity that together exceed its capacity, and two bookings
of one unit that together exceed its quota, are counted one after the other (the advisory lock
per amenity), so one of them is refused; two cancellations at once reach the waitlist one after
the other (the same lock), so the entry waiting for both ranges is promoted once, without a
deadlock."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.support.pgcluster import PgCluster
from tests.support.session import as_user_committed, one
from tests.support.world import User, World, committed_world

SATURDAY = "2027-03-13"
BOOK = ("insert into reservations (amenity_id, unit_id, reserved_range, guest_count) "
        "values (%s, %s, tstzrange(%s::timestamptz, %s::timestamptz), %s) returning id")


@pytest.fixture
def bookings(pg_cluster: PgCluster, bundled_template: str) -> Iterator[tuple[str, World]]:
    """A database of its own (these tests commit), the world seeded and committed."""
    with committed_world(pg_cluster, bundled_template, "amenities_concurrency") as database:
        yield database


def amenity(dsn: str, world: World, booking_mode: str, capacity: int) -> uuid.UUID:
    with psycopg.connect(dsn) as conn:
        made = one(conn, "insert into amenities (community_id, name, booking_mode, capacity) "
                         "values (%s, %s, %s, %s) returning id", world.c1, booking_mode, booking_mode, capacity)
        conn.commit()
    return made


def book_at_once(dsn: str, amenity_id: uuid.UUID, *bookings: tuple[User, uuid.UUID, str, str, int]) -> list[Any]:
    """Each booking (user, unit, start, end, guests) in its own connection and transaction, the
    inserts released together and each transaction kept open a moment after its insert, so the
    two are in flight at once. Per booking: its reservation id, or the database error it met."""
    barrier = threading.Barrier(len(bookings))
    outcomes: list[Any] = [None] * len(bookings)

    def run(index: int, user: User, unit: uuid.UUID, start: str, end: str, guests: int) -> None:
        try:
            with psycopg.connect(dsn) as conn, as_user_committed(conn, user.claims()) as cur:
                barrier.wait(timeout=10)
                outcomes[index] = one(cur, BOOK, amenity_id, unit, f"{SATURDAY} {start} America/Mexico_City",
                                      f"{SATURDAY} {end} America/Mexico_City", guests)
                cur.execute("select pg_sleep(0.2)")
        except psycopg.Error as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, *booking)) for i, booking in enumerate(bookings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def active_guests(dsn: str, amenity_id: uuid.UUID) -> tuple[int, int]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("select count(*), coalesce(sum(guest_count), 0) from reservations "
                            "where amenity_id = %s and status in ('pending', 'confirmed')", (amenity_id,)).fetchone()


@pytest.mark.requirement("AMEN-03")
def test_two_overlapping_bookings_of_an_exclusive_amenity_at_once_one_succeeds(
        bookings: tuple[str, World]) -> None:
    dsn, world = bookings
    hall = amenity(dsn, world, "exclusive", 50)
    outcomes = book_at_once(dsn, hall, (world["R1"], world.u1, "10:00", "12:00", 10),
                            (world["R2"], world.u2, "11:00", "13:00", 10))
    refused = [o for o in outcomes if isinstance(o, psycopg.Error)]
    assert len(refused) == 1, outcomes
    assert refused[0].sqlstate == "23P01", refused[0]
    assert active_guests(dsn, hall) == (1, 10)


@pytest.mark.requirement("AMEN-03")
def test_two_bookings_beyond_a_shared_amenitys_capacity_at_once_one_is_refused(
        bookings: tuple[str, World]) -> None:
    dsn, world = bookings
    pool = amenity(dsn, world, "shared", 20)
    outcomes = book_at_once(dsn, pool, (world["R1"], world.u1, "10:00", "12:00", 15),
                            (world["R2"], world.u2, "11:00", "13:00", 6))
    refused = [o for o in outcomes if isinstance(o, psycopg.Error)]
    assert len(refused) == 1, outcomes
    assert refused[0].sqlstate == "P0001" and str(refused[0]).startswith("capacity_exceeded"), refused[0]
    assert active_guests(dsn, pool) in ((1, 15), (1, 6))
    # Within capacity, both hold at once.
    both = book_at_once(dsn, pool, (world["R1"], world.u1, "14:00", "16:00", 10),
                        (world["R2"], world.u2, "15:00", "17:00", 10))
    assert not [o for o in both if isinstance(o, psycopg.Error)], both


@pytest.mark.requirement("AMEN-04")
def test_two_bookings_beyond_a_units_quota_at_once_one_is_refused(bookings: tuple[str, World]) -> None:
    dsn, world = bookings
    court = amenity(dsn, world, "exclusive", 10)
    with psycopg.connect(dsn) as conn:
        conn.execute("insert into amenity_booking_rules (community_id, amenity_id, rule_type, int_value, period) "
                     "values (%s, %s, 'max_per_unit_per_period', 1, 'week')", (world.c1, court))
        conn.commit()
    # R1 and T1 both live in U1: the week's one booking is the unit's, whoever books first.
    outcomes = book_at_once(dsn, court, (world["R1"], world.u1, "10:00", "11:00", 2),
                            (world["T1"], world.u1, "15:00", "16:00", 2))
    refused = [o for o in outcomes if isinstance(o, psycopg.Error)]
    assert len(refused) == 1, outcomes
    assert refused[0].sqlstate == "P0001" and str(refused[0]).startswith("quota_exceeded"), refused[0]
    assert active_guests(dsn, court) == (1, 2)
    # Another unit's quota is its own: U2 books the same week at once with U1.
    both = book_at_once(dsn, court, (world["R2"], world.u2, "12:00", "13:00", 2),
                        (world["R1"], world.u1, "17:00", "18:00", 2))
    assert [isinstance(o, psycopg.Error) for o in both] == [False, True], both


def at_once(dsn: str, *requests: tuple[User, str, tuple[object, ...]]) -> list[psycopg.Error | None]:
    """Each request (user, statement, parameters) in its own connection and transaction, released
    together and kept open a moment, as book_at_once; per request, the database error it met."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[psycopg.Error | None] = [None] * len(requests)

    def run(index: int, user: User, statement: str, params: tuple[object, ...]) -> None:
        try:
            with psycopg.connect(dsn) as conn, as_user_committed(conn, user.claims()) as cur:
                barrier.wait(timeout=10)
                cur.execute(statement, params)
                cur.execute("select pg_sleep(0.2)")
        except psycopg.Error as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.requirement("AMEN-05")
def test_two_cancellations_at_once_promote_the_waiting_entry_once(bookings: tuple[str, World]) -> None:
    dsn, world = bookings
    hall = amenity(dsn, world, "exclusive", 20)
    with psycopg.connect(dsn) as conn:
        book = ("insert into reservations (community_id, amenity_id, unit_id, reserved_range) values "
                "(%s, %s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning id")
        slot = [f"{SATURDAY} {clock} America/Mexico_City" for clock in ("10:00", "11:00", "12:00")]
        first = one(conn, book, world.c1, hall, world.u1, slot[0], slot[1])
        second = one(conn, book, world.c1, hall, world.u2, slot[1], slot[2])
        waiting = one(conn, "insert into amenity_waitlist_entries (community_id, amenity_id, unit_id, desired_range) "
                            "values (%s, %s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning id",
                      world.c1, hall, world.u1, slot[0], slot[2])
        conn.commit()
    cancel = "update reservations set status = 'cancelled' where id = %s"
    outcomes = at_once(dsn, (world["R1"], cancel, (first,)), (world["R2"], cancel, (second,)))
    assert outcomes == [None, None], outcomes
    with psycopg.connect(dsn) as conn:
        promoted = conn.execute("select w.status::text, r.reserved_range = w.desired_range, r.status::text "
                                "from amenity_waitlist_entries w "
                                "join reservations r on r.id = w.promoted_reservation_id where w.id = %s",
                                (waiting,)).fetchone()
    assert promoted == ("promoted", True, "confirmed")
    assert active_guests(dsn, hall) == (1, 1)
