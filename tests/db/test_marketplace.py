"""Phase 5 — the internal marketplace (REQUIREMENTS.md MRKT-01..07) on a real PostgreSQL, run as
Supabase runs API requests: every acceptance bullet shown working and its violation rejected with the
contract's SQLSTATE and message, as the catalogue's fixture users, plus the attacks a resident of the
same community could try on listings: publishing without moderation, listing as someone else or for
another unit, moving the expiry, touching another seller's listings or photos, reporting as someone
else, writing the moderation queue, confirming the other party's appointment, reviewing without
an exchange or verifying their own business. Clock times are C1 local time (X-08)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.db.conftest import SPEC
from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_service, as_user, expect_sqlstate, one
from tests.support.world import World
from upoe_compiler.api import analyse
from upoe_compiler.ir import Table

LIST = "insert into listings (unit_id, listing_type, title, price, price_type, item_condition) " \
       "values (%s, %s, %s, %s, %s, %s) returning id"
PHOTO = "insert into listing_media (listing_id, storage_path, sort_order, is_cover) values (%s, %s, %s, %s)"
UPLOAD = "insert into storage.objects (bucket_id, name) values ('community-media', %s)"
REPORT = "insert into listing_reports (listing_id, reason) values (%s, %s)"
# A Monday and a Saturday in C1.
MONDAY, SATURDAY = "2027-03-15", "2027-03-13"
PROPOSE = ("insert into exchange_appointments (listing_id, zone_id, scheduled_range) "
           "values (%s, %s, tstzrange(%s::timestamptz, %s::timestamptz)) returning id")
REVIEW = "insert into marketplace_reviews (listing_id, rating, comment) values (%s, %s, %s) returning id"
QUEUED = "select reason::text, priority, status from moderation_queue_items where item_id = %s order by created_at"


def refused(cur: psycopg.Cursor, code: str, query: str, *params: object) -> str:
    """The message of the error `query` fails with, which must carry SQLSTATE `code`."""
    with expect_sqlstate(cur, code) as failure:
        cur.execute(query, params)
    return str(failure.error)


def sale(cur: psycopg.Cursor, unit: uuid.UUID, title: str = "Bicicleta de montaña", **columns: Any) -> uuid.UUID:
    """A sale listing, made by whoever `cur` acts as."""
    values = {"unit_id": unit, "listing_type": "sale", "title": title, "price": 2500, "item_condition": "good",
              **columns}
    return one(cur, f"insert into listings ({', '.join(values)}) values (%s{', %s' * (len(values) - 1)}) "
                    "returning id", *values.values())


def listing_of_r1(db: psycopg.Connection, world: World, status: str = "active", title: str = "Bicicleta") -> uuid.UUID:
    """R1's sale listing of U1, made by the platform in `status` (as moderation would leave it)."""
    return one(db, "insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, price, "
                   "item_condition, status) values (%s, %s, %s, 'sale', %s, 2500, 'good', %s) returning id",
               world.c1, world.resident_ids["R1"], world.u1, title, status)


def photo_path(world: World, listing: uuid.UUID, name: str = "foto.jpg") -> str:
    return f"{world.c1}/listings/{listing}/{name}"


# -- MRKT-01 listings ------------------------------------------------------------------------------


