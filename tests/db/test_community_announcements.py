"""Phase 5 — announcements to segments and their read receipts (REQUIREMENTS.md COMM-04, COMM-05)
on a real PostgreSQL, run as Supabase runs API requests: every acceptance bullet shown working and
its violation rejected with the contract's SQLSTATE and message, plus what a resident of the same
community could try: writing announcements or recipients, reading announcements not sent to them,
forging or moving read receipts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg
import pytest

from tests.db.test_community import ANNOUNCEMENT_TABLES, act_as, refused, visible
from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_service, as_user, one
from tests.support.world import World

ANNOUNCE = "insert into announcements (title, body) values (%s, %s) returning id"


def announcement(db: psycopg.Connection, world: World, *segments: tuple[str, str | None],
                 **columns: object) -> uuid.UUID:
    """A draft announcement of C1 with `segments` (type, value), made by the platform."""
    values = {"title": "Corte de agua", "body": "El martes no habrá agua de 9 a 14 h.", **columns}
    made = one(db, f"insert into announcements (community_id, {', '.join(values)}) "
                   f"values (%s{', %s' * len(values)}) returning id", world.c1, *values.values())
    for segment_type, value in segments:
        db.execute("insert into announcement_segments (community_id, announcement_id, segment_type, value) "
                   "values (%s, %s, %s, %s)", (world.c1, made, segment_type, value))
    return made


def publish(cur: psycopg.Cursor, world: World, made: uuid.UUID) -> int:
    return one(act_as(cur, world, "manager"), "select publish_announcement(%s)", made)


def recipients(db: psycopg.Connection | psycopg.Cursor, made: uuid.UUID) -> set[uuid.UUID]:
    """The residents the announcement was published to, as read by the caller of the request."""
    rows = db.execute("select resident_id from announcement_recipients where announcement_id = %s", (made,))
    return {resident for (resident,) in rows.fetchall()}


def shop_owner(db: psycopg.Connection, world: World) -> uuid.UUID:
    """R4, owner of a new local (shop) L1 of C1, with an account; returns the resident's id."""
    shop = one(db, "insert into units (community_id, unit_number, unit_type, coefficient) "
                   "values (%s, 'L1', 'local', 1) returning id", world.c1)
    user = uuid.uuid4()
    db.execute("insert into auth.users (id, email, raw_app_meta_data) values (%s, 'r4@example.test', %s)",
               (user, psycopg.types.json.Jsonb({"role": "resident", "community_id": str(world.c1)})))
    resident = one(db, "insert into residents (community_id, user_id, first_name, onboarding_status) "
                       "values (%s, %s, 'R4', 'active') returning id", world.c1, user)
    db.execute("insert into occupancies (community_id, resident_id, unit_id, occupancy_type, start_date) "
               "values (%s, %s, %s, 'owner', '2025-01-01')", (world.c1, resident, shop))
    return resident


# -- COMM-04 announcements ---------------------------------------------------------------------------


