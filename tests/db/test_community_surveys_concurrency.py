"""COMM-07 under concurrency, with two connections as PostgREST would: the two occupants of U1 (R1,
the owner, and T1, the tenant) submit the unit's response at the same moment — the unique key
(survey_id, unit_id) lets exactly one through, and the other fails with 23505 instead of the unit
voting twice."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.pgcluster import PgCluster
from tests.support.session import as_user_committed, one
from tests.support.world import User, World, committed_world


@pytest.fixture
def ballot_box(pg_cluster: PgCluster, bundled_template: str) -> Iterator[tuple[str, World]]:
    """A database of its own (these tests commit), the world seeded and committed."""
    with committed_world(pg_cluster, bundled_template, "survey_concurrency") as database:
        yield database


def open_survey(dsn: str, world: World) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """An open survey of C1 with one single-choice question (options A, B): its id, the question's, A's."""
    with psycopg.connect(dsn) as conn:
        survey = one(conn, "insert into surveys (community_id, title, opens_at, closes_at) "
                           "values (%s, 'Pintura', now() - interval '1 day', now() + interval '1 day') returning id",
                     world.c1)
        question = one(conn, "insert into survey_questions (community_id, survey_id, question_type, prompt) "
                             "values (%s, %s, 'single_choice', '¿Color?') returning id", world.c1, survey)
        option_a, _ = (one(conn, "insert into survey_options (community_id, question_id, label) values (%s, %s, %s) "
                                 "returning id", world.c1, question, label) for label in "AB")
        conn.execute("update surveys set status = 'open' where id = %s", (survey,))
        conn.commit()
    return survey, question, option_a


def submit_at_once(dsn: str, survey: uuid.UUID, unit: uuid.UUID, answers: str,
                   *voters: User) -> list[Exception | None]:
    """Each voter in its own connection, released together and kept open a moment so both
    submissions are in flight at once. Per voter: the error it met, if any."""
    barrier = threading.Barrier(len(voters))
    errors: list[Exception | None] = [None] * len(voters)

    def run(index: int, voter: User) -> None:
        try:
            with psycopg.connect(dsn) as conn, as_user_committed(conn, voter.claims()) as cur:
                barrier.wait(timeout=10)
                cur.execute("select submit_survey_response(%s, %s, %s)", (survey, unit, answers))
                cur.execute("select pg_sleep(0.05)")
        except (psycopg.Error, threading.BrokenBarrierError) as error:
            errors[index] = error

    threads = [threading.Thread(target=run, args=(i, voter)) for i, voter in enumerate(voters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.requirement("COMM-07")
def test_two_occupants_voting_at_once_give_the_unit_one_vote(ballot_box: tuple[str, World]) -> None:
    dsn, world = ballot_box
    survey, question, option_a = open_survey(dsn, world)
    answers = json.dumps([{"question_id": str(question), "option_id": str(option_a)}])
    errors = submit_at_once(dsn, survey, world.u1, answers, world["R1"], world["T1"])
    assert sorted(type(error).__name__ for error in errors) == ["NoneType", "UniqueViolation"]
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select count(*) from survey_responses where survey_id = %s", (survey,)).fetchone() == (1,)
        assert conn.execute("select count(*) from survey_answers where option_id = %s", (option_a,)).fetchone() == (1,)
