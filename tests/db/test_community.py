"""Phase 5 — channels, posts, comments and reactions (REQUIREMENTS.md COMM-01..03) on a real
PostgreSQL, run as Supabase runs API requests: every acceptance bullet shown working and its
violation rejected with the contract's SQLSTATE and message, as the catalogue's fixture users, plus
what a resident of the same community could try: forging authors, counters or moderation, writing
other users' rows, posting where they may not."""

from __future__ import annotations

import json
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

POST = "insert into posts (channel_id, body) values (%s, %s) returning id"
COMMENT = "insert into post_comments (post_id, parent_comment_id, body) values (%s, %s, %s) returning id"
REACT = "insert into post_reactions (post_id, reaction_type) values (%s, %s) returning id"


def channel(db: psycopg.Connection, world: World, **columns: Any) -> uuid.UUID:
    """A channel of C1 made by the platform: open to all residents, anyone posts, unless told."""
    values = {"name": f"Channel {uuid.uuid4().hex[:8]}", **columns}
    return one(db, f"insert into channels (community_id, {', '.join(values)}) "
                   f"values (%s{', %s' * len(values)}) returning id", world.c1, *values.values())


def moderator(db: psycopg.Connection, world: World, channel_id: uuid.UUID, user: str) -> None:
    db.execute("insert into channel_moderators (community_id, channel_id, user_id) values (%s, %s, %s)",
               (world.c1, channel_id, world[user].id))


def act_as(cur: psycopg.Cursor, world: World, user: str) -> psycopg.Cursor:
    """The next requests of the same transaction, made by another user (the rows stay)."""
    cur.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(world[user].claims(), default=str),))
    return cur


def post(cur: psycopg.Cursor, world: World, user: str, channel_id: uuid.UUID, body: str = "Hola") -> uuid.UUID:
    return one(act_as(cur, world, user), POST, channel_id, body)


def refused(cur: psycopg.Cursor, code: str, query: str, *params: object) -> str:
    """The message of the error `query` fails with, which must carry SQLSTATE `code`."""
    with expect_sqlstate(cur, code) as failure:
        cur.execute(query, params)
    return str(failure.error)


def visible(cur: psycopg.Cursor, world: World, user: str, table: str, row: uuid.UUID) -> int:
    return one(act_as(cur, world, user), f"select count(*) from {table} where id = %s", row)


# -- COMM-01 channels --------------------------------------------------------------------------------


@pytest.mark.requirement("COMM-01")
def test_an_owners_only_channel_is_read_by_owners_and_staff(db: psycopg.Connection, world: World) -> None:
    owners = channel(db, world, visibility="owners_only")
    with as_user(db, world["T1"].claims()) as cur:
        assert visible(cur, world, "T1", "channels", owners) == 0
        assert one(cur, "select get_current_occupancy_types()::text[]") == ["tenant"]
        refused(cur, "42501", POST, owners, "Soy inquilino")
        assert visible(cur, world, "R1", "channels", owners) == 1
        assert one(cur, "select get_current_occupancy_types()::text[]") == ["owner"]
        assert visible(cur, world, "manager", "channels", owners) == 1


@pytest.mark.requirement("COMM-01")
def test_a_staff_only_channel_is_read_by_staff_only(db: psycopg.Connection, world: World) -> None:
    staff = channel(db, world, visibility="staff_only")
    with as_user(db, world["R1"].claims()) as cur:
        assert visible(cur, world, "R1", "channels", staff) == 0
        refused(cur, "42501", POST, staff, "Hola")
        assert visible(cur, world, "guard", "channels", staff) == 0
        assert visible(cur, world, "admin", "channels", staff) == 1