@pytest.mark.requirement("MRKT-01")
def test_a_listing_of_each_type_can_be_created(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        for listing_type, price, price_type, condition in [("sale", 2500, "fixed", "like_new"),
                                                           ("service", 300, "per_hour", None),
                                                           ("rental", 150, "per_day", None),
                                                           ("wanted", None, "negotiable", None)]:
            listing = one(cur, LIST, world.u1, listing_type, f"Un {listing_type}", price, price_type, condition)
            assert cur.execute("select status::text, seller_resident_id, currency from listings where id = %s",
                               (listing,)).fetchone() == ("draft", world.resident_ids["R1"], "MXN")
        # a sale needs a price and a condition; a rental is priced per day, week or month; a
        # service fixed, per hour or negotiable.
        refused(cur, "23514", LIST, world.u1, "sale", "Sin precio", None, "fixed", "good")
        refused(cur, "23514", LIST, world.u1, "sale", "Sin estado", 100, "fixed", None)
        refused(cur, "23514", LIST, world.u1, "rental", "Renta fija", 150, "fixed", None)
        refused(cur, "23514", LIST, world.u1, "rental", "Renta sin precio", None, "per_week", None)
        refused(cur, "23514", LIST, world.u1, "service", "Clases", 300, "per_month", None)
        refused(cur, "22P02", LIST, world.u1, "barter", "Trueque", None, "fixed", None)


@pytest.mark.requirement("MRKT-01")
def test_a_listing_expires_after_the_communitys_listing_days(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        listing = sale(cur, world.u1)
        assert one(cur, "select expires_at - now() from listings where id = %s", listing).days == 30
    db.execute("update communities set settings = settings || '{\"marketplace\": {\"listing_days\": 7}}' "
               "where id = %s", (world.c1,))
    with as_user(db, world["R1"].claims()) as cur:
        listing = sale(cur, world.u1, title="Silla")
        assert one(cur, "select expires_at - now() from listings where id = %s", listing).days == 7
        # The expiry is the community's rule: the seller moves it neither on insert nor later (42501).
        refused(cur, "42501", "update listings set expires_at = now() + interval '1 year' where id = %s", listing)
        refused(cur, "42501", LIST.replace("item_condition)", "item_condition, expires_at)")
                .replace("%s) returning", "%s, now() + interval '1 year') returning"),
                world.u1, "sale", "Mesa", 100, "fixed", "good")


@pytest.mark.requirement("MRKT-01")
def test_the_expiry_job_ends_active_listings_past_their_date(db: psycopg.Connection, world: World) -> None:
    expiring = listing_of_r1(db, world)
    lasting = listing_of_r1(db, world, title="Patines")
    draft = one(db, "insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, "
                    "price, item_condition, expires_at) values (%s, %s, %s, 'sale', 'Borrador', 10, 'fair', "
                    "now() - interval '1 day') returning id", world.c1, world.resident_ids["R1"], world.u1)
    db.execute("update listings set expires_at = now() + interval '2 days' where id = %s", (expiring,))
    with as_user(db, world["admin"].claims()) as cur:
        refused(cur, "42501", "select expire_listings()")
    with as_service(db) as cur:
        assert one(cur, "select expire_listings(now() + interval '3 days')") == 1
        statuses = dict(cur.execute("select id, status::text from listings where id = any(%s)",
                                    ([expiring, lasting, draft],)).fetchall())
    assert statuses == {expiring: "expired", lasting: "active", draft: "draft"}


@pytest.mark.requirement("MRKT-01")
def test_only_staff_moderation_publishes_a_listing(db: psycopg.Connection, world: World) -> None:
    listing = listing_of_r1(db, world, status="draft")
    with as_user(db, world["R1"].claims()) as cur:
        message = refused(cur, "P0001", LIST.replace("item_condition)", "item_condition, status)")
                          .replace("%s) returning", "%s, 'active') returning"),
                          world.u1, "sale", "Directo", 100, "fixed", "good")
        assert message.startswith("invalid_transition: null -> active")
        cur.execute("update listings set status = 'pending_review' where id = %s", (listing,))
        assert refused(cur, "42501", "update listings set status = 'active' where id = %s", listing) \
            .startswith("not_authorized")
        refused(cur, "42501", "update listings set status = 'rejected' where id = %s", listing)
    db.execute("update listings set status = 'pending_review' where id = %s", (listing,))
    with as_user(db, world["R2"].claims()) as cur:
        assert one(cur, "select count(*) from listings where id = %s", listing) == 0
    with as_user(db, world["manager"].claims()) as cur:
        cur.execute("update listings set status = 'active' where id = %s", (listing,))
        with as_user(db, world["R2"].claims()) as resident:
            assert one(resident, "select count(*) from listings where id = %s", listing) == 1
        with as_user(db, world["R1"].claims()) as seller:
            # The seller reserves it for a buyer and puts it back on the market.
            seller.execute("update listings set status = 'reserved' where id = %s", (listing,))
            seller.execute("update listings set status = 'active' where id = %s", (listing,))
            assert refused(seller, "P0001", "update listings set status = 'draft' where id = %s", listing) \
                .startswith("invalid_transition: active -> draft")


@pytest.mark.requirement("MRKT-01")
def test_a_resident_lists_only_as_themselves_for_their_own_unit(db: psycopg.Connection, world: World) -> None:
    listing = listing_of_r1(db, world, status="draft")
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", LIST, world.u2, "sale", "De otro depto", 100, "fixed", "good")
        refused(cur, "42501", "insert into listings (seller_resident_id, unit_id, listing_type, title) "
                              "values (%s, %s, 'wanted', 'A nombre de otro')", world.resident_ids["R2"], world.u1)
        refused(cur, "42501", "update listings set unit_id = %s where id = %s", world.u2, listing)
        refused(cur, "42501", "update listings set seller_resident_id = %s where id = %s",
                world.resident_ids["T1"], listing)
    # A co-occupant of the unit is not the seller: T1 neither sees R1's draft nor edits it.
    with as_user(db, world["T1"].claims()) as cur:
        assert cur.execute("update listings set price = 1 where id = %s", (listing,)).rowcount == 0
        assert one(cur, "select count(*) from listings where id = %s", listing) == 0
    with as_user(db, world["admin"].claims()) as cur:
        staff_listing = sale(cur, world.u2, seller_resident_id=world.resident_ids["R2"])
        with as_user(db, world["R2"].claims()) as resident:
            assert one(resident, "select status::text from listings where id = %s", staff_listing) == "draft"


@pytest.mark.requirement("MRKT-01")
def test_a_listing_has_one_cover_and_at_most_eight_photos(db: psycopg.Connection, world: World) -> None:
    listing = listing_of_r1(db, world)
    for position in range(7):
        db.execute("insert into listing_media (community_id, listing_id, storage_path, sort_order, is_cover) "
                   "values (%s, %s, %s, %s, %s)",
                   (world.c1, listing, photo_path(world, listing, f"{position}.jpg"), position, position == 0))
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "23505", PHOTO, listing, photo_path(world, listing, "cover2.jpg"), 7, True)
        refused(cur, "23514", PHOTO, listing, f"{world.c2}/listings/{listing}/x.jpg", 7, False)
        with as_user(db, world["R2"].claims()) as neighbour:
            assert one(neighbour, "select count(*) from listing_media where listing_id = %s", listing) == 7
            refused(neighbour, "42501", PHOTO, listing, photo_path(world, listing, "intruso.jpg"), 7, False)
            assert neighbour.execute("update listings set price = 1 where id = %s", (listing,)).rowcount == 0
            assert neighbour.execute("update listing_media set is_cover = false where listing_id = %s",
                                     (listing,)).rowcount == 0
        cur.execute(PHOTO, (listing, photo_path(world, listing, "7.jpg"), 7, False))
        assert refused(cur, "P0001", PHOTO, listing, photo_path(world, listing, "8.jpg"), 8, False) \
            .startswith("media_limit")
    # A removed photo frees its place.
    db.execute("update listing_media set deleted_at = now() where listing_id = %s and sort_order = 6", (listing,))
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute(PHOTO, (listing, photo_path(world, listing, "8.jpg"), 8, False))
    with as_user(db, world["R3"].claims()) as cur:
        assert one(cur, "select count(*) from listings where community_id = %s", world.c1) == 0


@pytest.mark.requirement("MRKT-01")
def test_photos_of_a_listing_not_yet_published_stay_with_its_seller(db: psycopg.Connection, world: World) -> None:
    draft = listing_of_r1(db, world, status="draft")
    with as_user(db, world["R1"].claims()) as cur:
        cur.execute(PHOTO, (draft, photo_path(world, draft), 0, True))
        cur.execute(UPLOAD, (photo_path(world, draft),))
        assert one(cur, "select count(*) from storage.objects where name = %s", photo_path(world, draft)) == 1
        with as_user(db, world["R2"].claims()) as neighbour:
            assert one(neighbour, "select count(*) from listing_media where listing_id = %s", draft) == 0
            assert one(neighbour, "select count(*) from storage.objects where name = %s",
                       photo_path(world, draft)) == 0
            # Only the seller (and staff) upload into a listing's folder.
            refused(neighbour, "42501", UPLOAD, photo_path(world, draft, "intruso.jpg"))
        with as_user(db, world["manager"].claims()) as staff:
            assert one(staff, "select count(*) from storage.objects where name = %s", photo_path(world, draft)) == 1


# -- MRKT-02 categories and tags -------------------------------------------------------------------


@pytest.mark.requirement("MRKT-02")
def test_tags_are_normalised_limited_and_searchable(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        listing = sale(cur, world.u1, tags=[" Bicicleta", "bicicleta", "Rodada 26"])
        assert one(cur, "select tags from listings where id = %s", listing) == ["bicicleta", "rodada 26"]
        assert one(cur, "select array_agg(id) from listings where tags @> '{bicicleta}'") == [listing]
        assert refused(cur, "P0001", "update listings set tags = %s where id = %s",
                       [f"Tag {n}" for n in range(11)], listing).startswith("tag_limit")
        # Ten distinct tags are fine, however many duplicates come with them.
        cur.execute("update listings set tags = %s where id = %s",
                    ([f"tag {n}" for n in range(10)] + ["TAG 0 "], listing))
        assert len(one(cur, "select tags from listings where id = %s", listing)) == 10


@pytest.mark.requirement("MRKT-02")
def test_staff_keep_the_category_tree(db: psycopg.Connection, world: World) -> None:
    insert = "insert into listing_categories (name, parent_id, listing_types) values (%s, %s, %s) returning id"
    with as_user(db, world["manager"].claims()) as cur:
        sports = one(cur, insert, "Deportes", None, ["sale", "rental", "wanted"])
        bikes = one(cur, insert, "Bicicletas", sports, ["sale"])
        refused(cur, "23505", insert, "Bicicletas", sports, ["sale"])
        refused(cur, "23505", insert, "Deportes", None, ["sale"])
        one(cur, insert, "Bicicletas", None, ["sale"])
        refused(cur, "23514", insert, "Nada", None, [])
        with as_user(db, world["R1"].claims()) as resident:
            assert one(resident, "select count(*) from listing_categories where id = %s", bikes) == 1
            refused(resident, "42501", insert, "Mía", None, ["sale"])
            assert resident.execute("update listing_categories set name = 'X' where id = %s", (bikes,)).rowcount == 0


@pytest.mark.requirement("MRKT-02")
def test_a_listing_fits_its_category(db: psycopg.Connection, world: World) -> None:
    bikes = one(db, "insert into listing_categories (community_id, name, listing_types) "
                    "values (%s, 'Bicicletas', '{sale}') returning id", world.c1)
    retired = one(db, "insert into listing_categories (community_id, name, is_active) "
                      "values (%s, 'Antigua', false) returning id", world.c1)
    foreign = one(db, "insert into listing_categories (community_id, name) values (%s, 'C2') returning id",
                  world.c2)
    with as_user(db, world["R1"].claims()) as cur:
        sale(cur, world.u1, category_id=bikes)
        service = "insert into listings (unit_id, listing_type, title, price_type, category_id) " \
                  "values (%s, 'service', 'Reparación', 'per_hour', %s)"
        assert refused(cur, "P0001", service, world.u1, bikes).startswith("category_type_mismatch")
        assert refused(cur, "P0001", service, world.u1, retired).startswith("category_inactive")
        refused(cur, "23503", service, world.u1, foreign)


# -- MRKT-05 moderation queue ---------------------------------------------------------------------


@pytest.mark.requirement("MRKT-05")
def test_new_and_edited_listings_join_the_moderation_queue(db: psycopg.Connection, world: World) -> None:
    draft = listing_of_r1(db, world, status="draft")
    active = listing_of_r1(db, world, title="Patines")
    with as_user(db, world["R1"].claims()) as cur:
        fresh = sale(cur, world.u1, title="Casco", status="pending_review")
        cur.execute("update listings set status = 'pending_review' where id = %s", (draft,))
        # What the community reads changed: the listing goes back to review.
        cur.execute("update listings set price = 1999 where id = %s", (active,))
        assert one(cur, "select status::text from listings where id = %s", active) == "pending_review"
        # Residents neither read nor write the queue.
        assert one(cur, "select count(*) from moderation_queue_items") == 0
        refused(cur, "42501", "insert into moderation_queue_items (item_type, item_id, reason) "
                              "values ('listing', %s, 'new_listing')", fresh)
        with as_user(db, world["manager"].claims()) as staff:
            assert staff.execute(QUEUED, (fresh,)).fetchall() == [("new_listing", 0, "pending")]
            assert staff.execute(QUEUED, (draft,)).fetchall() == [("new_listing", 0, "pending")]
            assert staff.execute(QUEUED, (active,)).fetchall() == [("edited_listing", 0, "pending")]
            refused(staff, "42501", "update moderation_queue_items set status = 'approved' where item_id = %s",
                    fresh)
    # Staff correcting a published listing keep it published.
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("update listings set title = 'Patines en línea' where id = %s", (active,))
        assert one(cur, "select status::text from listings where id = %s", active) == "active"
        assert cur.execute(QUEUED, (active,)).fetchall() == []


@pytest.mark.requirement("MRKT-05")
def test_moderators_claim_and_decide_items(db: psycopg.Connection, world: World) -> None:
    approved, rejected = (listing_of_r1(db, world, status="pending_review", title=t) for t in ("Sí", "No"))
    db.execute("update moderation_queue_items set created_at = created_at - interval '1 minute' "
               "where item_id = %s", (approved,))
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", "select * from claim_next_moderation_item()")
        refused(cur, "42501", "select * from resolve_moderation_item(%s, 'approved', null)", approved)
    with as_user(db, world["manager"].claims()) as cur:
        claimed = cur.execute("select item_id, status, claimed_by from claim_next_moderation_item()").fetchall()
        assert claimed == [(approved, "in_review", world["manager"].id)]
        item = one(cur, "select id from moderation_queue_items where item_id = %s", approved)
        refused(cur, "23514", "select * from resolve_moderation_item(%s, 'maybe', null)", item)
        assert one(cur, "select status from resolve_moderation_item(%s, 'approved', null)", item) == "approved"
        assert one(cur, "select status::text from listings where id = %s", approved) == "active"
        assert refused(cur, "P0001", "select * from resolve_moderation_item(%s, 'rejected', 'tarde')", item) \
            .startswith("invalid_transition: approved -> rejected")
        other = one(cur, "select id from moderation_queue_items where item_id = %s", rejected)
        refused(cur, "23514", "select * from resolve_moderation_item(%s, 'rejected', null)", other)
        cur.execute("select * from resolve_moderation_item(%s, 'rejected', 'Artículo prohibido')", (other,))
        assert one(cur, "select status::text from listings where id = %s", rejected) == "rejected"
        assert cur.execute("select * from claim_next_moderation_item()").fetchall() == []
        assert refused(cur, "P0001", "select * from resolve_moderation_item(%s, 'approved', null)", uuid.uuid4()) \
            .startswith("moderation_item_not_found")
    with as_user(db, world["A2"].claims()) as cur:
        # Another community's moderator neither takes nor decides C1's items.
        assert cur.execute("select * from claim_next_moderation_item()").fetchall() == []
        refused(cur, "P0001", "select * from resolve_moderation_item(%s, 'approved', null)", item)


@pytest.mark.requirement("MRKT-05")
def test_stale_claims_go_back_to_the_queue(db: psycopg.Connection, world: World) -> None:
    stale, fresh = (listing_of_r1(db, world, status="pending_review", title=t) for t in ("Viejo", "Nuevo"))
    for listing, minutes in ((stale, 20), (fresh, 5)):
        db.execute("update moderation_queue_items set status = 'in_review', claimed_by = %s, "
                   "claimed_at = now() - make_interval(mins => %s) where item_id = %s",
                   (world["manager"].id, minutes, listing))
    with as_user(db, world["admin"].claims()) as cur:
        refused(cur, "42501", "select release_stale_moderation_claims()")
    with as_service(db) as cur:
        assert one(cur, "select release_stale_moderation_claims()") == 1
        assert cur.execute("select item_id, status, claimed_by from moderation_queue_items where item_id = any(%s) "
                           "order by status", ([stale, fresh],)).fetchall() \
            == [(fresh, "in_review", world["manager"].id), (stale, "pending", None)]


@pytest.mark.requirement("MRKT-05")
def test_the_third_distinct_report_sends_a_listing_back_to_review(db: psycopg.Connection, world: World) -> None:
    listing = listing_of_r1(db, world)
    db.execute("insert into listing_reports (community_id, listing_id, reporter_id, reason) "
               "values (%s, %s, %s, 'scam')", (world.c1, listing, world["board_member"].id))
    with as_user(db, world["R2"].claims()) as cur:
        refused(cur, "42501", "insert into listing_reports (listing_id, reporter_id, reason) values (%s, %s, 'scam')",
                listing, world["T1"].id)
        cur.execute(REPORT, (listing, "prohibited_item"))
        refused(cur, "23505", REPORT, listing, "other")
        refused(cur, "22P02", REPORT, listing, "ugly")
        assert one(cur, "select count(*) from listing_reports where listing_id = %s", listing) == 1
        assert one(cur, "select status::text from listings where id = %s", listing) == "active"
        with as_user(db, world["T1"].claims()) as third:
            third.execute(REPORT, (listing, "scam"))
            with as_user(db, world["manager"].claims()) as staff:
                assert one(staff, "select status::text from listings where id = %s", listing) == "pending_review"
                assert staff.execute(QUEUED, (listing,)).fetchall() == [("reported", 1, "pending")]
                assert one(staff, "select count(*) from listing_reports where listing_id = %s", listing) == 3


@pytest.mark.requirement("MRKT-05")
def test_the_report_threshold_is_a_community_setting(db: psycopg.Connection, world: World) -> None:
    listing = listing_of_r1(db, world)
    db.execute("update communities set settings = settings || '{\"marketplace\": {\"report_threshold\": 1}}' "
               "where id = %s", (world.c1,))
    with as_user(db, world["R2"].claims()) as cur:
        cur.execute(REPORT, (listing, "offensive"))
        # Back in review, it is no longer shown to the community.
        assert one(cur, "select count(*) from listings where id = %s", listing) == 0
        with as_user(db, world["admin"].claims()) as staff:
            assert staff.execute(QUEUED, (listing,)).fetchall() == [("reported", 1, "pending")]


@pytest.mark.requirement("MRKT-05")
def test_a_resident_reports_only_listings_they_can_see(db: psycopg.Connection, world: World) -> None:
    draft = listing_of_r1(db, world, status="draft")
    with as_user(db, world["R2"].claims()) as cur:
        refused(cur, "42501", REPORT, draft, "scam")


# -- MRKT-03 safe exchange zones -------------------------------------------------------------------


def local(day: str, clock: str) -> str:
    """An instant written in C1's time zone, as the contract's checks write them."""
    return f"{day} {clock} America/Mexico_City"


def zone(db: psycopg.Connection, world: World, weekdays: bool = True, **columns: Any) -> uuid.UUID:
    """A zone of C1 made by the platform, open Monday to Friday 09:00-20:00 unless `weekdays` is false."""
    values = {"community_id": world.c1, "name": f"Zona {uuid.uuid4().hex[:8]}", **columns}
    made = one(db, f"insert into exchange_zones ({', '.join(values)}) values (%s{', %s' * (len(values) - 1)}) "
                   "returning id", *values.values())
    if weekdays:
        db.execute("insert into exchange_zone_hours (community_id, zone_id, day_of_week, open_time, close_time) "
                   "select %s, %s, d, '09:00', '20:00' from generate_series(1, 5) d", (world.c1, made))
    return made


@pytest.mark.requirement("MRKT-03")
def test_staff_define_exchange_zones_every_member_reads_them(db: psycopg.Connection, world: World) -> None:
    insert = ("insert into exchange_zones (name, location_description, lat, lng, has_cctv, near_guard_booth) "
              "values (%s, 'Junto a la caseta', %s, -99.1332, true, true) returning id")
    with as_user(db, world["manager"].claims()) as cur:
        lobby = one(cur, insert, "Lobby", 19.4326)
        refused(cur, "23505", insert, "Lobby", 19.4326)
        refused(cur, "23514", insert, "Polo norte", 91)
        cur.execute("insert into exchange_zone_hours (zone_id, day_of_week, open_time, close_time) "
                    "values (%s, 1, '09:00', '20:00')", (lobby,))
        refused(cur, "23514", "insert into exchange_zone_hours (zone_id, day_of_week, open_time, close_time) "
                              "values (%s, 1, '20:00', '09:00')", lobby)
        with as_user(db, world["R1"].claims()) as resident:
            assert resident.execute("select has_cctv, near_guard_booth from exchange_zones where id = %s",
                                    (lobby,)).fetchone() == (True, True)
            assert one(resident, "select count(*) from exchange_zone_hours where zone_id = %s", lobby) == 1
            refused(resident, "42501", insert, "Mi casa", 19.4)
            refused(resident, "42501", "insert into exchange_zone_hours (zone_id, day_of_week, open_time, "
                                       "close_time) values (%s, 6, '00:00', '23:00')", lobby)
            assert resident.execute("update exchange_zones set is_active = false where id = %s",
                                    (lobby,)).rowcount == 0


@pytest.mark.requirement("MRKT-03")
def test_a_zone_is_available_only_inside_its_hours(db: psycopg.Connection, world: World) -> None:
    lobby, anytime = zone(db, world), zone(db, world, weekdays=False)
    closed = zone(db, world, is_active=False)
    available = "select is_exchange_zone_available(%s, tstzrange(%s::timestamptz, %s::timestamptz))"
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, available, lobby, local(SATURDAY, "10:00"), local(SATURDAY, "10:30")) is False
        assert one(cur, available, lobby, local(MONDAY, "10:00"), local(MONDAY, "10:30")) is True
        assert one(cur, available, lobby, local(MONDAY, "19:45"), local(MONDAY, "20:15")) is False
        assert one(cur, available, anytime, local(SATURDAY, "23:00"), local(MONDAY, "03:00")) is True
        assert one(cur, available, closed, local(MONDAY, "10:00"), local(MONDAY, "10:30")) is False


@pytest.mark.requirement("MRKT-03")
def test_a_listing_points_only_to_an_active_zone_of_its_community(db: psycopg.Connection, world: World) -> None:
    lobby, closed = zone(db, world), zone(db, world, is_active=False)
    foreign = one(db, "insert into exchange_zones (community_id, name) values (%s, 'C2 lobby') returning id",
                  world.c2)
    with as_user(db, world["R1"].claims()) as cur:
        listing = sale(cur, world.u1, preferred_exchange_zone_id=lobby)
        assert one(cur, "select preferred_exchange_zone_id from listings where id = %s", listing) == lobby
        refused(cur, "23503", "update listings set preferred_exchange_zone_id = %s where id = %s", foreign, listing)
        assert refused(cur, "P0001", "update listings set preferred_exchange_zone_id = %s where id = %s",
                       closed, listing).startswith("zone_inactive")


# -- MRKT-04 exchange appointments -----------------------------------------------------------------


@pytest.mark.requirement("MRKT-04")
def test_a_buyer_proposes_an_appointment_inside_the_zones_hours(db: psycopg.Connection, world: World) -> None:
    lobby, closed = zone(db, world), zone(db, world, is_active=False)
    listing, draft = listing_of_r1(db, world), listing_of_r1(db, world, status="draft", title="Borrador")
    monday = (local(MONDAY, "10:00"), local(MONDAY, "10:30"))
    with as_user(db, world["R2"].claims()) as cur:
        appointment = one(cur, PROPOSE, listing, lobby, *monday)
        assert cur.execute("select status::text, seller_resident_id, buyer_resident_id from exchange_appointments "
                           "where id = %s", (appointment,)).fetchone() \
            == ("proposed", world.resident_ids["R1"], world.resident_ids["R2"])
        assert refused(cur, "P0001", PROPOSE, listing, lobby, local(SATURDAY, "10:00"), local(SATURDAY, "10:30")) \
            .startswith("zone_unavailable")
        assert refused(cur, "P0001", PROPOSE, listing, closed, *monday).startswith("zone_inactive")
        assert refused(cur, "P0001", PROPOSE, draft, lobby, *monday).startswith("listing_unavailable")
        refused(cur, "42501", "insert into exchange_appointments (listing_id, zone_id, scheduled_range, "
                              "buyer_resident_id) values (%s, %s, tstzrange(%s::timestamptz, %s::timestamptz), %s)",
                listing, lobby, *monday, world.resident_ids["T1"])
        assert refused(cur, "P0001", PROPOSE.replace("scheduled_range)", "scheduled_range, status)")
                       .replace("::timestamptz))", "::timestamptz), 'confirmed')"), listing, lobby, *monday) \
            .startswith("invalid_transition: null -> confirmed")
        with as_user(db, world["T1"].claims()) as third:
            # T1 shares the seller's unit but is no party to the appointment.
            assert one(third, "select count(*) from exchange_appointments where id = %s", appointment) == 0
        with as_user(db, world["R1"].claims()) as seller:
            assert one(seller, "select count(*) from exchange_appointments where id = %s", appointment) == 1
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "23514", PROPOSE, listing, lobby, *monday)


