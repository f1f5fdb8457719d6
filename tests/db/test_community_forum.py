"""Phase 5 — forum categories, threads and replies (REQUIREMENTS.md COMM-08) on a real PostgreSQL,
run as Supabase runs API requests: every acceptance bullet shown working and its violation rejected
with the contract's SQLSTATE and message, plus what a resident of the same community could try:
forging authors, counters or activity, pinning, locking or moderating, editing other users' rows."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.db.test_community import FORUM_TABLES, act_as, refused, visible
from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_user, one
from tests.support.world import World

THREAD = "insert into forum_threads (category_id, title, body) values (%s, 'Ruido', 'Hay ruido de noche') returning id"
REPLY = "insert into forum_replies (thread_id, body) values (%s, %s) returning id"


def category(db: psycopg.Connection, world: World, **columns: object) -> uuid.UUID:
    values = {"name": f"Categoría {uuid.uuid4().hex[:8]}", **columns}
    return one(db, f"insert into forum_categories (community_id, {', '.join(values)}) "
                   f"values (%s{', %s' * len(values)}) returning id", world.c1, *values.values())


@pytest.mark.requirement("COMM-08")
def test_staff_define_categories_and_residents_read_them(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", "insert into forum_categories (name) values ('Mía')")
        made = one(act_as(cur, world, "manager"), "insert into forum_categories (name) values ('Vecinos') returning id")
        assert visible(cur, world, "R1", "forum_categories", made) == 1
        assert cur.execute("update forum_categories set name = 'Otra' where id = %s", (made,)).rowcount == 0
        refused(act_as(cur, world, "manager"), "23505", "insert into forum_categories (name) values ('Vecinos')")


@pytest.mark.requirement("COMM-08")
def test_a_locked_thread_takes_no_replies(db: psycopg.Connection, world: World) -> None:
    general = category(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        thread = one(cur, THREAD, general)
        assert one(cur, "select author_id from forum_threads where id = %s", thread) == world["R1"].id
        one(act_as(cur, world, "R2"), REPLY, thread, "Sí, mucho")
        refused(act_as(cur, world, "R1"), "42501", "update forum_threads set is_locked = true where id = %s", thread)
        act_as(cur, world, "manager").execute("update forum_threads set is_locked = true where id = %s", (thread,))
        assert "thread_locked" in refused(act_as(cur, world, "R2"), "P0001", REPLY, thread, "¿Y ahora?")
        assert "thread_locked" in refused(act_as(cur, world, "manager"), "P0001", REPLY, thread, "Cerrado")


@pytest.mark.requirement("COMM-08")
def test_the_database_keeps_reply_count_and_last_activity(db: psycopg.Connection, world: World) -> None:
    general = category(db, world)
    thread = one(db, "insert into forum_threads (community_id, category_id, author_id, title, body, "
                     "last_activity_at) values (%s, %s, %s, 'Ruido', 'Hay ruido', now() - interval '1 day') "
                     "returning id", world.c1, general, world["R1"].id)
    with as_user(db, world["R1"].claims()) as cur:
        first = one(cur, REPLY, thread, "Uno")
        second = one(act_as(cur, world, "R2"), REPLY, thread, "Dos")
        cur.execute("select soft_delete_record('public.forum_replies', %s)", (second,))
        count, activity = cur.execute("select reply_count, last_activity_at from forum_threads where id = %s",
                                      (thread,)).fetchone()
        assert count == 1
        assert activity == one(cur, "select max(created_at) from forum_replies where id in (%s, %s)", first, second)
        refused(act_as(cur, world, "R1"), "42501", "update forum_threads set reply_count = 9 where id = %s", thread)
        refused(cur, "42501",
                "update forum_threads set last_activity_at = now() + interval '1 day' where id = %s", thread)


@pytest.mark.requirement("COMM-08")
def test_only_staff_moderate_pin_and_only_authors_edit(db: psycopg.Connection, world: World) -> None:
    general = category(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        thread = one(cur, THREAD, general)
        reply = one(cur, REPLY, thread, "Mío")
        for change in ("status = 'hidden'", "is_pinned = true"):
            refused(cur, "42501", f"update forum_threads set {change} where id = %s", thread)
        refused(cur, "42501", "update forum_replies set status = 'removed' where id = %s", reply)
        refused(cur, "42501", "insert into forum_threads (category_id, title, body, is_pinned) "
                              "values (%s, 'Fijo', 'Yo', true)", general)
        refused(cur, "42501", "insert into forum_threads (category_id, title, body, author_id) "
                              "values (%s, 'A', 'B', %s)", general, world["R2"].id)
        cur.execute("update forum_threads set body = 'Corregido' where id = %s", (thread,))
        act_as(cur, world, "R2")
        assert cur.execute("update forum_threads set body = 'Ajeno' where id = %s", (thread,)).rowcount == 0
        assert cur.execute("update forum_replies set body = 'Ajeno' where id = %s", (reply,)).rowcount == 0
        act_as(cur, world, "manager").execute("update forum_threads set status = 'hidden', is_pinned = true "
                                              "where id = %s", (thread,))
        assert visible(cur, world, "R2", "forum_threads", thread) == 0
        assert visible(cur, world, "R1", "forum_threads", thread) == 1
        refused(act_as(cur, world, "R2"), "42501", REPLY, thread, "A un hilo oculto")


@pytest.mark.requirement("COMM-08")
def test_threads_open_only_in_active_categories(db: psycopg.Connection, world: World) -> None:
    closed = category(db, world, is_active=False)
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", THREAD, closed)


def c2_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each forum table, its parents being C2's rows (made as the platform)."""
    c2, r3 = world.c2, world["R3"].id
    base = {"community_id": c2}
    general = one(db, "insert into forum_categories (community_id, name) values (%s, 'C2 general') returning id", c2)
    thread = one(db, "insert into forum_threads (community_id, category_id, author_id, title, body) "
                     "values (%s, %s, %s, 'C2', 'Hola') returning id", c2, general, r3)
    return {
        "forum_categories": {**base, "name": "C2 otra"},
        "forum_threads": {**base, "category_id": general, "author_id": r3, "title": "Otro", "body": "Otro"},
        "forum_replies": {**base, "thread_id": thread, "author_id": r3, "body": "Otra"},
    }


@pytest.mark.requirement("COMM-08")
@pytest.mark.parametrize("table", FORUM_TABLES)
def test_forum_tables_are_isolated_between_communities(db: psycopg.Connection, world: World, table: str) -> None:
    assert_tenant_isolation(db, table, c2_rows(db, world)[table], world["admin"])