@pytest.mark.requirement("COMM-01")
def test_staff_keep_channels_and_their_moderators(db: psycopg.Connection, world: World) -> None:
    insert = "insert into channels (name, channel_category, posting_policy) values (%s, 'pets', 'anyone') returning id"
    appoint = "insert into channel_moderators (channel_id, user_id) values (%s, %s)"
    with as_user(db, world["manager"].claims()) as cur:
        pets = one(cur, insert, "Mascotas")
        refused(cur, "23505", insert, "Mascotas")
        cur.execute(appoint, (pets, world["R2"].id))
        refused(cur, "23505", appoint, pets, world["R2"].id)
        act_as(cur, world, "R1")
        assert one(cur, "select count(*) from channel_moderators where channel_id = %s", pets) == 1
        assert one(cur, "select is_channel_moderator(%s)", pets) is False
        refused(cur, "42501", insert, "Ventas")
        refused(cur, "42501", appoint, pets, world["R1"].id)
        assert cur.execute("update channels set posting_policy = 'moderators_only' where id = %s",
                           (pets,)).rowcount == 0
        assert one(act_as(cur, world, "R2"), "select is_channel_moderator(%s)", pets) is True


@pytest.mark.requirement("COMM-01")
def test_only_moderators_post_in_a_moderators_only_channel(db: psycopg.Connection, world: World) -> None:
    news = channel(db, world, posting_policy="moderators_only")
    moderator(db, world, news, "R2")
    with as_user(db, world["R1"].claims()) as cur:
        assert refused(cur, "42501", POST, news, "Hola").startswith("not_authorized")
        by_moderator, by_staff = post(cur, world, "R2", news), post(cur, world, "manager", news)
        assert visible(cur, world, "R1", "posts", by_moderator) == 1
        assert visible(cur, world, "R1", "posts", by_staff) == 1


