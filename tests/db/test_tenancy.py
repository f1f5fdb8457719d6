"""The tenancies besides `community`: user-owned rows, global catalogues, organization rows."""

from __future__ import annotations

import psycopg

from tests.support.session import as_service, as_user, expect_sqlstate
from tests.support.world import World


def test_user_rows_belong_to_their_user_only(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        mine = cur.execute("insert into widget_preferences (favourite) values ('blue') returning user_id").fetchone()
        assert mine == (world["R1"].id,)
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into widget_preferences (user_id, favourite) values (%s, 'red')",
                        (world["admin"].id,))
    db.execute("insert into widget_preferences (user_id, favourite) values (%s, 'green')", (world["R1"].id,))
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute("select * from widget_preferences").fetchall() == []
        assert cur.execute("update widget_preferences set favourite = 'x'").rowcount == 0
    with as_user(db, world["R1"].claims()) as cur:
        assert cur.execute("select favourite from widget_preferences").fetchall() == [("green",)]


def test_global_catalogues_are_read_by_all_and_written_by_the_service_only(
    db: psycopg.Connection, world: World
) -> None:
    db.execute("insert into widget_kinds (code) values ('k1')")
    for user in ("R1", "A2", "S"):
        with as_user(db, world[user].claims()) as cur:
            assert cur.execute("select code from widget_kinds").fetchall() == [("k1",)]
    with as_user(db, world["admin"].claims()) as cur:
        for statement in ("insert into widget_kinds (code) values ('k2')", "update widget_kinds set code = 'x'"):
            with expect_sqlstate(cur, "42501"):
                cur.execute(statement)
    with as_service(db) as cur:
        cur.execute("insert into widget_kinds (code) values ('k2')")
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into widget_kinds (code) values ('k2')")


def test_organization_rows_are_shared_by_its_communities_and_ruled_by_role(
    db: psycopg.Connection, world: World
) -> None:
    db.execute("insert into organization_notes (organization_id, body) values (%s, 'o1'), (%s, 'o2')",
               (world.o1, world.o2))
    with as_user(db, world["R1"].claims()) as cur:
        assert cur.execute("select body from organization_notes").fetchall() == [("o1",)]
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into organization_notes (organization_id, body) values (%s, 'r')", (world.o1,))
        assert cur.execute("update organization_notes set body = 'r'").rowcount == 0
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("insert into organization_notes (organization_id, body) values (%s, 'a')", (world.o1,))
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into organization_notes (organization_id, body) values (%s, 'a')", (world.o2,))
        assert cur.execute("update organization_notes set body = 'edited' where body = 'o1'").rowcount == 1
        # The rule's own condition holds for the new row too.
        with expect_sqlstate(cur, "42501"):
            cur.execute("update organization_notes set body = '' where body = 'edited'")
