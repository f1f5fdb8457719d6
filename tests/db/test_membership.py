"""Group membership in access rules (`member:`, tests/db/widgets/membership.yaml), as PostgREST
runs requests: a club's notes are read and written by its current members only, in their own
community, through a membership array built once per statement (an initPlan)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.support.session import as_user, expect_sqlstate, one
from tests.support.world import World


@pytest.fixture
def clubs(db: psycopg.Connection, world: World) -> tuple[uuid.UUID, uuid.UUID]:
    """Chess (R1 a member, T1 a member who left) and Tennis (R2) in C1, each with a note."""
    ids = []
    for name, members in (("chess", [("R1", None), ("T1", "2026-01-01")]), ("tennis", [("R2", None)])):
        club = one(db, "insert into widget_clubs (community_id, name) values (%s, %s) returning id", world.c1, name)
        for member, left in members:
            db.execute("insert into widget_club_members (community_id, club_id, user_id, left_at) "
                       "values (%s, %s, %s, %s)", (world.c1, club, world[member].id, left))
        db.execute("insert into widget_club_notes (community_id, club_id, body) values (%s, %s, %s)",
                   (world.c1, club, f"{name} note"))
        ids.append(club)
    return ids[0], ids[1]


def test_members_read_their_clubs_and_notes_and_no_one_else_does(
        db: psycopg.Connection, world: World, clubs: tuple[uuid.UUID, uuid.UUID]) -> None:
    chess, tennis = clubs
    with as_user(db, world["R1"].claims()) as cur:
        assert [row[0] for row in cur.execute("select id from widget_clubs")] == [chess]
        assert [row[0] for row in cur.execute("select body from widget_club_notes")] == ["chess note"]
    # A member who left keeps the club (its rule has no `where`) but no longer reads its notes.
    with as_user(db, world["T1"].claims()) as cur:
        assert [row[0] for row in cur.execute("select id from widget_clubs")] == [chess]
        assert one(cur, "select count(*) from widget_club_notes") == 0
    # A resident of the same community outside the club, and one of another community, read nothing.
    with as_user(db, world["R3"].claims()) as cur:
        assert one(cur, "select count(*) from widget_clubs") == 0
        assert one(cur, "select count(*) from widget_club_notes") == 0
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, "select count(*) from widget_club_notes") == 2
    assert tennis


def test_members_write_only_into_their_own_clubs(
        db: psycopg.Connection, world: World, clubs: tuple[uuid.UUID, uuid.UUID]) -> None:
    chess, tennis = clubs
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute("insert into widget_club_notes (club_id, body) values (%s, 'my move')", (chess,))
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into widget_club_notes (club_id, body) values (%s, 'not mine')", (tennis,))
    with as_user(db, world["T1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into widget_club_notes (club_id, body) values (%s, 'I left')", (chess,))


def test_the_membership_is_read_once_per_statement(
        db: psycopg.Connection, world: World, clubs: tuple[uuid.UUID, uuid.UUID]) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        plan = "\n".join(row[0] for row in cur.execute("explain select * from widget_club_notes"))
    # An initPlan computes the member's clubs once; a SubPlan would run against every note.
    assert "InitPlan" in plan and "SubPlan" not in plan, plan


def test_a_function_takes_a_tables_row(db: psycopg.Connection, world: World,
                                       clubs: tuple[uuid.UUID, uuid.UUID]) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        assert [row[0] for row in cur.execute("select public.club_label(c) from widget_clubs c")] == ["club chess"]