@pytest.mark.requirement("COMM-01")
def test_a_banned_user_posts_again_once_the_ban_ends(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    moderator(db, world, general, "R2")
    ban = ("insert into channel_bans (channel_id, user_id, banned_until, reason) values (%s, %s, %s, 'spam') "
           "returning id")
    with as_user(db, world["R2"].claims()) as cur:
        banned = one(cur, ban, general, world["R1"].id, "2999-01-01 00:00+00")
        act_as(cur, world, "R1")
        assert refused(cur, "42501", POST, general, "Hola").startswith("not_authorized")
        # The banned user reads their own ban, cannot lift it nor ban others.
        assert one(cur, "select reason from channel_bans where id = %s", banned) == "spam"
        assert cur.execute("update channel_bans set banned_until = now() where id = %s", (banned,)).rowcount == 0
        refused(cur, "42501", ban, general, world["T1"].id, "2999-01-01 00:00+00")
        assert visible(cur, world, "T1", "channel_bans", banned) == 0
        assert visible(cur, world, "admin", "channel_bans", banned) == 1
        act_as(cur, world, "R2")
        assert cur.execute("update channel_bans set banned_until = now() - interval '1 minute' where id = %s",
                           (banned,)).rowcount == 1
        post(cur, world, "R1", general)


@pytest.mark.requirement("COMM-01")
def test_a_moderator_bans_only_in_the_channels_they_moderate(db: psycopg.Connection, world: World) -> None:
    mine, other = channel(db, world), channel(db, world)
    moderator(db, world, mine, "R2")
    ban = "insert into channel_bans (channel_id, user_id, banned_until) values (%s, %s, now() + interval '1 day') "
    with as_user(db, world["R2"].claims()) as cur:
        refused(cur, "42501", ban, other, world["R1"].id)
        banned = one(cur, ban + "returning id", mine, world["R1"].id)
        refused(cur, "42501", "update channel_bans set channel_id = %s where id = %s", other, banned)


@pytest.mark.requirement("COMM-01")
def test_nobody_posts_in_an_archived_channel(db: psycopg.Connection, world: World) -> None:
    archived = channel(db, world, is_archived=True)
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", POST, archived, "Hola")


# -- COMM-02 posts -----------------------------------------------------------------------------------


@pytest.mark.requirement("COMM-02")
def test_a_post_in_an_approval_channel_waits_for_a_moderator(db: psycopg.Connection, world: World) -> None:
    sales = channel(db, world, channel_category="sales", requires_post_approval=True)
    moderator(db, world, sales, "guard")
    with as_user(db, world["R1"].claims()) as cur:
        held = post(cur, world, "R1", sales, "Vendo bicicleta")
        assert one(cur, "select status::text from posts where id = %s", held) == "pending_review"
        # Asking for published changes nothing: the post is held all the same.
        asked = one(cur, "insert into posts (channel_id, body, status) values (%s, 'Otra', 'published') returning id",
                    sales)
        assert one(cur, "select status::text from posts where id = %s", asked) == "pending_review"
        assert visible(cur, world, "R2", "posts", held) == 0
        act_as(cur, world, "guard")
        assert cur.execute("update posts set status = 'published' where id = %s", (held,)).rowcount == 1
        assert cur.execute("select moderated_by, moderated_at is not null from posts where id = %s",
                           (held,)).fetchone() == (world["guard"].id, True)
        assert visible(cur, world, "R2", "posts", held) == 1
        act_as(cur, world, "guard")
        cur.execute("update posts set status = 'hidden', moderation_reason = 'spam' where id = %s", (held,))
        assert visible(cur, world, "R2", "posts", held) == 0
        assert visible(cur, world, "R1", "posts", held) == 1


@pytest.mark.requirement("COMM-02")
def test_a_moderator_publishes_at_once(db: psycopg.Connection, world: World) -> None:
    sales = channel(db, world, requires_post_approval=True)
    moderator(db, world, sales, "R2")
    with as_user(db, world["R2"].claims()) as cur:
        assert one(cur, "select status::text from posts where id = %s", one(cur, POST, sales, "Aviso")) == "published"


@pytest.mark.requirement("COMM-02")
def test_only_the_author_edits_a_post_and_only_moderators_moderate_it(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", general, "Original")
        act_as(cur, world, "R2")
        assert cur.execute("update posts set body = 'Hackeado' where id = %s", (mine,)).rowcount == 0
        act_as(cur, world, "R1")
        assert one(cur, "select edited_at from posts where id = %s", mine) is None
        assert cur.execute("update posts set body = 'Editado' where id = %s", (mine,)).rowcount == 1
        assert one(cur, "select edited_at is not null from posts where id = %s", mine) is True
        for change in ("is_pinned = true", "status = 'hidden'", "moderation_reason = 'mío'"):
            assert refused(cur, "42501", f"update posts set {change} where id = %s", mine).startswith("not_authorized")
        for forged in ("moderated_at = now()", "edited_at = null", f"moderated_by = '{world['R1'].id}'",
                       "comment_count = 5", "reaction_count = 5", """reaction_counts = '{"like": 9}'""",
                       f"author_id = '{world['R2'].id}'"):
            refused(cur, "42501", f"update posts set {forged} where id = %s", mine)
        refused(cur, "42501", "insert into posts (channel_id, body, is_pinned) values (%s, 'Fijo', true)", general)
        refused(cur, "42501", "insert into posts (channel_id, body, author_id) values (%s, 'Suyo', %s)",
                general, world["R2"].id)
        refused(cur, "42501", "insert into posts (channel_id, body, reaction_count) values (%s, 'Mucho', 9)", general)
        refused(cur, "42501", "insert into posts (channel_id, body, reaction_counts) "
                              """values (%s, 'Mucho', '{"wow": 9}')""", general)
        refused(cur, "P0001", "insert into posts (channel_id, body, status) values (%s, 'Oculto', 'hidden')", general)
        refused(cur, "23514", POST, general, "x" * 10001)
        act_as(cur, world, "admin")
        assert refused(cur, "42501", "update posts set body = 'Censurado' where id = %s",
                       mine).startswith("not_authorized")
        assert cur.execute("update posts set is_pinned = true where id = %s", (mine,)).rowcount == 1
        refused(cur, "P0001", "update posts set status = 'pending_review' where id = %s", mine)
        assert one(cur, "select body from posts where id = %s", mine) == "Editado"


@pytest.mark.requirement("COMM-02")
def test_a_post_holds_at_most_ten_photos_or_videos(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    media = "insert into post_media (post_id, storage_path, media_type, sort_order) values (%s, %s, %s, %s)"
    with as_user(db, world["R1"].claims()) as cur:
        mine, other = post(cur, world, "R1", general), post(cur, world, "R1", general)
        for order in range(10):
            cur.execute(media, (mine, f"{world.c1}/posts/{mine}/{order}.jpg", "image", order))
        message = refused(cur, "P0001", media, mine, f"{world.c1}/posts/{mine}/10.mp4", "video", 10)
        assert message.startswith("media_limit")
        # Another resident reads the media but adds none to R1's posts.
        act_as(cur, world, "R2")
        assert one(cur, "select count(*) from post_media where post_id = %s", mine) == 10
        refused(cur, "42501", media, other, f"{world.c1}/posts/{other}/x.jpg", "image", 0)
        theirs = post(cur, world, "R2", general)
        refused(cur, "23514", media, theirs, f"{world.c1}/posts/{theirs}/y.gif", "gif", 0)
        refused(cur, "23514", media, theirs, f"{world.c2}/posts/{theirs}/y.jpg", "image", 0)


@pytest.mark.requirement("COMM-02")
def test_media_of_a_hidden_post_are_hidden_too(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", general)
        cur.execute("insert into post_media (post_id, storage_path) values (%s, %s)",
                    (mine, f"{world.c1}/posts/{mine}/a.jpg"))
        act_as(cur, world, "admin").execute("update posts set status = 'hidden' where id = %s", (mine,))
        assert one(act_as(cur, world, "R2"), "select count(*) from post_media where post_id = %s", mine) == 0
        assert one(act_as(cur, world, "R1"), "select count(*) from post_media where post_id = %s", mine) == 1


@pytest.mark.requirement("COMM-02")
def test_post_files_lie_in_their_posts_folder_of_community_media(db: psycopg.Connection, world: World) -> None:
    general, owners = channel(db, world), channel(db, world, visibility="owners_only")
    upload = "insert into storage.objects (bucket_id, name) values ('community-media', %s)"
    seen = "select count(*) from storage.objects where bucket_id = 'community-media' and name = %s"
    media = "insert into post_media (post_id, storage_path, media_type) values (%s, %s, 'video')"
    with as_user(db, world["R1"].claims()) as cur:
        mine, among_owners = post(cur, world, "R1", general), post(cur, world, "R1", owners)
        path, owners_path = f"{world.c1}/posts/{mine}/clip.mp4", f"{world.c1}/posts/{among_owners}/a.jpg"
        for post_id, file in ((mine, path), (among_owners, owners_path)):
            cur.execute(upload, (file,))
            cur.execute(media, (post_id, file))
        # R2 reads the post's file but uploads nothing into R1's post's folder.
        act_as(cur, world, "R2")
        assert one(cur, seen, path) == 1
        refused(cur, "42501", upload, f"{world.c1}/posts/{mine}/forged.jpg")
        # T1 (a tenant) reads no file of a post in an owners-only channel; R3 none of C1.
        assert one(act_as(cur, world, "T1"), seen, owners_path) == 0
        assert one(cur, seen, path) == 1
        assert one(act_as(cur, world, "R3"), seen, path) == 0
        act_as(cur, world, "manager").execute(upload, (f"{world.c1}/posts/{mine}/from-the-office.jpg",))


# -- COMM-03 comments and reactions -----------------------------------------------------------------


@pytest.mark.requirement("COMM-03")
def test_comments_nest_three_deep_within_their_post(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        first, second = post(cur, world, "R1", general), post(cur, world, "R1", general)
        act_as(cur, world, "R2")
        top = one(cur, COMMENT, first, None, "Nivel 1")
        reply = one(cur, COMMENT, first, top, "Nivel 2")
        deepest = one(cur, COMMENT, first, reply, "Nivel 3")
        assert [one(cur, "select depth from post_comments where id = %s", c) for c in (top, reply, deepest)] \
            == [1, 2, 3]
        assert refused(cur, "P0001", COMMENT, first, deepest, "Nivel 4").startswith("max_depth")
        assert refused(cur, "P0001", COMMENT, second, top, "Otro").startswith("parent_mismatch")
        # Depth and channel are the database's: forged values are refused.
        refused(cur, "42501", "insert into post_comments (post_id, body, depth) values (%s, 'x', 2)", first)
        refused(cur, "42501", "insert into post_comments (post_id, body, channel_id) values (%s, 'x', %s)",
                first, general)
        refused(cur, "42501", "update post_comments set depth = 1 where id = %s", deepest)
        refused(cur, "42501", """update post_comments set reaction_counts = '{"like": 9}' where id = %s""", top)
        refused(cur, "42501", "update post_comments set reaction_count = 9 where id = %s", top)
        refused(cur, "42501", "insert into post_comments (post_id, body, reaction_counts) "
                              """values (%s, 'x', '{"like": 1}')""", first)


@pytest.mark.requirement("COMM-03")
def test_comment_count_follows_comments_and_soft_deletes(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", general)
        act_as(cur, world, "R2")
        comments = [one(cur, COMMENT, mine, None, f"Comentario {n}") for n in range(3)]
        cur.execute("select soft_delete_record('public.post_comments', %s)", (comments[0],))
        assert one(cur, "select comment_count from posts where id = %s", mine) == 2


@pytest.mark.requirement("COMM-03")
def test_reactions_are_counted_per_type_once_per_user(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    counts = "select reaction_count, reaction_counts from posts where id = %s"
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", general)
        for user, reaction in (("R2", "like"), ("T1", "like"), ("R1", "love")):
            act_as(cur, world, user).execute(REACT, (mine, reaction))
        act_as(cur, world, "R2")
        assert cur.execute(counts, (mine,)).fetchone() == (3, {"like": 2, "love": 1})
        refused(cur, "23505", REACT, mine, "wow")
        # Changing one's reaction moves it between types.
        assert cur.execute("update post_reactions set reaction_type = 'wow' where post_id = %s and user_id = %s",
                           (mine, world["R2"].id)).rowcount == 1
        assert one(cur, "select reaction_counts from posts where id = %s", mine) == {"like": 1, "love": 1, "wow": 1}
        withdrawn = one(cur, "select id from post_reactions where post_id = %s and user_id = %s", mine, world["R2"].id)
        cur.execute("select soft_delete_record('public.post_reactions', %s)", (withdrawn,))
        assert cur.execute(counts, (mine,)).fetchone() == (2, {"like": 1, "love": 1})
        # Each reacts as themselves and changes only their own reaction.
        refused(cur, "42501", "insert into post_reactions (post_id, user_id) values (%s, %s)", mine, world["R1"].id)
        assert cur.execute("update post_reactions set reaction_type = 'sad' where post_id = %s and user_id = %s",
                           (mine, world["R1"].id)).rowcount == 0
        refused(cur, "22P02", REACT, mine, "angry")


@pytest.mark.requirement("COMM-03")
def test_comment_reactions_are_counted_on_the_comment(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    react = "insert into comment_reactions (comment_id, reaction_type) values (%s, %s)"
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", general)
        comment = one(cur, COMMENT, mine, None, "Gracias")
        cur.execute(react, (comment, "thanks"))
        refused(cur, "23505", react, comment, "like")
        act_as(cur, world, "R2").execute(react, (comment, "thanks"))
        assert cur.execute("select reaction_count, reaction_counts from post_comments where id = %s",
                           (comment,)).fetchone() == (2, {"thanks": 2})
        assert one(cur, "select reaction_count from posts where id = %s", mine) == 0


@pytest.mark.requirement("COMM-03")
def test_only_moderators_moderate_comments_and_only_authors_edit_them(db: psycopg.Connection, world: World) -> None:
    general = channel(db, world)
    moderator(db, world, general, "R2")
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", general)
        act_as(cur, world, "T1")
        comment = one(cur, COMMENT, mine, None, "Comentario")
        assert cur.execute("update post_comments set body = 'Editado' where id = %s", (comment,)).rowcount == 1
        assert refused(cur, "42501", "update post_comments set status = 'hidden' where id = %s",
                       comment).startswith("not_authorized")
        act_as(cur, world, "R1")
        assert cur.execute("update post_comments set body = 'Mío' where id = %s", (comment,)).rowcount == 0
        act_as(cur, world, "R2")
        # A moderator hides a comment; its words stay its author's.
        refused(cur, "42501", "update post_comments set body = 'Moderado' where id = %s", comment)
        assert cur.execute("update post_comments set status = 'hidden' where id = %s", (comment,)).rowcount == 1
        assert visible(cur, world, "R1", "post_comments", comment) == 0
        assert visible(cur, world, "T1", "post_comments", comment) == 1
        assert visible(cur, world, "R2", "post_comments", comment) == 1


@pytest.mark.requirement("COMM-03")
def test_comments_and_reactions_follow_their_posts_visibility(db: psycopg.Connection, world: World) -> None:
    owners = channel(db, world, visibility="owners_only")
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", owners)
        act_as(cur, world, "R2")
        comment = one(cur, COMMENT, mine, None, "Entre dueños")
        cur.execute(REACT, (mine, "like"))
        assert visible(cur, world, "T1", "posts", mine) == 0
        assert visible(cur, world, "T1", "post_comments", comment) == 0
        assert one(cur, "select count(*) from post_reactions where post_id = %s", mine) == 0
        refused(cur, "42501", COMMENT, mine, None, "Yo también")
        refused(cur, "42501", REACT, mine, "like")


# -- isolation ---------------------------------------------------------------------------------------

COMMUNITY_TABLES = ["channels", "channel_moderators", "channel_bans", "posts", "post_media", "post_comments",
                    "post_reactions", "comment_reactions"]
# Their isolation is shown in test_community_announcements.py.
ANNOUNCEMENT_TABLES = ["announcements", "announcement_segments", "announcement_recipients"]
# Theirs in test_community_surveys.py.
SURVEY_TABLES = ["surveys", "survey_questions", "survey_options", "survey_responses", "survey_answers"]
# Theirs in test_community_forum.py.
FORUM_TABLES = ["forum_categories", "forum_threads", "forum_replies"]
# Its own in test_community_services.py.
SERVICE_TABLES = ["service_arrivals"]


def c2_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each community table, its parents being C2's rows (made as the platform)."""
    c2, r3 = world.c2, world["R3"].id
    base = {"community_id": c2}
    room = one(db, "insert into channels (community_id, name) values (%s, 'C2 general') returning id", c2)
    note = one(db, "insert into posts (community_id, channel_id, author_id, body) values (%s, %s, %s, 'Hola') "
                   "returning id", c2, room, r3)
    comment = one(db, "insert into post_comments (community_id, post_id, author_id, body) values (%s, %s, %s, 'Hola') "
                      "returning id", c2, note, r3)
    return {
        "channels": {**base, "name": "C2 ventas"},
        "channel_moderators": {**base, "channel_id": room, "user_id": r3},
        "channel_bans": {**base, "channel_id": room, "user_id": r3, "banned_until": "2999-01-01 00:00+00"},
        "posts": {**base, "channel_id": room, "author_id": r3, "body": "Otra"},
        "post_media": {**base, "post_id": note, "storage_path": f"{c2}/posts/{note}/a.jpg"},
        "post_comments": {**base, "post_id": note, "author_id": r3, "body": "Otro"},
        "post_reactions": {**base, "post_id": note, "user_id": r3, "reaction_type": "like"},
        "comment_reactions": {**base, "comment_id": comment, "user_id": r3, "reaction_type": "love"},
    }


def test_every_community_table_is_listed() -> None:
    model, _, _ = analyse(SPEC)
    assert {t.name for t in model.of_type(Table) if t.domain == "community"} \
        == set(COMMUNITY_TABLES) | set(ANNOUNCEMENT_TABLES) | set(SURVEY_TABLES) | set(FORUM_TABLES) \
        | set(SERVICE_TABLES)


@pytest.mark.requirement("COMM-01")
@pytest.mark.requirement("COMM-02")
@pytest.mark.requirement("COMM-03")
@pytest.mark.parametrize("table", COMMUNITY_TABLES)
def test_community_tables_are_isolated_between_communities(db: psycopg.Connection, world: World,
                                                           table: str) -> None:
    # The admin reads and writes every community table of C1: nothing of C2 reaches it.
    assert_tenant_isolation(db, table, c2_rows(db, world)[table], world["admin"])


@pytest.mark.requirement("COMM-03")
def test_a_reply_cannot_reach_into_another_community(db: psycopg.Connection, world: World) -> None:
    c2_comment = one(db, "select id from post_comments where community_id = %s",
                     c2_rows(db, world)["post_comments"]["community_id"])
    general = channel(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        mine = post(cur, world, "R1", general)
        refused(cur, "23503", COMMENT, mine, c2_comment, "Hola")