@pytest.mark.requirement("COMM-04")
def test_staff_write_announcements_and_residents_do_not(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        assert "row-level security" in refused(cur, "42501", ANNOUNCE, "Fiesta", "En mi casa")
        made = one(act_as(cur, world, "manager"), ANNOUNCE, "Fumigación", "El jueves se fumiga el jardín.")
        assert one(cur, "select status::text from announcements where id = %s", made) == "draft"
        refused(act_as(cur, world, "R1"), "42501",
                "insert into announcement_segments (announcement_id, segment_type) values (%s, 'all_residents')", made)
        assert cur.execute("update announcements set body = 'Cambiado' where id = %s", (made,)).rowcount == 0


@pytest.mark.requirement("COMM-04")
def test_a_published_announcement_keeps_its_title_and_body(db: psycopg.Connection, world: World) -> None:
    made = announcement(db, world, ("all_residents", None))
    with as_user(db, world["manager"].claims()) as cur:
        assert publish(cur, world, made) == 3
        assert one(cur, "select published_at is not null from announcements where id = %s", made)
        message = refused(cur, "P0001", "update announcements set body = 'Otro texto' where id = %s", made)
        assert "published_immutable" in message
        refused(cur, "P0001", "update announcements set title = 'Otro título' where id = %s", made)
        # Its segments are frozen too: the recipients were chosen from them.
        refused(cur, "P0001", "insert into announcement_segments (announcement_id, segment_type, value) "
                              "values (%s, 'building', 'B')", made)
        # Priority and expiry stay staff's to change, and archiving is how it ends.
        cur.execute("update announcements set priority = 'urgent', status = 'archived' where id = %s", (made,))
        refused(cur, "P0001", "update announcements set body = 'Otro texto' where id = %s", made)
        assert "invalid_transition" in refused(cur, "P0001", "select publish_announcement(%s)", made)


@pytest.mark.requirement("COMM-04")
def test_nobody_creates_an_announcement_already_published(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["manager"].claims()) as cur:
        refused(cur, "P0001", "insert into announcements (title, body, status) values ('A', 'B', 'published')")
        refused(cur, "42501", "insert into announcements (title, body, published_at) values ('A', 'B', now())")
        refused(cur, "42501", "insert into announcement_recipients (announcement_id, resident_id) "
                              "values (%s, %s)", announcement(db, world), world.resident_ids["R1"])


@pytest.mark.requirement("COMM-04")
def test_only_staff_of_its_community_publish(db: psycopg.Connection, world: World) -> None:
    made = announcement(db, world)
    with as_user(db, world["R1"].claims()) as cur:
        assert "not_authorized" in refused(cur, "42501", "select publish_announcement(%s)", made)
        assert "announcement_not_found" in refused(act_as(cur, world, "A2"), "P0001",
                                                   "select publish_announcement(%s)", made)
        assert recipients(act_as(cur, world, "manager"), made) == set()
        assert one(cur, "select status::text from announcements where id = %s", made) == "draft"


@pytest.mark.requirement("COMM-04")
def test_segments_of_different_types_combine_with_and(db: psycopg.Connection, world: World) -> None:
    r4 = shop_owner(db, world)
    made = announcement(db, world, ("unit_type", "local"), ("occupancy_type", "owner"))
    with as_user(db, world["manager"].claims()) as cur:
        assert publish(cur, world, made) == 1
        assert recipients(db, made) == {r4}
    with as_user(db, world["T1"].claims()) as cur:
        assert one(cur, "select count(*) from announcement_recipients where announcement_id = %s", made) == 0
        assert visible(cur, world, "T1", "announcements", made) == 0


@pytest.mark.requirement("COMM-04")
def test_values_of_one_type_combine_with_or_and_list_a_resident_once(db: psycopg.Connection,
                                                                      world: World) -> None:
    # R1 also holds U2 as an authorized occupant: selected through both units, listed once.
    db.execute("insert into occupancies (community_id, resident_id, unit_id, occupancy_type, start_date) "
               "values (%s, %s, %s, 'authorized', '2025-01-01')", (world.c1, world.resident_ids["R1"], world.u2))
    made = announcement(db, world, ("unit", str(world.u1)), ("unit", str(world.u2)))
    with as_user(db, world["manager"].claims()) as cur:
        assert publish(cur, world, made) == 3
        assert recipients(db, made) == {world.resident_ids[name] for name in ("R1", "T1", "R2")}
        assert one(cur, "select unit_id from announcement_recipients where announcement_id = %s "
                        "and resident_id = %s", made, world.resident_ids["R1"]) == world.u1


@pytest.mark.requirement("COMM-04")
def test_a_segment_selects_by_occupancy_type_and_role(db: psycopg.Connection, world: World) -> None:
    tenants = announcement(db, world, ("occupancy_type", "tenant"))
    residents = announcement(db, world, ("role", "resident"), ("unit", "101"))
    with as_user(db, world["manager"].claims()) as cur:
        publish(cur, world, tenants)
        publish(cur, world, residents)
        assert recipients(db, tenants) == {world.resident_ids["T1"]}
        assert recipients(db, residents) == {world.resident_ids["R1"], world.resident_ids["T1"]}


@pytest.mark.requirement("COMM-04")
def test_only_recipients_and_staff_read_a_published_announcement(db: psycopg.Connection, world: World) -> None:
    made = announcement(db, world, ("unit", str(world.u2)))
    segment = one(db, "select id from announcement_segments where announcement_id = %s", made)
    with as_user(db, world["R2"].claims()) as cur:
        assert visible(cur, world, "R2", "announcements", made) == 0  # a draft reaches nobody
        publish(cur, world, made)
        assert visible(cur, world, "R2", "announcements", made) == 1
        assert visible(cur, world, "R2", "announcement_segments", segment) == 1
        assert one(cur, "select count(*) from announcement_recipients where announcement_id = %s", made) == 1
        assert visible(cur, world, "R1", "announcements", made) == 0
        assert visible(cur, world, "R1", "announcement_segments", segment) == 0
        assert one(cur, "select count(*) from announcement_recipients where announcement_id = %s", made) == 0
        assert visible(cur, world, "guard", "announcements", made) == 0
        assert visible(cur, world, "admin", "announcements", made) == 1


@pytest.mark.requirement("COMM-04")
def test_scheduled_announcements_are_published_when_their_time_comes(db: psycopg.Connection,
                                                                     world: World) -> None:
    due = announcement(db, world, ("unit", str(world.u1)), status="scheduled",
                       publish_at=datetime(2026, 1, 1, tzinfo=UTC))
    later = announcement(db, world, status="scheduled", publish_at=datetime(2999, 1, 1, tzinfo=UTC))
    with as_user(db, world["manager"].claims()) as cur:
        refused(cur, "23514", "insert into announcements (title, body, status) values ('A', 'B', 'scheduled')")
        refused(cur, "42501", "select publish_scheduled_announcements()")
    with as_service(db) as cur:
        assert one(cur, "select publish_scheduled_announcements()") == 1
        assert cur.execute("select status::text, published_at is not null from announcements where id = any(%s) "
                           "order by status", ([due, later],)).fetchall() == [("published", True), ("scheduled", False)]
        assert recipients(cur, due) == {world.resident_ids["R1"], world.resident_ids["T1"]}


# -- COMM-05 read receipts ---------------------------------------------------------------------------


@pytest.mark.requirement("COMM-05")
def test_the_first_read_is_kept_and_staff_see_the_share_read(db: psycopg.Connection, world: World) -> None:
    made = announcement(db, world, ("all_residents", None))
    db.execute("update announcements set status = 'published' where id = %s", (made,))
    with as_user(db, world["R1"].claims()) as cur:
        first = one(cur, "select mark_announcement_read(%s)", made)
        assert first == one(cur, "select now()")
        assert one(cur, "select mark_announcement_read(%s)", made) == first
    # A read of an earlier request stays when the recipient opens it again.
    earlier = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    db.execute("update announcement_recipients set read_at = %s where announcement_id = %s and resident_id = %s",
               (earlier, made, world.resident_ids["R1"]))
    stats = "select recipients, read_count, ack_count, read_pct::text from announcement_read_stats " \
            "where announcement_id = %s"
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "select mark_announcement_read(%s)", made) == earlier
        assert cur.execute(stats, (made,)).fetchall() == []  # residents see no statistics
        assert act_as(cur, world, "guard").execute(stats, (made,)).fetchall() == []
        assert act_as(cur, world, "manager").execute(stats, (made,)).fetchall() == [(3, 1, 0, "33.33")]