@pytest.mark.requirement("MRKT-04")
def test_the_seller_confirms_and_a_completed_sale_is_sold(db: psycopg.Connection, world: World) -> None:
    lobby = zone(db, world)
    listing = listing_of_r1(db, world)
    with as_user(db, world["R2"].claims()) as buyer:
        appointment = one(buyer, PROPOSE, listing, lobby, local(MONDAY, "10:00"), local(MONDAY, "10:30"))
        set_status = "update exchange_appointments set status = %s where id = %s"
        assert refused(buyer, "42501", set_status, "confirmed", appointment).startswith("not_authorized")
        with as_user(db, world["R1"].claims()) as seller:
            seller.execute(set_status, ("confirmed", appointment))
            assert one(seller, "select confirmed_at is not null from exchange_appointments where id = %s",
                       appointment) is True
            refused(seller, "42501", "update exchange_appointments set confirmed_at = now() - interval '1 day' "
                                     "where id = %s", appointment)
            with as_user(db, world["R2"].claims()) as same_buyer:
                refused(same_buyer, "42501", "update exchange_appointments set scheduled_range = "
                                             "tstzrange(%s::timestamptz, %s::timestamptz) where id = %s",
                        local(MONDAY, "11:00"), local(MONDAY, "11:30"), appointment)
                same_buyer.execute(set_status, ("completed", appointment))
                assert one(same_buyer, "select completed_at is not null from exchange_appointments where id = %s",
                           appointment) is True
                with as_user(db, world["R1"].claims()) as owner:
                    assert one(owner, "select status::text from listings where id = %s", listing) == "sold"
                    assert refused(owner, "P0001", set_status, "cancelled", appointment) \
                        .startswith("invalid_transition: completed -> cancelled")


