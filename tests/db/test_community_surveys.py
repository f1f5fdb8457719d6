"""Phase 5 — surveys and their responses, one per unit (REQUIREMENTS.md COMM-06, COMM-07) on a real
PostgreSQL, run as Supabase runs API requests: every acceptance bullet shown working and its
violation rejected with the contract's SQLSTATE and message, plus what a resident of the same
community could try: writing surveys, responding for another unit or twice, forging responses,
reading anonymous answers or results before their time."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from tests.db.test_community import SURVEY_TABLES, act_as, refused, visible
from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_user, one
from tests.support.world import World

SUBMIT = "select submit_survey_response(%s, %s, %s)"
RESULTS = "select label, votes from survey_results(%s) order by label"


class Survey:
    """A survey of C1 made by the platform: one single-choice question (options A, B, C), one
    multiple-choice question (X, Y), a rating 1..5 and an optional free-text question."""

    def __init__(self, db: psycopg.Connection, world: World, *, status: str = "open",
                 window: str = "now() - interval '1 day', now() + interval '1 day'", **columns: object) -> None:
        names = "".join(f", {name}" for name in columns)
        self.id: uuid.UUID = one(db, f"insert into surveys (community_id, title, opens_at, closes_at{names}) "
                                     f"values (%s, 'Horario de la alberca', {window}{', %s' * len(columns)}) "
                                     "returning id", world.c1, *columns.values())
        self.single = self.question(db, world, "single_choice", 1)
        self.multiple = self.question(db, world, "multiple_choice", 2)
        self.rating = self.question(db, world, "rating", 3, min_rating=1, max_rating=5)
        self.text = self.question(db, world, "free_text", 4, is_required=False)
        self.options = {label: self.option(db, world, question, label)
                        for question, labels in ((self.single, "ABC"), (self.multiple, "XY")) for label in labels}
        if status != "draft":
            db.execute("update surveys set status = 'open' where id = %s", (self.id,))
        if status == "closed":
            db.execute("update surveys set status = 'closed' where id = %s", (self.id,))

    def question(self, db: psycopg.Connection, world: World, question_type: str, sort_order: int,
                 **columns: object) -> uuid.UUID:
        names = "".join(f", {name}" for name in columns)
        return one(db, f"insert into survey_questions (community_id, survey_id, question_type, prompt, sort_order"
                       f"{names}) values (%s, %s, %s, 'Pregunta', %s{', %s' * len(columns)}) returning id",
                   world.c1, self.id, question_type, sort_order, *columns.values())

    def option(self, db: psycopg.Connection, world: World, question: uuid.UUID, label: str) -> uuid.UUID:
        return one(db, "insert into survey_options (community_id, question_id, label) values (%s, %s, %s) "
                       "returning id", world.c1, question, label)

    def answers(self, single: str = "A", *, single_options: str | None = None, rating: int = 4) -> str:
        chosen = [str(self.options[label]) for label in (single_options or single)]
        return json.dumps([
            {"question_id": str(self.single), "option_ids": chosen},
            {"question_id": str(self.multiple), "option_ids": [str(self.options["X"]), str(self.options["Y"])]},
            {"question_id": str(self.rating), "rating": rating},
            {"question_id": str(self.text), "text": "Que abra a las 7"},
        ])


# -- COMM-06 surveys ---------------------------------------------------------------------------------


@pytest.mark.requirement("COMM-06")
def test_staff_write_surveys_and_residents_do_not(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", "insert into surveys (title, opens_at, closes_at) values ('Mía', now(), now() + '1 day')")
        made = one(act_as(cur, world, "manager"), "insert into surveys (title, opens_at, closes_at) "
                                                  "values ('Alberca', now(), now() + '1 day') returning id")
        assert one(cur, "select status::text from surveys where id = %s", made) == "draft"
        refused(act_as(cur, world, "R1"), "42501", "insert into survey_questions (survey_id, question_type, prompt) "
                                                   "values (%s, 'free_text', '¿?')", made)
        assert cur.execute("update surveys set title = 'Otra' where id = %s", (made,)).rowcount == 0


@pytest.mark.requirement("COMM-06")
def test_a_survey_closes_after_it_opens(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["manager"].claims()) as cur:
        for closes in ("now()", "now() - interval '1 hour'"):
            refused(cur, "23514", f"insert into surveys (title, opens_at, closes_at) values ('Mal', now(), {closes})")
        refused(cur, "P0001", "insert into surveys (title, opens_at, closes_at, status) "
                              "values ('Ya abierta', now(), now() + interval '1 day', 'open')")


@pytest.mark.requirement("COMM-06")
def test_only_choice_questions_have_options(db: psycopg.Connection, world: World) -> None:
    survey = Survey(db, world, status="draft")
    with as_user(db, world["manager"].claims()) as cur:
        for question in (survey.text, survey.rating):
            message = refused(cur, "P0001", "insert into survey_options (question_id, label) values (%s, 'No')",
                              question)
            assert "options_not_allowed" in message
        cur.execute("insert into survey_options (question_id, label) values (%s, 'D')", (survey.single,))
        refused(cur, "23514", "insert into survey_questions (survey_id, question_type, prompt, min_rating, max_rating) "
                              "values (%s, 'rating', '¿Qué tal?', 5, 1)", survey.id)


@pytest.mark.requirement("COMM-06")
def test_a_survey_opens_only_with_two_options_per_choice_question(db: psycopg.Connection, world: World) -> None:
    survey = Survey(db, world, status="draft")
    lonely = survey.question(db, world, "single_choice", 5)
    survey.option(db, world, lonely, "Solo")
    with as_user(db, world["manager"].claims()) as cur:
        message = refused(cur, "P0001", "update surveys set status = 'open' where id = %s", survey.id)
        assert "question_without_options" in message and str(lonely) in message
        cur.execute("insert into survey_options (question_id, label) values (%s, 'Otra')", (lonely,))
        cur.execute("update surveys set status = 'open' where id = %s", (survey.id,))


@pytest.mark.requirement("COMM-06")
def test_an_open_survey_keeps_its_questions_and_options(db: psycopg.Connection, world: World) -> None:
    survey = Survey(db, world)
    with as_user(db, world["manager"].claims()) as cur:
        for change, *params in (
                ("insert into survey_options (question_id, label) values (%s, 'D')", survey.single),
                ("update survey_options set label = 'Otra' where id = %s", survey.options["A"]),
                ("update survey_questions set prompt = 'Otra' where id = %s", survey.single),
                ("insert into survey_questions (survey_id, question_type, prompt) values (%s, 'free_text', '¿?')",
                 survey.id)):
            assert "survey_not_draft" in refused(cur, "P0001", change, *params)


@pytest.mark.requirement("COMM-06")
def test_residents_read_a_survey_once_open(db: psycopg.Connection, world: World) -> None:
    draft = Survey(db, world, status="draft")
    opened = Survey(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        assert visible(cur, world, "R1", "surveys", draft.id) == 0
        assert visible(cur, world, "R1", "survey_questions", draft.single) == 0
        assert visible(cur, world, "R1", "survey_options", draft.options["A"]) == 0
        assert visible(cur, world, "guard", "surveys", opened.id) == 1
        assert visible(cur, world, "T1", "survey_options", opened.options["A"]) == 1
        assert visible(cur, world, "manager", "surveys", draft.id) == 1


# -- COMM-07 responses -------------------------------------------------------------------------------


@pytest.mark.requirement("COMM-07")
def test_a_unit_responds_once(db: psycopg.Connection, world: World) -> None:
    survey = Survey(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        response = one(cur, SUBMIT, survey.id, world.u1, survey.answers())
        assert one(cur, "select respondent_id from survey_responses where id = %s", response) \
            == world.resident_ids["R1"]
        assert one(cur, "select count(*) from survey_answers where response_id = %s", response) == 5
        refused(act_as(cur, world, "T1"), "23505", SUBMIT, survey.id, world.u1, survey.answers("B"))


@pytest.mark.requirement("COMM-07")
def test_only_an_occupant_responds_for_a_unit(db: psycopg.Connection, world: World) -> None:
    survey = Survey(db, world)
    with as_user(db, world["R2"].claims()) as cur:
        assert "not_authorized" in refused(cur, "42501", SUBMIT, survey.id, world.u1, survey.answers())
        refused(act_as(cur, world, "manager"), "42501", SUBMIT, survey.id, world.u1, survey.answers())
        refused(cur, "42501", "insert into survey_responses (survey_id, unit_id, respondent_id) values (%s, %s, %s)",
                survey.id, world.u1, world.resident_ids["R1"])


@pytest.mark.requirement("COMM-07")
def test_responses_come_inside_the_window(db: psycopg.Connection, world: World) -> None:
    late = Survey(db, world, window="now() - interval '2 days', now() - interval '1 hour'")
    early = Survey(db, world, window="now() + interval '1 hour', now() + interval '1 day'")
    closed = Survey(db, world, status="closed")
    draft = Survey(db, world, status="draft")
    with as_user(db, world["R1"].claims()) as cur:
        for survey in (late, early, closed, draft):
            assert "survey_closed" in refused(cur, "P0001", SUBMIT, survey.id, world.u1, survey.answers())


@pytest.mark.requirement("COMM-07")
def test_answers_are_checked_against_their_questions(db: psycopg.Connection, world: World) -> None:
    survey = Survey(db, world)
    other = Survey(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        assert "too_many_options" in refused(cur, "P0001", SUBMIT, survey.id, world.u1,
                                             survey.answers(single_options="AB"))
        assert "rating_out_of_range" in refused(cur, "P0001", SUBMIT, survey.id, world.u1, survey.answers(rating=6))
        foreign_option = json.dumps([{"question_id": str(survey.single), "option_id": str(other.options["A"])}])
        assert "option_not_in_question" in refused(cur, "P0001", SUBMIT, survey.id, world.u1, foreign_option)
        foreign_question = json.dumps([{"question_id": str(other.text), "text": "Hola"}])
        assert "question_not_in_survey" in refused(cur, "P0001", SUBMIT, survey.id, world.u1, foreign_question)
        unanswered = json.dumps([{"question_id": str(survey.single), "option_id": str(survey.options["A"])}])
        assert "answer_required" in refused(cur, "P0001", SUBMIT, survey.id, world.u1, unanswered)
        assert one(cur, "select count(*) from survey_responses where survey_id = %s", survey.id) == 0


@pytest.mark.requirement("COMM-07")
def test_survey_results_count_units_per_option(db: psycopg.Connection, world: World) -> None:
    survey = Survey(db, world, results_visibility="always")
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute(SUBMIT, (survey.id, world.u1, survey.answers("A")))
        act_as(cur, world, "R2").execute(SUBMIT, (survey.id, world.u2, survey.answers("A")))
        assert cur.execute(RESULTS, (survey.id,)).fetchall() == [("A", 2), ("B", 0), ("C", 0), ("X", 2), ("Y", 2)]


@pytest.mark.requirement("COMM-07")
def test_results_are_shown_as_the_survey_says(db: psycopg.Connection, world: World) -> None:
    after_close = Survey(db, world)
    staff_only = Survey(db, world, results_visibility="staff_only", status="closed")
    closed = Survey(db, world, status="closed")
    with as_user(db, world["R1"].claims()) as cur:
        assert "not_authorized" in refused(cur, "42501", RESULTS, after_close.id)
        refused(cur, "42501", RESULTS, staff_only.id)
        assert cur.execute(RESULTS, (closed.id,)).fetchall()[0] == ("A", 0)
        assert len(act_as(cur, world, "manager").execute(RESULTS, (staff_only.id,)).fetchall()) == 5
        assert "survey_not_found" in refused(act_as(cur, world, "A2"), "P0001", RESULTS, closed.id)


@pytest.mark.requirement("COMM-07")
def test_answers_are_read_by_the_unit_and_staff_unless_anonymous(db: psycopg.Connection, world: World) -> None:
    named = Survey(db, world)
    anonymous = Survey(db, world, is_anonymous=True)
    with as_user(db, world["R1"].claims()) as cur:
        named_response = one(cur, SUBMIT, named.id, world.u1, named.answers())
        anonymous_response = one(cur, SUBMIT, anonymous.id, world.u1, anonymous.answers())
        for user, seen in (("T1", 5), ("R2", 0), ("manager", 5)):
            act_as(cur, world, user)
            assert one(cur, "select count(*) from survey_answers where response_id = %s", named_response) == seen
            assert one(cur, "select count(*) from survey_answers where response_id = %s", anonymous_response) == 0
        assert visible(cur, world, "T1", "survey_responses", anonymous_response) == 1
        assert visible(cur, world, "R2", "survey_responses", named_response) == 0
        refused(act_as(cur, world, "R1"), "42501",
                "update survey_answers set option_id = %s where response_id = %s",
                named.options["B"], named_response)


# -- tenancy -----------------------------------------------------------------------------------------


def c2_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each survey table, its parents being C2's rows (made as the platform)."""
    c2 = world.c2
    base = {"community_id": c2}
    survey = one(db, "insert into surveys (community_id, title, opens_at, closes_at) "
                     "values (%s, 'C2', now(), now() + interval '1 day') returning id", c2)
    question = one(db, "insert into survey_questions (community_id, survey_id, question_type, prompt) "
                       "values (%s, %s, 'single_choice', '¿?') returning id", c2, survey)
    option = one(db, "insert into survey_options (community_id, question_id, label) values (%s, %s, 'A') "
                     "returning id", c2, question)
    # U3 has responded to `survey`; the isolation row is its response to a second survey.
    second = one(db, "insert into surveys (community_id, title, opens_at, closes_at) "
                     "values (%s, 'C2 bis', now(), now() + interval '1 day') returning id", c2)
    response = one(db, "insert into survey_responses (community_id, survey_id, unit_id, respondent_id) "
                       "values (%s, %s, %s, %s) returning id", c2, survey, world.u3, world.resident_ids["R3"])
    return {
        "surveys": {**base, "title": "C2 encuesta", "opens_at": "2026-01-01", "closes_at": "2026-02-01"},
        "survey_questions": {**base, "survey_id": survey, "question_type": "free_text", "prompt": "¿?"},
        "survey_options": {**base, "question_id": question, "label": "B"},
        "survey_responses": {**base, "survey_id": second, "unit_id": world.u3,
                             "respondent_id": world.resident_ids["R3"]},
        "survey_answers": {**base, "response_id": response, "question_id": question, "option_id": option},
    }


@pytest.mark.requirement("COMM-06")
@pytest.mark.requirement("COMM-07")
@pytest.mark.parametrize("table", SURVEY_TABLES)
def test_survey_tables_are_isolated_between_communities(db: psycopg.Connection, world: World, table: str) -> None:
    assert_tenant_isolation(db, table, c2_rows(db, world)[table], world["admin"])
