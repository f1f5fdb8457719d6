"""MRKT-01 and MRKT-05 under concurrency, with two connections as PostgREST would: two moderators claiming
from the queue at once get different items and neither waits for the other (for update skip
locked), and reports made at once are counted one after the other (the listing is locked), so the
threshold pulls a listing back to review exactly once, and so are photos added at once, so a
listing never holds more than 8."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from tests.support.pgcluster import PgCluster
from tests.support.session import as_user_committed, one
from tests.support.world import User, World, committed_world

# How long each transaction stays open after its statement, holding its locks.
HOLD_SECONDS = 0.5


@pytest.fixture
def market(pg_cluster: PgCluster, bundled_template: str) -> Iterator[tuple[str, World]]:
    """A database of its own (these tests commit), the world seeded and committed."""
    with committed_world(pg_cluster, bundled_template, "marketplace_concurrency") as database:
        yield database


def listings_of_r1(dsn: str, world: World, status: str, count: int) -> list[uuid.UUID]:
    """R1's listings made by the platform in `status` (pending_review ones join the queue)."""
    with psycopg.connect(dsn) as conn:
        made = [one(conn, "insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, "
                          "status) values (%s, %s, %s, 'wanted', %s, %s) returning id",
                    world.c1, world.resident_ids["R1"], world.u1, f"Busco {n}", status) for n in range(count)]
        conn.commit()
    return made


def at_once(dsn: str, statement: Callable[[psycopg.Cursor], Any], *users: User) -> list[tuple[Any, float]]:
    """`statement` run by each user in their own connection and transaction, released together and
    each transaction kept open HOLD_SECONDS afterwards. Per user: what the statement returned (or the
    database error it met) and how long the statement itself took."""
    barrier = threading.Barrier(len(users))
    outcomes: list[tuple[Any, float]] = [(None, 0.0)] * len(users)

    def run(index: int, user: User) -> None:
        try:
            with psycopg.connect(dsn) as conn, as_user_committed(conn, user.claims()) as cur:
                barrier.wait(timeout=10)
                started = time.monotonic()
                result = statement(cur)
                outcomes[index] = (result, time.monotonic() - started)
                cur.execute("select pg_sleep(%s)", (HOLD_SECONDS,))
        except psycopg.Error as error:
            outcomes[index] = (error, 0.0)

    threads = [threading.Thread(target=run, args=(i, user)) for i, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.requirement("MRKT-05")
def test_two_moderators_claiming_at_once_get_different_items_without_waiting(market: tuple[str, World]) -> None:
    dsn, world = market
    queued = set(listings_of_r1(dsn, world, "pending_review", 2))
    outcomes = at_once(dsn, lambda cur: cur.execute("select item_id from claim_next_moderation_item()").fetchall(),
                       world["admin"], world["manager"])
    claimed = [rows for rows, _ in outcomes]
    assert all(isinstance(rows, list) and len(rows) == 1 for rows in claimed), claimed
    assert {rows[0][0] for rows in claimed} == queued
    # Neither waited for the other's transaction to end.
    assert max(seconds for _, seconds in outcomes) < HOLD_SECONDS
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select status, count(distinct claimed_by) from moderation_queue_items "
                            "group by status").fetchall() == [("in_review", 2)]


@pytest.mark.requirement("MRKT-05")
def test_reports_made_at_once_pull_a_listing_back_to_review_once(market: tuple[str, World]) -> None:
    dsn, world = market
    (listing,) = listings_of_r1(dsn, world, "active", 1)
    with psycopg.connect(dsn) as conn:
        conn.execute("insert into listing_reports (community_id, listing_id, reporter_id, reason) "
                     "values (%s, %s, %s, 'scam')", (world.c1, listing, world["board_member"].id))
        conn.commit()
    # The second and third reports at once: whichever counts last sees three and queues the listing.
    outcomes = at_once(dsn, lambda cur: cur.execute("insert into listing_reports (listing_id, reason) "
                                                    "values (%s, 'scam')", (listing,)).rowcount,
                       world["R2"], world["T1"])
    # Neither deadlocks on the listing its foreign key check already holds a share of.
    assert [inserted for inserted, _ in outcomes] == [1, 1]
    with psycopg.connect(dsn) as conn:
        assert one(conn, "select count(*) from listing_reports where listing_id = %s", listing) == 3
        assert one(conn, "select status::text from listings where id = %s", listing) == "pending_review"
        assert conn.execute("select reason::text from moderation_queue_items where item_id = %s",
                            (listing,)).fetchall() == [("reported",)]


@pytest.mark.requirement("MRKT-01")
def test_two_photos_added_at_once_to_a_listing_of_seven_one_is_refused(market: tuple[str, World]) -> None:
    dsn, world = market
    (listing,) = listings_of_r1(dsn, world, "active", 1)
    folder = f"{world.c1}/listings/{listing}"
    with psycopg.connect(dsn) as conn:
        for position in range(7):
            conn.execute("insert into listing_media (community_id, listing_id, storage_path, sort_order) "
                         "values (%s, %s, %s, %s)", (world.c1, listing, f"{folder}/{position}.jpg", position))
        conn.commit()
    outcomes = at_once(dsn, lambda cur: cur.execute("insert into listing_media (listing_id, storage_path) "
                                                    "values (%s, %s || '/' || gen_random_uuid() || '.jpg')",
                                                    (listing, folder)).rowcount,
                       world["R1"], world["R1"])
    refusals = [outcome for outcome, _ in outcomes if isinstance(outcome, psycopg.Error)]
    assert len(refusals) == 1 and refusals[0].sqlstate == "P0001" and str(refusals[0]).startswith("media_limit")
    with psycopg.connect(dsn) as conn:
        assert one(conn, "select count(*) from listing_media where listing_id = %s", listing) == 8