@pytest.mark.requirement("MRKT-04")
@pytest.mark.parametrize("party", ["R1", "R2"])
def test_either_party_cancels_or_records_a_no_show(db: psycopg.Connection, world: World, party: str) -> None:
    lobby = zone(db, world, weekdays=False)
    listing = listing_of_r1(db, world)
    insert = ("insert into exchange_appointments (community_id, listing_id, zone_id, buyer_resident_id, "
              "scheduled_range, status) values (%s, %s, %s, %s, tstzrange(now(), now() + interval '1 hour'), "
              "'proposed') returning id")
    proposed, confirmed = (one(db, insert, world.c1, listing, lobby, world.resident_ids["R2"]) for _ in range(2))
    db.execute("update exchange_appointments set status = 'confirmed' where id = %s", (confirmed,))
    with as_user(db, world[party].claims()) as cur:
        cur.execute("update exchange_appointments set status = 'cancelled' where id = %s", (proposed,))
        cur.execute("update exchange_appointments set status = 'no_show' where id = %s", (confirmed,))
        assert dict(cur.execute("select id, status::text from exchange_appointments where id = any(%s)",
                                ([proposed, confirmed],)).fetchall()) == {proposed: "cancelled", confirmed: "no_show"}
        # The listing stays on sale.
        assert one(cur, "select count(*) from listings where id = %s and status = 'active'", listing) == 1
    with as_user(db, world["T1"].claims()) as cur:
        assert cur.execute("update exchange_appointments set status = 'cancelled' where id = %s",
                           (confirmed,)).rowcount == 0


