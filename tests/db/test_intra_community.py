"""Attacks from inside one community (issue: workflows on insert, stamps, hidden rows, looser
updates, uploads into other folders, who-did-it columns), made as PostgREST makes requests.

Each class is closed in the compiler for every table; the generated pgTAP suite probes it on
every table with the pattern (`test_every_table_with_the_pattern_is_probed` checks that it
does), and the tests below replay the concrete attacks of the review on the bundled spec.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.support.session import as_service, as_user, expect_sqlstate, one
from tests.support.world import World


@pytest.fixture(scope="module")
def guards(widgets_db: psycopg.Connection, world: World) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """The C1 guard user's guards row, another C1 guard and a C1 gate."""
    mine = one(widgets_db, "insert into guards (community_id, user_id, full_name) values (%s, %s, 'G1') "
                           "returning id", world.c1, world["guard"].id)
    other = one(widgets_db, "insert into guards (community_id, full_name) values (%s, 'G2') returning id", world.c1)
    gate = one(widgets_db, "insert into access_points (community_id, name, access_point_type) "
                           "values (%s, 'Gate', 'door') returning id", world.c1)
    widgets_db.commit()
    return mine, other, gate


# -- 1. workflows govern INSERT ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["resolved", "dispatched", "acknowledged"])
def test_a_resident_cannot_raise_an_alert_past_its_first_state(db: psycopg.Connection, world: World,
                                                               status: str) -> None:
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "P0001") as failure:
        cur.execute("insert into emergency_alerts (emergency_type, unit_id, status, resolution_notes) "
                    "values ('panic', %s, %s, 'done')", (world.u1, status))
    assert str(failure.error).startswith(f"invalid_transition: null -> {status}")


def test_staff_create_residents_only_as_invited_the_platform_in_any_state(db: psycopg.Connection,
                                                                         world: World) -> None:
    insert = ("insert into residents (first_name, last_name, email, onboarding_status) "
              "values ('New', 'Person', 'new@example.test', %s) returning onboarding_status, invited_at is not null")
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute(insert, ("active",))
        assert str(failure.error).startswith("invalid_transition: null -> active")
        assert cur.execute(insert, ("invited",)).fetchone() == ("invited", True)
    with as_service(db) as cur:
        cur.execute("insert into residents (community_id, first_name, email, onboarding_status) "
                    "values (%s, 'Seeded', 'seeded@example.test', 'active')", (world.c1,))


# -- 2. stamps are the database's --------------------------------------------------------------


def test_nobody_forges_who_acknowledged_or_resolved_an_alert(db: psycopg.Connection, world: World) -> None:
    alert = one(db, "insert into emergency_alerts (community_id, emergency_type, unit_id, triggered_by) "
                    "values (%s, 'panic', %s, %s) returning id", world.c1, world.u1, world["R1"].id)
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into emergency_alerts (emergency_type, unit_id, acknowledged_by) "
                        "values ('panic', %s, %s)", (world.u1, world["guard"].id))
        with expect_sqlstate(cur, "42501"):
            cur.execute("update emergency_alerts set resolved_by = %s where id = %s", (world["admin"].id, alert))
    with as_user(db, world["guard"].claims()) as cur:
        with expect_sqlstate(cur, "42501") as failure:
            cur.execute("update emergency_alerts set status = 'acknowledged', acknowledged_by = %s where id = %s",
                        (world["admin"].id, alert))
        assert "stamped by the database" in str(failure.error)
        cur.execute("update emergency_alerts set status = 'acknowledged' where id = %s", (alert,))
        stamped = cur.execute("select acknowledged_by, acknowledged_at is not null from emergency_alerts "
                              "where id = %s", (alert,)).fetchone()
    assert stamped == (world["guard"].id, True)


# -- 3. rows are born active and stay active under the API ----------------------------------------


