"""COMM-03 under concurrency, with two connections committing at once as PostgREST would: comments
and reactions written to the same posts by two users at the same time are all counted — the
counters are stepped in place on the post's row, so the second writer waits for the first and
steps the committed value instead of overwriting it with a count of its own snapshot."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.pgcluster import PgCluster
from tests.support.session import as_user_committed, one
from tests.support.world import User, World, committed_world

POSTS = 4
COMMENTS_PER_ROUND = 10


@pytest.fixture
def feed(pg_cluster: PgCluster, bundled_template: str) -> Iterator[tuple[str, World]]:
    """A database of its own (these tests commit), the world seeded and committed."""
    with committed_world(pg_cluster, bundled_template, "community_concurrency") as database:
        yield database


def posts(dsn: str, world: World) -> list[uuid.UUID]:
    """Posts of R1 in a channel of C1, made by the platform."""
    with psycopg.connect(dsn) as conn:
        room = one(conn, "insert into channels (community_id, name) values (%s, 'General') returning id", world.c1)
        made = [one(conn, "insert into posts (community_id, channel_id, author_id, body) values (%s, %s, %s, %s) "
                          "returning id", world.c1, room, world["R1"].id, f"Post {n}") for n in range(POSTS)]
        conn.commit()
    return made


def write_at_once(dsn: str, post_ids: list[uuid.UUID], *writers: tuple[User, str]) -> list[Exception | None]:
    """Each writer (user, reaction type) in its own connection: for each post, one transaction of
    comments and a reaction, released together with the other writer's and kept open a moment, so
    the two are in flight at once. Per writer: the error it met, if any."""
    barrier = threading.Barrier(len(writers))
    errors: list[Exception | None] = [None] * len(writers)

    def run(index: int, user: User, reaction: str) -> None:
        try:
            with psycopg.connect(dsn) as conn:
                for post_id in post_ids:
                    barrier.wait(timeout=10)
                    with as_user_committed(conn, user.claims()) as cur:
                        # The reaction first: its statement starts before the other writer commits.
                        cur.execute("insert into post_reactions (post_id, reaction_type) values (%s, %s)",
                                    (post_id, reaction))
                        for n in range(COMMENTS_PER_ROUND):
                            cur.execute("insert into post_comments (post_id, body) values (%s, %s)",
                                        (post_id, f"{user.role} {n}"))
                        cur.execute("select pg_sleep(0.05)")
        except (psycopg.Error, threading.BrokenBarrierError) as error:
            errors[index] = error

    threads = [threading.Thread(target=run, args=(i, *writer)) for i, writer in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.requirement("COMM-03")
def test_comments_and_reactions_written_at_once_are_all_counted(feed: tuple[str, World]) -> None:
    dsn, world = feed
    post_ids = posts(dsn, world)
    assert write_at_once(dsn, post_ids, (world["R2"], "like"), (world["T1"], "love")) == [None, None]
    with psycopg.connect(dsn) as conn:
        counters = conn.execute("select comment_count, reaction_count, reaction_counts from posts "
                                "where id = any(%s)", (post_ids,)).fetchall()
        assert counters == [(2 * COMMENTS_PER_ROUND, 2, {"like": 1, "love": 1})] * POSTS
        # The counters agree with the rows.
        assert conn.execute("select count(*) from post_comments where post_id = any(%s)",
                            (post_ids,)).fetchone() == (2 * COMMENTS_PER_ROUND * POSTS,)