@pytest.mark.requirement("MRKT-04")
def test_a_completed_service_stays_listed(db: psycopg.Connection, world: World) -> None:
    lobby = zone(db, world, weekdays=False)
    service = one(db, "insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, "
                      "price_type, status) values (%s, %s, %s, 'service', 'Clases de guitarra', 'per_hour', "
                      "'active') returning id", world.c1, world.resident_ids["R1"], world.u1)
    appointment = one(db, "insert into exchange_appointments (community_id, listing_id, zone_id, buyer_resident_id, "
                          "scheduled_range, status) values (%s, %s, %s, %s, tstzrange(now(), now() + interval "
                          "'1 hour'), 'confirmed') returning id", world.c1, service, lobby, world.resident_ids["R2"])
    with as_user(db, world["R2"].claims()) as cur:
        cur.execute("update exchange_appointments set status = 'completed' where id = %s", (appointment,))
        assert one(cur, "select status::text from listings where id = %s", service) == "active"


# -- MRKT-06 reviews -------------------------------------------------------------------------------


def completed_exchange(db: psycopg.Connection, world: World, title: str) -> uuid.UUID:
    """An active sale of R1 that R2 bought in a completed exchange (made by the platform): the listing."""
    listing = listing_of_r1(db, world, title=title)
    lobby = zone(db, world, weekdays=False)
    db.execute("insert into exchange_appointments (community_id, listing_id, zone_id, buyer_resident_id, "
               "scheduled_range, status) values (%s, %s, %s, %s, tstzrange(now(), now() + interval '1 hour'), "
               "'completed')", (world.c1, listing, lobby, world.resident_ids["R2"]))
    return listing