def test_a_guard_cannot_write_a_hidden_access_log(db: psycopg.Connection, world: World,
                                                  guards: tuple[uuid.UUID, uuid.UUID, uuid.UUID]) -> None:
    _, _, gate = guards
    with as_user(db, world["guard"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into access_logs (access_point_id, direction, method, result, deleted_at) "
                    "values (%s, 'entry', 'manual', 'granted', now())", (gate,))


def test_deleted_at_moves_only_through_soft_delete_and_restore(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        point = one(cur, "insert into access_points (name, access_point_type) values ('Side door', 'door') "
                         "returning id")
        with expect_sqlstate(cur, "42501"):
            cur.execute("update access_points set deleted_at = now() where id = %s", (point,))
        cur.execute("select soft_delete_record('public.access_points', %s)", (point,))
        assert cur.execute("select count(*) from access_points where id = %s", (point,)).fetchone() == (0,)
        cur.execute("select restore_record('public.access_points', %s)", (point,))
        assert cur.execute("select count(*) from access_points where id = %s", (point,)).fetchone() == (1,)


# -- 4. an update cannot make a row its writer could not have created ------------------------------

# Per (table, role) whose insert rule narrows rows: an update that turns the role's own row into
# one it could not have inserted: (setup as the platform → row id, attack as the role's user).
# What a role may change on its own row where that is not any column (default: only updated_at).
_ALLOWED_UPDATE = {"payment_proofs": "status = 'cancelled'", "reservations": "status = 'cancelled'",
                   "amenity_waitlist_entries": "status = 'cancelled'"}

_LOOSER_UPDATES = {
    ("patrol_logs", "guard"): (
        "with r as (insert into patrol_routes (community_id, name, expected_duration_minutes) "
        "values (%(c1)s, 'Route', 30) returning id) insert into patrol_logs (community_id, route_id, guard_id) "
        "select %(c1)s, r.id, %(guard)s from r returning id",
        "update patrol_logs set guard_id = %(other_guard)s where id = %(row)s"),
    ("emergency_alerts", "resident"): (
        "insert into emergency_alerts (community_id, emergency_type, unit_id, triggered_by) "
        "values (%(c1)s, 'panic', %(u1)s, %(user)s) returning id",
        "update emergency_alerts set unit_id = %(u2)s where id = %(row)s"),
    ("invitations", "resident"): (
        "insert into invitations (community_id, host_resident_id, unit_id, invitation_type, max_uses) "
        "values (%(c1)s, %(resident)s, %(u1)s, 'single_use', 1) returning id",
        "update invitations set unit_id = %(u2)s where id = %(row)s"),
    # A resident's only update of a proof is cancelling it: the move rides on a cancellation.
    ("payment_proofs", "resident"): (
        "insert into payment_proofs (community_id, unit_id, amount, paid_at, submitted_by) "
        "values (%(c1)s, %(u1)s, 100, now(), %(user)s) returning id",
        "update payment_proofs set status = 'cancelled', unit_id = %(u2)s where id = %(row)s"),
    # A resident's only update of a reservation is cancelling it: the move rides on a cancellation.
    ("reservations", "resident"): (
        "with a as (insert into amenities (community_id, name, capacity) values (%(c1)s, 'Hall', 10) returning id) "
        "insert into reservations (community_id, amenity_id, unit_id, resident_id, reserved_range) "
        "select %(c1)s, a.id, %(u1)s, %(resident)s, tstzrange(now() + interval '7 days', now() + interval '8 days') "
        "from a returning id",
        "update reservations set status = 'cancelled', unit_id = %(u2)s where id = %(row)s"),
    # Likewise a waitlist entry: the move rides on a cancellation.
    ("amenity_waitlist_entries", "resident"): (
        "with a as (insert into amenities (community_id, name, capacity) values (%(c1)s, 'Hall', 10) returning id) "
        "insert into amenity_waitlist_entries (community_id, amenity_id, unit_id, resident_id, desired_range) "
        "select %(c1)s, a.id, %(u1)s, %(resident)s, tstzrange(now() + interval '7 days', now() + interval '8 days') "
        "from a returning id",
        "update amenity_waitlist_entries set status = 'cancelled', unit_id = %(u2)s where id = %(row)s"),
    ("listings", "resident"): (
        "insert into listings (community_id, seller_resident_id, unit_id, listing_type, title) "
        "values (%(c1)s, %(resident)s, %(u1)s, 'wanted', 'Mine') returning id",
        "update listings set unit_id = %(u2)s where id = %(row)s"),
    # R2's listing is active, so R1 sees it and could name it.
    ("listing_media", "resident"): (
        "with mine as (insert into listings (community_id, seller_resident_id, unit_id, listing_type, title) "
        "values (%(c1)s, %(resident)s, %(u1)s, 'wanted', 'Mine') returning id), "
        "theirs as (insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, status) "
        "values (%(c1)s, %(other_resident)s, %(u2)s, 'wanted', 'Theirs', 'active') returning id) "
        "insert into listing_media (community_id, listing_id, storage_path) "
        "select %(c1)s, mine.id, %(c1)s::text || '/listings/a.jpg' from mine, theirs returning id",
        "update listing_media set listing_id = (select l.id from listings l where l.title = 'Theirs' "
        "and l.seller_resident_id = %(other_resident)s) where id = %(row)s"),
    # A post stays in its channel: moving it into a moderators-only one would skip the posting policy.
    ("posts", "member"): (
        "with c as (insert into channels (community_id, name) values (%(c1)s, 'Open') returning id), "
        "n as (insert into channels (community_id, name, posting_policy) values (%(c1)s, 'News', 'moderators_only') "
        "returning id) insert into posts (community_id, channel_id, author_id, body) "
        "select %(c1)s, c.id, %(user)s, 'Mine' from c, n returning id",
        "update posts set channel_id = (select c.id from channels c where c.name = 'News') where id = %(row)s"),
    # R2's post is published, so R1 sees it and could name it.
    ("post_media", "member"): (
        "with c as (insert into channels (community_id, name) values (%(c1)s, 'Open') returning id), "
        "theirs as (insert into posts (community_id, channel_id, author_id, body) "
        "select %(c1)s, c.id, %(other_user)s, 'Theirs' from c returning id), "
        "mine as (insert into posts (community_id, channel_id, author_id, body) "
        "select %(c1)s, c.id, %(user)s, 'Mine' from c returning id) "
        "insert into post_media (community_id, post_id, storage_path) "
        "select %(c1)s, mine.id, %(c1)s::text || '/posts/a.jpg' from mine, theirs returning id",
        "update post_media set post_id = (select p.id from posts p where p.body = 'Theirs') where id = %(row)s"),
    # R1 sees their own hidden post but may not comment on or react to it.
    ("post_comments", "member"): (
        "with c as (insert into channels (community_id, name) values (%(c1)s, 'Open') returning id), "
        "hidden as (insert into posts (community_id, channel_id, author_id, body, status) "
        "select %(c1)s, c.id, %(user)s, 'Hidden', 'hidden' from c returning id), "
        "open as (insert into posts (community_id, channel_id, author_id, body) "
        "select %(c1)s, c.id, %(user)s, 'Open' from c returning id) "
        "insert into post_comments (community_id, post_id, author_id, body) "
        "select %(c1)s, open.id, %(user)s, 'Mine' from open, hidden returning id",
        "update post_comments set post_id = (select p.id from posts p where p.body = 'Hidden') where id = %(row)s"),
    ("post_reactions", "member"): (
        "with c as (insert into channels (community_id, name) values (%(c1)s, 'Open') returning id), "
        "hidden as (insert into posts (community_id, channel_id, author_id, body, status) "
        "select %(c1)s, c.id, %(user)s, 'Hidden', 'hidden' from c returning id), "
        "open as (insert into posts (community_id, channel_id, author_id, body) "
        "select %(c1)s, c.id, %(user)s, 'Open' from c returning id) "
        "insert into post_reactions (community_id, post_id, user_id) "
        "select %(c1)s, open.id, %(user)s from open, hidden returning id",
        "update post_reactions set post_id = (select p.id from posts p where p.body = 'Hidden') where id = %(row)s"),
    ("comment_reactions", "member"): (
        "with c as (insert into channels (community_id, name) values (%(c1)s, 'Open') returning id), "
        "p as (insert into posts (community_id, channel_id, author_id, body) "
        "select %(c1)s, c.id, %(user)s, 'Open' from c returning id), "
        "hidden as (insert into post_comments (community_id, post_id, author_id, body, status) "
        "select %(c1)s, p.id, %(user)s, 'Hidden', 'hidden' from p returning id), "
        "open as (insert into post_comments (community_id, post_id, author_id, body) "
        "select %(c1)s, p.id, %(user)s, 'Open' from p returning id) "
        "insert into comment_reactions (community_id, comment_id, user_id) "
        "select %(c1)s, open.id, %(user)s from open, hidden returning id",
        "update comment_reactions set comment_id = (select c.id from post_comments c where c.body = 'Hidden') "
        "where id = %(row)s"),
    # A thread stays out of a closed category.
    ("forum_threads", "member"): (
        "with open as (insert into forum_categories (community_id, name) values (%(c1)s, 'Open') returning id), "
        "closed as (insert into forum_categories (community_id, name, is_active) values (%(c1)s, 'Closed', false) "
        "returning id) insert into forum_threads (community_id, category_id, author_id, title, body) "
        "select %(c1)s, open.id, %(user)s, 'Mine', 'Mine' from open, closed returning id",
        "update forum_threads set category_id = (select c.id from forum_categories c where c.name = 'Closed') "
        "where id = %(row)s"),
    # R1 sees their own hidden thread but may not reply to it.
    ("forum_replies", "member"): (
        "with c as (insert into forum_categories (community_id, name) values (%(c1)s, 'Open') returning id), "
        "hidden as (insert into forum_threads (community_id, category_id, author_id, title, body, status) "
        "select %(c1)s, c.id, %(user)s, 'Hidden', 'Hidden', 'hidden' from c returning id), "
        "open as (insert into forum_threads (community_id, category_id, author_id, title, body) "
        "select %(c1)s, c.id, %(user)s, 'Open', 'Open' from c returning id) "
        "insert into forum_replies (community_id, thread_id, author_id, body) "
        "select %(c1)s, open.id, %(user)s, 'Mine' from open, hidden returning id",
        "update forum_replies set thread_id = (select t.id from forum_threads t where t.title = 'Hidden') "
        "where id = %(row)s"),
    # R1 buys R2's listing: the buyer is the caller, staff name another.
    ("exchange_appointments", "resident"): (
        "with z as (insert into exchange_zones (community_id, name) values (%(c1)s, 'Zone') returning id), "
        "l as (insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, status) "
        "values (%(c1)s, %(other_resident)s, %(u2)s, 'wanted', 'Theirs', 'active') returning id) "
        "insert into exchange_appointments (community_id, listing_id, zone_id, buyer_resident_id, scheduled_range) "
        "select %(c1)s, l.id, z.id, %(resident)s, tstzrange(now() + interval '1 day', now() + interval '25 hours') "
        "from l, z returning id",
        "update exchange_appointments set buyer_resident_id = %(other_resident)s where id = %(row)s"),
    ("marketplace_reviews", "resident"): (
        "with l as (insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, status) "
        "values (%(c1)s, %(other_resident)s, %(u2)s, 'wanted', 'Theirs', 'sold') returning id) "
        "insert into marketplace_reviews (community_id, listing_id, reviewer_resident_id, rating) "
        "select %(c1)s, l.id, %(resident)s, 5 from l returning id",
        "update marketplace_reviews set reviewer_resident_id = %(other_resident)s where id = %(row)s"),
    # R1 proposed the entry (created_by comes from the claims, so the setup names R1 first).
    ("local_businesses", "resident"): (
        "with c as materialized (select set_config('request.jwt.claims', json_build_object('sub', %(user)s)::text, "
        "true)) insert into local_businesses (community_id, name) select %(c1)s, 'Mine' from c returning id",
        "update local_businesses set owner_resident_id = %(other_resident)s where id = %(row)s"),
    # The accountant drafts budgets; approving one is the admin's.
    ("budgets", "accountant"): (
        "insert into budgets (community_id, fiscal_year) values (%(c1)s, 2031) returning id",
        "update budgets set status = 'approved' where id = %(row)s"),
    ("vehicles", "resident"): (
        "insert into vehicles (community_id, unit_id, plate) values (%(c1)s, %(u1)s, 'AAA111') returning id",
        "update vehicles set unit_id = %(u2)s where id = %(row)s"),
    ("pets", "resident"): (
        "insert into pets (community_id, unit_id, name, species) values (%(c1)s, %(u1)s, 'Rex', 'dog') returning id",
        "update pets set unit_id = %(u2)s where id = %(row)s"),
    ("resident_private_data", "resident"): (
        "insert into resident_private_data (community_id, resident_id) values (%(c1)s, %(resident)s) returning id",
        "update resident_private_data set resident_id = %(other_resident)s where id = %(row)s"),
    ("resident_documents", "resident"): (
        "insert into resident_documents (community_id, resident_id, document_type) "
        "values (%(c1)s, %(resident)s, 'ine') returning id",
        "update resident_documents set resident_id = %(other_resident)s where id = %(row)s"),
    ("pet_vaccinations", "resident"): (
        "insert into pet_vaccinations (community_id, pet_id, vaccine, applied_on, expires_on) "
        "values (%(c1)s, %(pet)s, 'rabies', '2026-01-01', '2027-01-01') returning id",
        "update pet_vaccinations set pet_id = %(other_pet)s where id = %(row)s"),
}


def _narrowed_writers(manifest: dict) -> set[tuple[str, str]]:
    """(table, role) pairs whose every insert rule narrows rows and that may also update."""
    pairs = set()
    for migration in manifest["migrations"]:
        for obj in migration["objects"]:
            if obj["kind"] != "Table":
                continue
            access = dict((command, rules) for command, rules in obj["access"])
            for rule in access.get("update", []):
                for role in rule["roles"]:
                    created = [r for r in access.get("insert", []) if role in r["roles"]]
                    if created and all(r["own"] or r["where"] for r in created):
                        pairs.add((obj["name"], role))
    return pairs


def test_every_narrowed_writer_has_an_attack_here(widgets_build: Path) -> None:
    manifest = json.loads((widgets_build / "manifest.json").read_text())
    pairs = {pair for pair in _narrowed_writers(manifest) if not pair[0].startswith("widget")}
    assert pairs == set(_LOOSER_UPDATES), "write the attack for each new (table, role) above"


@pytest.mark.parametrize("pair", sorted(_LOOSER_UPDATES), ids="-".join)
def test_an_update_cannot_leave_what_the_role_may_create(db: psycopg.Connection, world: World,
                                                         guards: tuple[uuid.UUID, uuid.UUID, uuid.UUID],
                                                         pair: tuple[str, str]) -> None:
    setup, attack = _LOOSER_UPDATES[pair]
    actor = pair[1] if pair[1] in ("guard", "accountant") else "R1"
    r1, r2 = world.resident_ids["R1"], world.resident_ids["R2"]
    pets = [one(db, "insert into pets (community_id, unit_id, name, species) values (%s, %s, %s, 'dog') "
                    "returning id", world.c1, unit, name) for unit, name in ((world.u1, "P1"), (world.u2, "P2"))]
    values = {"c1": world.c1, "u1": world.u1, "u2": world.u2, "user": world["R1"].id, "other_user": world["R2"].id,
              "resident": r1, "other_resident": r2, "pet": pets[0], "other_pet": pets[1], "guard": guards[0],
              "other_guard": guards[1]}
    values["row"] = db.execute(setup, values).fetchone()[0]
    with as_user(db, world[actor].claims()) as cur:
        # The row is the actor's to update: the same update without the move goes through (and is
        # undone, so the attack meets the row as it was).
        allowed = _ALLOWED_UPDATE.get(pair[0], "updated_at = now()")
        cur.execute("savepoint allowed")
        assert cur.execute(f"update {pair[0]} set {allowed} where id = %s", (values["row"],)).rowcount == 1
        cur.execute("rollback to savepoint allowed")
        with expect_sqlstate(cur, "42501"):
            cur.execute(attack, values)


# -- 5. uploads follow write rights, not visibility -------------------------------------------------


def test_nobody_uploads_into_another_residents_folder(db: psycopg.Connection, world: World) -> None:
    upload = "insert into storage.objects (bucket_id, name) values ('resident-documents', %s)"
    r1_folder = f"{world.c1}/residents/{world.resident_ids['R1']}"
    # T1 shares R1's unit and sees R1's residents row; the guard sees every resident.
    for intruder in ("T1", "guard"):
        with as_user(db, world[intruder].claims()) as cur, expect_sqlstate(cur, "42501"):
            cur.execute(upload, (f"{r1_folder}/forged.pdf",))
    with as_user(db, world["R1"].claims()) as cur:
        assert cur.execute("select count(*) from residents where id = %s",
                           (world.resident_ids["T1"],)).fetchone() == (1,)
        cur.execute(upload, (f"{r1_folder}/mine.pdf",))
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute(upload, (f"{r1_folder}/from-the-office.pdf",))


# -- who did it ---------------------------------------------------------------------------------


def test_who_acted_is_the_caller_unless_staff_say_otherwise(db: psycopg.Connection, world: World,
                                                          guards: tuple[uuid.UUID, uuid.UUID, uuid.UUID]) -> None:
    mine, other, gate = guards
    log = ("insert into access_logs (access_point_id, direction, method, result, guard_id) "
           "values (%s, 'entry', 'manual', 'granted', %s) returning guard_id")
    with as_user(db, world["guard"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute(log, (gate, other))
        assert one(cur, log, gate, mine) == mine
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, log, gate, other) == other
    invitation = ("insert into invitations (unit_id, invitation_type, max_uses, host_resident_id) "
                  "values (%s, 'single_use', 1, %s)")
    with as_user(db, world["T1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute(invitation, (world.u1, world.resident_ids["R1"]))


# -- the generated suite covers every table with each pattern ---------------------------------------


# Guarded columns the generator has no other value for (a plain uuid, its reference added by a
# later phase): their database test forges them instead.
_FORGED_IN_DATABASE_TESTS = {"reservations": {"move_request_id"},  # tests/db/test_amenities.py
                             # jsonb counters, which the generator has no other value for: tests/db/test_community.py
                             "posts": {"reaction_counts"}, "post_comments": {"reaction_counts"}}


def test_every_table_with_the_pattern_is_probed(widgets_build: Path) -> None:
    manifest = json.loads((widgets_build / "manifest.json").read_text())
    probes = "\n".join(p.read_text() for p in (widgets_build / "supabase" / "tests").glob("*.test.sql"))
    objects = [o for m in manifest["migrations"] for o in m["objects"]]
    tables = {o["name"]: o for o in objects if o["kind"] == "Table"}
    # Tables some community role may insert into without conditions: the probes' writers.
    insertable = {name for name, t in tables.items() for command, rules in t["access"] if command == "insert"
                  for rule in rules if not (rule["own"] or rule["where"]) and set(rule["roles"]) - {"super_admin"}}
    for machine in (o for o in objects if o["kind"] == "StateMachine" and o["transitions"]):
        if machine["table"] in insertable:
            assert re.search(rf"{machine['table']}: \w+ may not create a row as {machine['column']} ", probes), \
                machine["table"]
    # A table only written under ownership rules has no generic writer for pgTAP: its database
    # test forges the column instead (payment_proofs.submitted_by: tests/db/test_finance.py).
    for guard in (o for o in objects if o["kind"] == "ColumnGuard" and o["table"] in insertable):
        for group in guard["groups"]:
            if not group["roles"]:
                for column in set(group["columns"]) - _FORGED_IN_DATABASE_TESTS.get(guard["table"], set()):
                    assert re.search(rf"{guard['table']}: \w+ may not (insert|update) with its own {column}'",
                                     probes), (guard["table"], column)
    for name in insertable:
        if tables[name]["soft_delete"]:
            assert f"{name}: " in probes and re.search(rf"{name}: \w+ may not insert a row already deleted", probes)