@pytest.mark.requirement("COMM-05")
def test_only_a_recipient_marks_their_own_receipt(db: psycopg.Connection, world: World) -> None:
    made = announcement(db, world, ("unit", str(world.u2)))
    with as_user(db, world["manager"].claims()) as cur:
        publish(cur, world, made)
        for outsider in ("R1", "manager"):
            assert "not_authorized" in refused(act_as(cur, world, outsider), "42501",
                                               "select mark_announcement_read(%s)", made)
        assert one(cur, "select count(*) from announcement_recipients where read_at is not null "
                        "and announcement_id = %s", made) == 0


@pytest.mark.requirement("COMM-05")
def test_acknowledgements_are_recorded_where_required(db: psycopg.Connection, world: World) -> None:
    plain = announcement(db, world, ("all_residents", None))
    required = announcement(db, world, ("all_residents", None), requires_acknowledgement=True)
    with as_user(db, world["manager"].claims()) as cur:
        publish(cur, world, plain)
        publish(cur, world, required)
        act_as(cur, world, "R2")
        message = refused(cur, "P0001", "select acknowledge_announcement(%s)", plain)
        assert "acknowledgement_not_required" in message
        acknowledged = one(cur, "select acknowledge_announcement(%s)", required)
        assert one(cur, "select acknowledge_announcement(%s)", required) == acknowledged
        assert one(cur, "select read_at from announcement_recipients where announcement_id = %s", required) \
            == acknowledged
        assert one(act_as(cur, world, "manager"), "select ack_count from announcement_read_stats "
                                                  "where announcement_id = %s", required) == 1


@pytest.mark.requirement("COMM-05")
def test_a_resident_cannot_forge_a_receipt(db: psycopg.Connection, world: World) -> None:
    made = announcement(db, world, ("all_residents", None), requires_acknowledgement=True)
    with as_user(db, world["manager"].claims()) as cur:
        publish(cur, world, made)
        act_as(cur, world, "R1")
        refused(cur, "42501", "update announcement_recipients set read_at = '2020-01-01', acknowledged_at = now() "
                              "where announcement_id = %s", made)
        refused(cur, "42501", "update announcement_recipients set resident_id = %s where announcement_id = %s",
                world.resident_ids["R1"], made)
        refused(cur, "42501", "delete from announcement_recipients where announcement_id = %s", made)


# -- tenancy -----------------------------------------------------------------------------------------


def c2_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each announcement table, its parents being C2's rows (made as the platform)."""
    c2 = world.c2
    base = {"community_id": c2}
    notice = one(db, "insert into announcements (community_id, title, body) values (%s, 'C2', 'Aviso') returning id",
                 c2)
    return {
        "announcements": {**base, "title": "C2 aviso", "body": "Otro"},
        "announcement_segments": {**base, "announcement_id": notice, "segment_type": "building", "value": "T2"},
        "announcement_recipients": {**base, "announcement_id": notice, "resident_id": world.resident_ids["R3"]},
    }


@pytest.mark.requirement("COMM-04")
@pytest.mark.requirement("COMM-05")
@pytest.mark.parametrize("table", ANNOUNCEMENT_TABLES)
def test_announcement_tables_are_isolated_between_communities(db: psycopg.Connection, world: World,
                                                              table: str) -> None:
    assert_tenant_isolation(db, table, c2_rows(db, world)[table], world["admin"])