@pytest.mark.requirement("MRKT-06")
def test_a_buyer_reviews_the_seller_once_after_a_completed_exchange(db: psycopg.Connection, world: World) -> None:
    bought = completed_exchange(db, world, "Bicicleta")
    not_bought = listing_of_r1(db, world, title="Patines")
    with as_user(db, world["R2"].claims()) as cur:
        assert refused(cur, "P0001", REVIEW, not_bought, 5, "Nunca lo compré").startswith("no_completed_exchange")
        refused(cur, "23514", REVIEW, bought, 6, "Excelente")
        review = one(cur, REVIEW, bought, 4, "Buen trato")
        assert cur.execute("select seller_resident_id, appointment_id is not null, status from marketplace_reviews "
                           "where id = %s", (review,)).fetchone() == (world.resident_ids["R1"], True, "published")
        refused(cur, "23505", REVIEW, bought, 5, "Otra vez")
        cur.execute("update marketplace_reviews set rating = 5 where id = %s", (review,))
        refused(cur, "42501", "update marketplace_reviews set status = 'hidden' where id = %s", review)
        refused(cur, "42501", "update marketplace_reviews set seller_resident_id = %s where id = %s",
                world.resident_ids["T1"], review)
        with as_user(db, world["T1"].claims()) as other:
            # Another resident of the community reads published reviews, and writes none without an exchange.
            assert one(other, "select rating from marketplace_reviews where id = %s", review) == 5
            assert refused(other, "P0001", REVIEW, bought, 1, "Falso").startswith("no_completed_exchange")
            assert other.execute("update marketplace_reviews set rating = 1 where id = %s", (review,)).rowcount == 0


