"""The ledger constructs on a real database (tests/db/widgets/ledger.yaml), as PostgREST runs
requests: balanced groups checked at commit, restricted references, append-only rows with named
exceptions."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.support.session import as_service, as_user, as_user_committed, expect_sqlstate, one
from tests.support.world import World


def account(conn: psycopg.Connection, community: uuid.UUID, code: str, kind: str = "asset", **columns: object
            ) -> uuid.UUID:
    names = ["community_id", "code", "kind", *columns]
    # Some tests commit: codes stay unique across the module's database.
    values = [community, f"{code}-{uuid.uuid4().hex[:8]}", kind, *columns.values()]
    return one(conn, f"insert into widget_accounts ({', '.join(names)}) values ({', '.join(['%s'] * len(values))}) "
               "returning id", *values)


def post(cur: psycopg.Cursor, community: uuid.UUID, *entries: tuple[uuid.UUID, int]) -> uuid.UUID:
    posting = one(cur, "insert into widget_postings (community_id, memo) values (%s, 'test') returning id", community)
    for account_id, amount in entries:
        cur.execute("insert into widget_entries (community_id, posting_id, account_id, amount) values (%s, %s, %s, %s)",
                    (community, posting, account_id, amount))
    return posting


@pytest.fixture
def accounts(db: psycopg.Connection, world: World) -> tuple[uuid.UUID, uuid.UUID]:
    return account(db, world.c1, "1100"), account(db, world.c1, "4100", "income")


# -- balanced groups -----------------------------------------------------------------------------


def test_an_unbalanced_posting_fails_when_its_constraints_are_checked(
        db: psycopg.Connection, world: World, accounts: tuple[uuid.UUID, uuid.UUID]) -> None:
    bank, income = accounts
    with as_user(db, world["accountant"].claims()) as cur:
        post(cur, world.c1, (bank, 100), (income, -100))
        cur.execute("set constraints all immediate")
        # Immediate holds for the rest of the transaction: deferred again for the next posting.
        cur.execute("set constraints all deferred")
        post(cur, world.c1, (bank, 100), (income, -90))
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("set constraints all immediate")
        assert str(failure.error).startswith("unbalanced_transaction")
        assert "sum to 10.0000, not 0" in (failure.error.diag.message_detail or "")


def test_an_unbalanced_posting_fails_at_commit_and_leaves_nothing(
        db: psycopg.Connection, world: World, accounts: tuple[uuid.UUID, uuid.UUID]) -> None:
    bank, income = accounts
    db.commit()
    try:
        with (pytest.raises(psycopg.errors.RaiseException, match="unbalanced_transaction"),
              as_user_committed(db, world["accountant"].claims()) as cur):
            post(cur, world.c1, (bank, 100), (income, -90))
        assert one(db, "select count(*) from widget_entries where account_id = %s", bank) == 0
        db.rollback()
        # Entries written in any order balance at commit.
        with as_user_committed(db, world["accountant"].claims()) as cur:
            posting = post(cur, world.c1, (income, -60), (bank, 100), (income, -40))
        assert one(db, "select sum(amount) from widget_entries where posting_id = %s", posting) == 0
    finally:
        db.rollback()


def test_a_group_counts_every_row_whatever_the_writer_may_read(
        db: psycopg.Connection, world: World, accounts: tuple[uuid.UUID, uuid.UUID]) -> None:
    bank, income = accounts
    posting = one(db, "insert into widget_postings (community_id) values (%s) returning id", world.c1)
    db.execute("insert into widget_entries (community_id, posting_id, account_id, amount) values (%s, %s, %s, 50)",
               (world.c1, posting, bank))
    # The accountant adds the other half; the check sees the platform's row too.
    with as_user(db, world["accountant"].claims()) as cur:
        cur.execute("insert into widget_entries (community_id, posting_id, account_id, amount) "
                    "values (%s, %s, %s, -50)", (world.c1, posting, income))
        cur.execute("set constraints all immediate")


# -- restricted references -----------------------------------------------------------------------


def test_a_reference_must_point_at_a_row_meeting_the_condition(db: psycopg.Connection, world: World) -> None:
    parent = account(db, world.c1, "1000", is_postable=False)
    closed = account(db, world.c1, "1200", is_active=False)
    bank = account(db, world.c1, "1100")
    income = account(db, world.c1, "4100", "income")
    with as_user(db, world["accountant"].claims()) as cur:
        posting = one(cur, "insert into widget_postings (community_id) values (%s) returning id", world.c1)
        for refused in (parent, closed):
            with expect_sqlstate(cur, "P0001") as failure:
                cur.execute("insert into widget_entries (community_id, posting_id, account_id, amount) "
                            "values (%s, %s, %s, 10)", (world.c1, posting, refused))
            assert str(failure.error).startswith("account_not_postable")
        cur.execute("insert into widget_entries (community_id, posting_id, account_id, amount) values "
                    "(%s, %s, %s, 10), (%s, %s, %s, -10)", (world.c1, posting, bank, world.c1, posting, income))
        payout = one(cur, "insert into widget_payouts (community_id, from_account_id, amount) values (%s, %s, 5) "
                     "returning id", world.c1, bank)
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("insert into widget_payouts (community_id, from_account_id, amount) values (%s, %s, 5)",
                        (world.c1, income))
        assert str(failure.error).startswith("account_type_mismatch")
        # An update pointing elsewhere is checked too; one that keeps the reference is not.
        with expect_sqlstate(cur, "P0001"):
            cur.execute("update widget_payouts set from_account_id = %s where id = %s", (income, payout))
        cur.execute("update widget_payouts set amount = 6 where id = %s", (payout,))


def test_the_condition_is_read_whatever_the_writer_may_see(db: psycopg.Connection, world: World) -> None:
    bank = account(db, world.c1, "1100")
    # A writer who may not read accounts still writes a valid reference (the check is definer).
    db.execute("create policy hide_accounts on widget_accounts as restrictive for select to authenticated "
               "using (false)")
    with as_user(db, world["accountant"].claims()) as cur:
        assert one(cur, "select count(*) from widget_accounts") == 0
        cur.execute("insert into widget_payouts (community_id, from_account_id, amount) values (%s, %s, 5)",
                    (world.c1, bank))


# -- append-only with named exceptions ------------------------------------------------------------


def test_only_the_named_columns_of_an_append_only_row_change(db: psycopg.Connection, world: World) -> None:
    statement = one(db, "insert into widget_statements (community_id, closing_balance) values (%s, 500) "
                    "returning id", world.c1)
    with as_user(db, world["accountant"].claims()) as cur:
        cur.execute("update widget_statements set document_path = %s, sent_at = now() where id = %s",
                    (f"{world.c1}/statements/{statement}.pdf", statement))
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update widget_statements set closing_balance = 1 where id = %s", (statement,))
        assert str(failure.error).startswith("statement_immutable")
        # Soft delete stays possible; a hard delete is refused even for the platform.
        cur.execute("select public.soft_delete_record('widget_statements', %s)", (statement,))
    with expect_sqlstate(db, "P0001"):
        db.execute("delete from widget_statements where id = %s", (statement,))
    with expect_sqlstate(db, "P0001"):
        db.execute("update widget_statements set closing_balance = 1 where id = %s", (statement,))


# -- role-checked functions -----------------------------------------------------------------------


def test_a_role_checked_function_is_for_its_callers_and_the_platform(db: psycopg.Connection, world: World) -> None:
    bank = account(db, world.c1, "1100")
    income = account(db, world.c1, "4100", "income")
    with as_user(db, world["accountant"].claims()) as cur:
        posting = one(cur, "select public.post_widget_transfer(%s, %s, 25)", income, bank)
        assert one(cur, "select sum(amount) from widget_entries where posting_id = %s", posting) == 0
        cur.execute("set constraints all immediate")
    for role in ("R1", "guard", "board_member"):
        with as_user(db, world[role].claims()) as cur:
            with expect_sqlstate(cur, "42501") as failure:
                cur.execute("select public.post_widget_transfer(%s, %s, 25)", (income, bank))
            assert failure.error.diag.message_primary == ("not_authorized: only admin, accountant may call "
                                                          "post_widget_transfer")
    with as_service(db) as cur:
        cur.execute("select public.post_widget_transfer(%s, %s, 25)", (income, bank))
    # A set-returning one forwards its rows once the check passes.
    with as_user(db, world["admin"].claims()) as cur:
        codes = [row[0] for row in cur.execute("select * from public.widget_account_codes()").fetchall()]
        assert len(codes) >= 2 and codes == sorted(codes)
    with as_user(db, world["accountant"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select * from public.widget_account_codes()")


def test_a_foreign_or_missing_reference_is_left_to_the_foreign_key(db: psycopg.Connection, world: World) -> None:
    # the check reads only the writer's community, so another community's row (here an
    # income account, which fails the condition) gives the foreign key's 23503, telling nothing.
    c2_income = account(db, world.c2, "4100", "income")
    with as_user(db, world["accountant"].claims()) as cur:
        for reference in (c2_income, uuid.uuid4()):
            with expect_sqlstate(cur, "23503"):
                cur.execute("insert into widget_payouts (community_id, from_account_id, amount) values (%s, %s, 5)",
                            (world.c1, reference))
