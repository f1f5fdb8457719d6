"""The behaviour constructs of the DSL on a real database (tests/db/widgets/constructs.yaml):
state machine, conditional requirements, validity windows, ownership, custom triggers,
storage paths and buckets."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.support.session import as_anon, as_user, expect_sqlstate, one
from tests.support.world import World


def widget(conn: psycopg.Connection, community: uuid.UUID, code: str, keeper: uuid.UUID | None = None) -> uuid.UUID:
    return one(conn, "insert into widgets (community_id, code, keeper_id) values (%s, %s, %s) returning id",
               community, code, keeper)


def job(conn: psycopg.Connection, community: uuid.UUID, widget_id: uuid.UUID, **columns: object) -> uuid.UUID:
    names = ["community_id", "widget_id", "kind", *columns]
    values = [community, widget_id, "repair", *columns.values()]
    sql = (f"insert into widget_jobs ({', '.join(names)}) values ({', '.join(['%s'] * len(values))}) "
           "returning id")
    return one(conn, sql, *values)


# -- state machine ---------------------------------------------------------------------------


def test_allowed_transitions_stamp_when_and_by_whom(db: psycopg.Connection, world: World) -> None:
    target = job(db, world.c1, widget(db, world.c1, "W"))
    guard = world["guard"]
    with as_user(db, guard.claims()) as cur:
        cur.execute("update widget_jobs set status = 'assigned' where id = %s", (target,))
        cur.execute("update widget_jobs set status = 'done' where id = %s", (target,))
        assigned_at, done_at, done_by = cur.execute(
            "select assigned_at, done_at, done_by from widget_jobs where id = %s", (target,)).fetchone()
    assert assigned_at is not None and done_at is not None
    assert done_by == guard.id


def test_a_forbidden_transition_raises_a_stable_error(db: psycopg.Connection, world: World) -> None:
    target = job(db, world.c1, widget(db, world.c1, "W"))
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update widget_jobs set status = 'done' where id = %s", (target,))
        assert str(failure.error).startswith("invalid_transition: open -> done")
        cur.execute("update widget_jobs set status = 'assigned' where id = %s", (target,))
        cur.execute("update widget_jobs set status = 'open' where id = %s", (target,))
        assert one(cur, "select status::text from widget_jobs where id = %s", target) == "open"
    # The platform is held to the workflow as well.
    with expect_sqlstate(db, "P0001"):
        db.execute("update widget_jobs set status = 'done' where id = %s", (target,))


def test_updates_that_keep_the_status_are_not_transitions(db: psycopg.Connection, world: World) -> None:
    target = job(db, world.c1, widget(db, world.c1, "W"))
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute("update widget_jobs set status = 'open', part_name = 'x' where id = %s",
                           (target,)).rowcount == 1


# -- conditional requirements and validity windows --------------------------------------------


def test_a_kind_demands_its_fields(db: psycopg.Connection, world: World) -> None:
    w = widget(db, world.c1, "W")
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("insert into widget_jobs (widget_id, kind) values (%s, 'replace')", (w,))
        cur.execute("insert into widget_jobs (widget_id, kind, part_name) values (%s, 'replace', 'gear')", (w,))


def test_a_status_demands_its_fields(db: psycopg.Connection, world: World) -> None:
    target = job(db, world.c1, widget(db, world.c1, "W"))
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("update widget_jobs set status = 'cancelled' where id = %s", (target,))
        with expect_sqlstate(cur, "23514"):
            cur.execute("update widget_jobs set status = 'cancelled', reason = 'no' where id = %s", (target,))
        cur.execute("update widget_jobs set status = 'cancelled', reason = 'duplicate' where id = %s", (target,))


def test_a_window_must_end_after_it_starts(db: psycopg.Connection, world: World) -> None:
    w = widget(db, world.c1, "W")
    with expect_sqlstate(db, "23514"):
        job(db, world.c1, w, starts_at="2026-03-09 10:00+00", expires_at="2026-03-09 09:00+00")
    job(db, world.c1, w, starts_at="2026-03-09 10:00+00", expires_at="2026-03-09 11:00+00")
    job(db, world.c1, w, expires_at="2026-03-09 11:00+00")


def test_current_rows_are_found_through_the_window_index(db: psycopg.Connection, world: World) -> None:
    w = widget(db, world.c1, "W")
    db.execute("insert into widget_jobs (community_id, widget_id, kind, expires_at) "
               "select %s, %s, 'repair', now() + make_interval(hours => h) from generate_series(-100, 100) h",
               (world.c1, w))
    db.execute("analyze widget_jobs")
    db.execute("set local enable_seqscan = off")
    plan = "\n".join(row[0] for row in db.execute(
        "explain select id from widget_jobs where community_id = %s and expires_at > now() and deleted_at is null",
        (world.c1,)))
    assert "widget_jobs_community_id_expires_at_idx" in plan, plan


# -- ownership in access rules ------------------------------------------------------------------


def test_residents_see_the_jobs_they_reported_or_whose_widget_they_keep(db: psycopg.Connection,
                                                                       world: World) -> None:
    r1 = world["R1"]
    kept = widget(db, world.c1, "KEPT", keeper=r1.id)
    other = widget(db, world.c1, "OTHER")
    on_kept = job(db, world.c1, kept)
    reported = job(db, world.c1, other, reporter_id=r1.id)
    job(db, world.c1, other)
    with as_user(db, r1.claims()) as cur:
        assert {row[0] for row in cur.execute("select id from widget_jobs")} == {on_kept, reported}
        assert cur.execute("update widget_jobs set part_name = 'x'").rowcount == 0
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, "select count(*) from widget_jobs") == 3
    with as_user(db, world["accountant"].claims()) as cur:
        assert one(cur, "select count(*) from widget_jobs") == 0


def test_a_reporter_defaults_to_the_caller(db: psycopg.Connection, world: World) -> None:
    w = widget(db, world.c1, "W")
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "insert into widget_jobs (widget_id, kind) values (%s, 'repair') returning reporter_id",
                   w) == world["R1"].id


# -- custom triggers -----------------------------------------------------------------------------


def test_a_declared_trigger_runs_its_function_for_the_rows_it_names(db: psycopg.Connection, world: World) -> None:
    w = widget(db, world.c1, "W")
    job(db, world.c1, w)
    assert one(db, "select label from widgets where id = %s", w) is None
    db.execute("insert into widget_jobs (community_id, widget_id, kind, part_name) values (%s, %s, 'replace', 'x')",
               (world.c1, w))
    assert one(db, "select label from widgets where id = %s", w) == "replacement requested"


def test_a_counter_follows_inserts_soft_deletes_moves_and_deletes(db: psycopg.Connection, world: World) -> None:
    w, other = widget(db, world.c1, "W"), widget(db, world.c1, "O")

    def counts() -> tuple[object, object]:
        return (one(db, "select job_count from widgets where id = %s", w),
                one(db, "select job_count from widgets where id = %s", other))

    with as_user(db, world["R1"].claims()) as cur:
        cur.execute("insert into widget_jobs (widget_id, kind) values (%s, 'repair')", (w,))
        cur.execute("insert into widget_jobs (widget_id, kind, part_name) values (%s, 'replace', 'x')", (w,))
        assert one(cur, "select job_count from widgets where id = %s", w) == 1
    assert counts() == (0, 0)  # undone with the request
    first = job(db, world.c1, w)
    job(db, world.c1, w)
    assert counts() == (2, 0)
    db.execute("update widget_jobs set deleted_at = now() where id = %s", (first,))
    assert counts() == (1, 0)
    db.execute("update widget_jobs set deleted_at = null, widget_id = %s where id = %s", (other, first))
    assert counts() == (1, 1)
    db.execute("update widget_jobs set kind = 'replace', part_name = 'gear' where id = %s", (first,))
    assert counts() == (1, 0)
    db.execute("delete from widget_jobs where widget_id = %s", (w,))
    assert counts() == (0, 0)


# -- storage paths and buckets ------------------------------------------------------------------


@pytest.mark.parametrize("column", ["photo_path", "photo_paths"])
def test_stored_paths_start_with_the_rows_community(db: psycopg.Connection, world: World, column: str) -> None:
    w = widget(db, world.c1, "W")
    good, bad = f"{world.c1}/widgets/{w}/a.jpg", f"{world.c2}/widgets/{w}/a.jpg"
    value = (lambda path: path) if column == "photo_path" else (lambda path: [f"{world.c1}/x.jpg", path])
    job(db, world.c1, w, **{column: value(good)})
    with expect_sqlstate(db, "23514"):
        job(db, world.c1, w, **{column: value(bad)})


def test_the_bucket_is_private(db: psycopg.Connection) -> None:
    assert db.execute("select public from storage.buckets where id = 'widget-photos'").fetchone() == (False,)


def test_objects_are_readable_when_their_row_is(db: psycopg.Connection, world: World) -> None:
    r1 = world["R1"]
    kept, other = widget(db, world.c1, "KEPT", keeper=r1.id), widget(db, world.c1, "OTHER")
    mine, theirs = f"{world.c1}/widgets/{kept}/a.jpg", f"{world.c1}/widgets/{other}/b.jpg"
    job(db, world.c1, kept, photo_path=mine)
    job(db, world.c1, other, photo_path=theirs)
    db.execute("insert into storage.objects (bucket_id, name) values ('widget-photos', %s), ('widget-photos', %s)",
               (mine, theirs))
    with as_user(db, r1.claims()) as cur:
        assert cur.execute("select name from storage.objects").fetchall() == [(mine,)]
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, "select count(*) from storage.objects") == 2
    with as_user(db, world["A2"].claims()) as cur:
        assert one(cur, "select count(*) from storage.objects") == 0


def test_uploads_go_only_into_folders_the_caller_may_write_for(db: psycopg.Connection, world: World) -> None:
    kept = widget(db, world.c1, "W", keeper=world["R1"].id)
    others = widget(db, world.c1, "O", keeper=world["R2"].id)
    theirs = widget(db, world.c2, "T")
    upload = "insert into storage.objects (bucket_id, name) values ('widget-photos', %s)"
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute(upload, (f"{world.c1}/widgets/{kept}/ok.jpg",))
        # Another resident's widget is visible to the community but not R1's to upload for.
        for path in (f"{world.c1}/widgets/{others}/x.jpg", f"{world.c2}/widgets/{theirs}/x.jpg",
                     f"{world.c1}/widgets/{theirs}/x.jpg", f"{world.c1}/tickets/{kept}/x.jpg",
                     "not-a-uuid/widgets/x/y.jpg", "x.jpg"):
            with expect_sqlstate(cur, "42501"):
                cur.execute(upload, (path,))
    with as_user(db, world["guard"].claims()) as cur:
        cur.execute(upload, (f"{world.c1}/widgets/{others}/guard.jpg",))
    # The manager may read widgets but no upload rule names it.
    with as_user(db, world["manager"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute(upload, (f"{world.c1}/widgets/{others}/manager.jpg",))



def test_each_table_of_a_bucket_opens_and_fills_only_its_own_folders(db: psycopg.Connection, world: World) -> None:
    """widget-photos holds jobs' photos in their widget's folder and guards' sketches in the job's."""
    kept = widget(db, world.c1, "KEPT", keeper=world["R1"].id)
    photographed = job(db, world.c1, kept, photo_path=f"{world.c1}/widgets/{kept}/photo.jpg")
    sketch = f"{world.c1}/widget_jobs/{photographed}/sketch.png"
    # A photo path in the job's folder opens nothing: that folder's files are the sketches'.
    astray = f"{world.c1}/widget_jobs/{photographed}/astray.jpg"
    job(db, world.c1, kept, photo_path=astray)
    upload = "insert into storage.objects (bucket_id, name) values ('widget-photos', %s)"
    readable = "select name from storage.objects order by name"
    with as_user(db, world["guard"].claims()) as cur:
        cur.execute(upload, (sketch,))
        cur.execute(upload, (astray,))
        assert cur.execute(readable).fetchall() == []
        cur.execute("update widget_jobs set sketch_path = %s where id = %s", (sketch, photographed))
        assert cur.execute(readable).fetchall() == [(sketch,)]
        with as_user(db, world["R1"].claims()) as resident:
            # R1 keeps the widget: reads the sketch of its job, uploads photos but no sketch.
            assert resident.execute(readable).fetchall() == [(sketch,)]
            resident.execute(upload, (f"{world.c1}/widgets/{kept}/mine.jpg",))
            with expect_sqlstate(resident, "42501"):
                resident.execute(upload, (f"{world.c1}/widget_jobs/{photographed}/mine.png",))
        with as_user(db, world["A2"].claims()) as other:
            assert other.execute(readable).fetchall() == []
            with expect_sqlstate(other, "42501"):
                other.execute(upload, (f"{world.c2}/widget_jobs/{photographed}/a2.png",))

# -- exclusion constraints and views ------------------------------------------------------------


def test_bookings_of_one_widget_never_overlap(db: psycopg.Connection, world: World) -> None:
    w, other = widget(db, world.c1, "W"), widget(db, world.c1, "O")
    with as_user(db, world["admin"].claims()) as cur:
        insert = "insert into widget_bookings (widget_id, period) values (%s, %s)"
        cur.execute(insert, (w, "[2026-03-09 08:00+00, 2026-03-09 16:00+00)"))
        with expect_sqlstate(cur, "23P01"):
            cur.execute(insert, (w, "[2026-03-09 15:00+00, 2026-03-09 23:00+00)"))
        cur.execute(insert, (w, "[2026-03-09 16:00+00, 2026-03-10 00:00+00)"))
        cur.execute(insert, (other, "[2026-03-09 15:00+00, 2026-03-09 23:00+00)"))
        # A soft-deleted booking frees its time.
        booked = one(cur, "select id from widget_bookings where widget_id = %s order by period limit 1", w)
        cur.execute("select soft_delete_record('public.widget_bookings', %s)", (booked,))
        cur.execute(insert, (w, "[2026-03-09 09:00+00, 2026-03-09 10:00+00)"))


def test_views_read_with_the_callers_rights(db: psycopg.Connection, world: World) -> None:
    mine, theirs = widget(db, world.c1, "W"), widget(db, world.c2, "T")
    job(db, world.c1, mine)
    job(db, world.c2, theirs)
    options = one(db, "select reloptions from pg_class where relname = 'open_widget_jobs'")
    assert options == ["security_invoker=true"]
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute("select widget_id, open_jobs from open_widget_jobs").fetchall() == [(mine, 1)]
    with as_anon(db) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select * from open_widget_jobs")


# -- guarded columns, stamps without a workflow, normalised values ------------------------------


def test_guarded_columns_change_only_for_their_roles(db: psycopg.Connection, world: World) -> None:
    target = job(db, world.c1, widget(db, world.c1, "W"))
    with as_user(db, world["guard"].claims()) as cur:
        with expect_sqlstate(cur, "42501") as failure:
            cur.execute("update widget_jobs set approved = true where id = %s", (target,))
        assert "only admin may set approved" in str(failure.error)
        cur.execute("update widget_jobs set part_name = 'gear' where id = %s", (target,))
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("update widget_jobs set approved = true where id = %s", (target,))
        with expect_sqlstate(cur, "42501"):
            cur.execute("update widget_jobs set reporter_id = %s where id = %s", (world["admin"].id, target))
    # The platform is not held back.
    db.execute("update widget_jobs set reporter_id = %s where id = %s", (world["admin"].id, target))


def test_entering_a_value_stamps_when_and_by_whom(db: psycopg.Connection, world: World) -> None:
    w = widget(db, world.c1, "W")
    admin = world["admin"]
    with as_user(db, admin.claims()) as cur:
        repair = one(cur, "insert into widget_jobs (widget_id, kind) values (%s, 'repair') returning id", w)
        assert cur.execute("select replace_requested_at, replace_requested_by from widget_jobs where id = %s",
                           (repair,)).fetchone() == (None, None)
        cur.execute("update widget_jobs set kind = 'replace', part_name = 'gear' where id = %s", (repair,))
        at, by = cur.execute("select replace_requested_at, replace_requested_by from widget_jobs where id = %s",
                             (repair,)).fetchone()
    assert at is not None and by == admin.id


def test_written_values_are_normalised(db: psycopg.Connection, world: World) -> None:
    target = job(db, world.c1, widget(db, world.c1, "W"), tag="ab-12 c")
    assert one(db, "select tag from widget_jobs where id = %s", target) == "AB12C"
    db.execute("update widget_jobs set tag = '--' where id = %s", (target,))
    assert one(db, "select tag from widget_jobs where id = %s", target) is None


def test_ownership_follows_a_path_of_references(db: psycopg.Connection, world: World) -> None:
    kept, other = widget(db, world.c1, "K", keeper=world["R1"].id), widget(db, world.c1, "O")
    db.execute("insert into widget_bookings (community_id, widget_id, period) values "
               "(%s, %s, '[2026-03-09 08:00+00, 2026-03-09 09:00+00)'), "
               "(%s, %s, '[2026-03-09 08:00+00, 2026-03-09 09:00+00)')", (world.c1, kept, world.c1, other))
    with as_user(db, world["R1"].claims()) as cur:
        assert cur.execute("select widget_id from widget_bookings").fetchall() == [(kept,)]
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, "select count(*) from widget_bookings") == 2
    with as_user(db, world["guard"].claims()) as cur:
        assert one(cur, "select count(*) from widget_bookings") == 0