@pytest.mark.requirement("MRKT-06")
def test_seller_ratings_average_the_published_reviews(db: psycopg.Connection, world: World) -> None:
    first, second = completed_exchange(db, world, "Silla"), completed_exchange(db, world, "Mesa")
    rating = "select review_count, avg_rating from seller_ratings where seller_resident_id = %s"
    with as_user(db, world["R2"].claims()) as cur:
        cur.execute(REVIEW, (first, 4, "Bien"))
        hidden = one(cur, REVIEW, second, 5, "Muy bien")
        with as_user(db, world["T1"].claims()) as member:
            assert member.execute(rating, (world.resident_ids["R1"],)).fetchone() == (2, Decimal("4.50"))
        with as_user(db, world["manager"].claims()) as staff:
            staff.execute("update marketplace_reviews set status = 'hidden' where id = %s", (hidden,))
            with as_user(db, world["T1"].claims()) as member:
                assert member.execute(rating, (world.resident_ids["R1"],)).fetchone() == (1, Decimal("4.00"))
                assert one(member, "select count(*) from marketplace_reviews where id = %s", hidden) == 0


# -- MRKT-07 local business directory --------------------------------------------------------------

PROPOSE_BUSINESS = ("insert into local_businesses (name, category, phone, is_resident_owned, owner_resident_id) "
                    "values (%s, 'panadería', '+525512345678', %s, %s) returning id")


@pytest.mark.requirement("MRKT-07")
def test_a_proposed_business_is_shown_once_staff_verify_it(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        bakery = one(cur, PROPOSE_BUSINESS, "Pan de la Abuela", True, world.resident_ids["R1"])
        assert cur.execute("select is_verified, verified_at from local_businesses where id = %s",
                           (bakery,)).fetchone() == (False, None)
        with as_user(db, world["R2"].claims()) as neighbour:
            assert one(neighbour, "select count(*) from local_businesses where id = %s", bakery) == 0
        with as_user(db, world["admin"].claims()) as staff:
            assert staff.execute("update local_businesses set is_verified = true where id = %s",
                                 (bakery,)).rowcount == 1
            assert staff.execute("select verified_by, verified_at is not null from local_businesses where id = %s",
                                 (bakery,)).fetchone() == (world["admin"].id, True)
            with as_user(db, world["R2"].claims()) as neighbour:
                assert one(neighbour, "select name from local_businesses where id = %s", bakery) == "Pan de la Abuela"
                assert neighbour.execute("update local_businesses set phone = '+525500000000' where id = %s",
                                         (bakery,)).rowcount == 0


@pytest.mark.requirement("MRKT-07")
def test_a_resident_neither_verifies_nor_claims_a_business(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as cur:
        refused(cur, "42501", "insert into local_businesses (name, is_verified) values ('Verificada', true)")
        refused(cur, "42501", "insert into local_businesses (name, verified_at) values ('Sellada', now())")
        refused(cur, "42501", PROPOSE_BUSINESS, "De R2", True, world.resident_ids["R2"])
        bakery = one(cur, PROPOSE_BUSINESS, "Pan de la Abuela", True, world.resident_ids["R1"])
        refused(cur, "23505", PROPOSE_BUSINESS, "Pan de la Abuela", False, None)
        refused(cur, "42501", "update local_businesses set is_verified = true where id = %s", bakery)
        refused(cur, "42501", "update local_businesses set owner_resident_id = %s where id = %s",
                world.resident_ids["R2"], bakery)
        refused(cur, "23514", "update local_businesses set phone = '5512345678' where id = %s", bakery)
        logo = f"{world.c1}/local_businesses/{bakery}/logo.png"
        cur.execute("update local_businesses set logo_path = %s where id = %s", (logo, bakery))
        cur.execute(UPLOAD, (logo,))
        with as_user(db, world["T1"].claims()) as co_occupant:
            # Another resident, of the same unit even, neither sees nor edits an unverified proposal.
            assert co_occupant.execute("update local_businesses set name = 'X' where id = %s", (bakery,)).rowcount == 0
            refused(co_occupant, "42501", UPLOAD, f"{world.c1}/local_businesses/{bakery}/intruso.png")


# -- every marketplace table -----------------------------------------------------------------------

MARKETPLACE_TABLES = ("listing_categories", "listings", "listing_media", "moderation_queue_items", "listing_reports",
                      "exchange_zones", "exchange_zone_hours", "exchange_appointments", "marketplace_reviews",
                      "local_businesses")


def c2_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each marketplace table, its parents being C2's rows (made as the platform)."""
    c2 = world.c2
    base = {"community_id": c2}
    seller = {"seller_resident_id": world.resident_ids["R3"], "unit_id": world.u3}
    listing = one(db, "insert into listings (community_id, seller_resident_id, unit_id, listing_type, title, status) "
                      "values (%s, %s, %s, 'wanted', 'C2 busca', 'active') returning id", c2, *seller.values())
    lobby = one(db, "insert into exchange_zones (community_id, name) values (%s, 'C2 lobby') returning id", c2)
    # A C2 resident other than the seller: a second one made for the purpose.
    buyer = one(db, "insert into residents (community_id, first_name, last_name) values (%s, 'C2', 'Buyer') "
                    "returning id", c2)
    exchange = {**base, "listing_id": listing, "zone_id": lobby, "buyer_resident_id": buyer}
    appointment = one(db, "insert into exchange_appointments (community_id, listing_id, zone_id, buyer_resident_id, "
                          "scheduled_range, status) values (%s, %s, %s, %s, tstzrange(now(), now() + interval "
                          "'1 hour'), 'completed') returning id", *exchange.values())
    return {
        "listing_categories": {**base, "name": "C2 hogar"},
        "listings": {**base, **seller, "listing_type": "wanted", "title": "C2 busca bici"},
        "listing_media": {**base, "listing_id": listing, "storage_path": f"{c2}/listings/{listing}/a.jpg"},
        "moderation_queue_items": {**base, "item_type": "listing", "item_id": listing, "reason": "new_listing"},
        "listing_reports": {**base, "listing_id": listing, "reporter_id": world["R3"].id, "reason": "scam"},
        "exchange_zones": {**base, "name": "C2 garita"},
        "local_businesses": {**base, "name": "C2 tlapalería", "is_verified": True},
        "exchange_zone_hours": {**base, "zone_id": lobby, "day_of_week": 1, "open_time": "09:00",
                                "close_time": "20:00"},
        "exchange_appointments": {**exchange, "scheduled_range": "[2027-03-15 16:00+00, 2027-03-15 17:00+00)"},
        "marketplace_reviews": {**base, "listing_id": listing, "reviewer_resident_id": buyer,
                                "appointment_id": appointment, "rating": 5},
    }


def test_every_marketplace_table_is_listed() -> None:
    model, _, _ = analyse(SPEC)
    assert {t.name for t in model.of_type(Table) if t.domain == "marketplace"} == set(MARKETPLACE_TABLES)


@pytest.mark.requirement("MRKT-01")
@pytest.mark.requirement("MRKT-02")
@pytest.mark.requirement("MRKT-05")
@pytest.mark.requirement("MRKT-03")
@pytest.mark.requirement("MRKT-04")
@pytest.mark.requirement("MRKT-06")
@pytest.mark.requirement("MRKT-07")
@pytest.mark.parametrize("table", MARKETPLACE_TABLES)
def test_marketplace_tables_are_isolated_between_communities(db: psycopg.Connection, world: World,
                                                             table: str) -> None:
    # The admin reads and writes every marketplace table of C1: nothing of C2 reaches it.
    assert_tenant_isolation(db, table, c2_rows(db, world)[table], world["admin"])
