"""Phase 4 — Financial Engine (REQUIREMENTS.md FIN-01..04, FIN-07, FIN-11) on a real
PostgreSQL, run as Supabase runs API requests: every acceptance bullet shown working and its
violation rejected with the contract's SQLSTATE and message, as the catalogue's fixture users
(C1's chart of accounts is seeded by the insert trigger on communities)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from tests.db.conftest import SPEC
from tests.support.isolation import assert_tenant_isolation
from tests.support.session import as_service, as_user, expect_sqlstate, one
from tests.support.world import World
from upoe_compiler.api import analyse
from upoe_compiler.ir import Table

SYSTEM_KEYS = ("accounts_receivable", "operating_bank", "reserve_fund", "resident_advances", "security_deposits",
               "ordinary_fee_income", "extraordinary_fee_income", "reserve_fund_income", "late_interest_income",
               "fines_income", "amenity_income", "parking_income", "other_income", "general_expense")


def system_account(conn: psycopg.Connection | psycopg.Cursor, key: str, community: uuid.UUID) -> uuid.UUID:
    return one(conn, "select public.get_system_account(%s, %s)", key, community)


def balance(cur: psycopg.Cursor, unit: uuid.UUID) -> Decimal | None:
    row = cur.execute("select balance from unit_balances where unit_id = %s", (unit,)).fetchone()
    return row[0] if row else None


def unbalanced_transactions(conn: psycopg.Connection | psycopg.Cursor) -> int:
    return one(conn, "select count(*) from (select transaction_id from ledger_entries group by transaction_id "
                     "having sum(amount) <> 0) as t")


# -- FIN-01 fee structures and schedules ------------------------------------------------------------


def fee(cur: psycopg.Cursor, calculation: str, **amounts: object) -> uuid.UUID:
    income = system_account(cur, "ordinary_fee_income", one(cur, "select public.get_current_community_id()"))
    names = ["name", "calculation", "income_account_id", "effective_from", *amounts]
    values = ["Cuota", calculation, income, "2026-01-01", *amounts.values()]
    return one(cur, f"insert into fee_structures ({', '.join(names)}) values ({', '.join(['%s'] * len(values))}) "
                    "returning id", *values)


@pytest.mark.requirement("FIN-01")
def test_fee_amounts_follow_each_calculation(db: psycopg.Connection, world: World) -> None:
    unit = one(db, "insert into units (community_id, unit_number, unit_type, coefficient, room_count) "
                   "values (%s, 'F-1', 'departamento', 2.5, 3) returning id", world.c1)
    with as_user(db, world["accountant"].claims()) as cur:
        cases = [(fee(cur, "fixed", fixed_amount=1500), 1500),
                 (fee(cur, "coefficient", total_amount=100000), 2500),
                 (fee(cur, "by_rooms", per_room_amount=400), 1200),
                 (fee(cur, "hybrid", base_amount=500, total_amount=50000), 1750)]
        for structure, expected in cases:
            assert one(cur, "select public.calculate_fee_amount(%s, %s)", structure, unit) == expected
        with expect_sqlstate(cur, "23514"):
            fee(cur, "coefficient")
        with expect_sqlstate(cur, "23514"):
            fee(cur, "by_rooms")
        with as_user(db, world["board_member"].claims()) as board:
            assert one(board, "select public.calculate_fee_amount(%s, %s)", cases[0][0], unit) == 1500
        with as_user(db, world["R1"].claims()) as resident, expect_sqlstate(resident, "42501"):
            resident.execute("select public.calculate_fee_amount(%s, %s)", (cases[0][0], unit))


@pytest.mark.requirement("FIN-01")
def test_a_schedule_charges_each_applicable_unit_once_per_period(db: psycopg.Connection, world: World) -> None:
    db.execute("insert into units (community_id, unit_number, unit_type, coefficient) values (%s, 'B-1', 'bodega', 1)",
               (world.c1,))
    with as_user(db, world["accountant"].claims()) as cur:
        structure = fee(cur, "fixed", fixed_amount=1500)
        cur.execute("update fee_structures set applies_to_unit_types = '{departamento}' where id = %s", (structure,))
        schedule = one(cur, "insert into fee_schedules (fee_structure_id, due_day) values (%s, 10) returning id",
                       structure)
        assert one(cur, "select public.generate_period_charges(%s, '2026-03-01')", schedule) == 2
        assert cur.execute("select t.unit_id, t.due_date, t.fee_kind::text from fee_schedule_runs r "
                           "join transactions t on t.id = r.transaction_id where r.schedule_id = %s "
                           "order by t.unit_id", (schedule,)).fetchall() == sorted(
            [(world.u1, date(2026, 3, 10), "ordinary"), (world.unit_ids["U2"], date(2026, 3, 10), "ordinary")])
        assert one(cur, "select public.generate_period_charges(%s, '2026-03-01')", schedule) == 0
        assert balance(cur, world.u1) == 1500
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into fee_schedule_runs (schedule_id, period_start, unit_id) "
                        "values (%s, '2026-04-01', %s)", (schedule, world.u1))


# -- FIN-02 chart of accounts ------------------------------------------------------------------------


@pytest.mark.requirement("FIN-02")
def test_a_seeded_community_has_each_system_account_once(db: psycopg.Connection, world: World) -> None:
    for key in SYSTEM_KEYS:
        assert one(db, "select count(*) from accounts where community_id = %s and system_key = %s",
                   world.c1, key) == 1, key
        assert system_account(db, key, world.c1) is not None
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, "select public.seed_chart_of_accounts(%s)", world.c1) == 0
        # The admin seeds only the current community.
        with expect_sqlstate(cur, "42501"):
            cur.execute("select public.seed_chart_of_accounts(%s)", (world.c2,))
    with as_user(db, world["accountant"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select public.seed_chart_of_accounts(%s)", (world.c1,))


@pytest.mark.requirement("FIN-02")
def test_only_the_seed_gives_accounts_their_system_keys(db: psycopg.Connection, world: World) -> None:
    # A system key says where the recording functions post: moving it would redirect receivables.
    income = system_account(db, "other_income", world.c1)
    with as_user(db, world["accountant"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("update accounts set system_key = 'accounts_receivable' where id = %s", (income,))
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into accounts (code, name, account_type, system_key) "
                        "values ('1299', 'Otra', 'asset', 'spare_receivable')")
        cur.execute("update accounts set name = 'Otros ingresos varios' where id = %s", (income,))


@pytest.mark.requirement("FIN-02")
def test_account_codes_are_unique_and_residents_read_no_accounts(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["accountant"].claims()) as cur:
        cur.execute("insert into accounts (code, name, account_type) values ('5100', 'Vigilancia', 'expense')")
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into accounts (code, name, account_type) values ('5100', 'Otra', 'expense')")
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "select count(*) from accounts") == 0


# -- FIN-03 ledger entries ---------------------------------------------------------------------------


def service_posting(cur: psycopg.Cursor, community: uuid.UUID, *entries: tuple[uuid.UUID, int]) -> uuid.UUID:
    transaction = one(cur, "insert into transactions (community_id, transaction_type) values (%s, 'transfer') "
                           "returning id", community)
    for account, amount in entries:
        cur.execute("insert into ledger_entries (community_id, transaction_id, account_id, amount) "
                    "values (%s, %s, %s, %s)", (community, transaction, account, amount))
    return transaction


@pytest.mark.requirement("FIN-03")
def test_a_transaction_balances_at_commit(db: psycopg.Connection, world: World) -> None:
    bank = system_account(db, "operating_bank", world.c1)
    income = system_account(db, "other_income", world.c1)
    with as_service(db) as cur:
        service_posting(cur, world.c1, (bank, 100), (income, -90))
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("set constraints all immediate")
        assert str(failure.error).startswith("unbalanced_transaction")
    with as_service(db) as cur:
        before = one(cur, "select coalesce(sum(debit_total), 0) from account_balances where account_id = %s", bank)
        service_posting(cur, world.c1, (bank, 100), (income, -100))
        cur.execute("set constraints all immediate")
        assert one(cur, "select debit_total from account_balances where account_id = %s", bank) == before + 100


@pytest.mark.requirement("FIN-03")
def test_entries_post_only_to_postable_accounts_and_never_change(db: psycopg.Connection, world: World) -> None:
    parent = one(db, "select id from accounts where community_id = %s and code = '1000'", world.c1)
    bank = system_account(db, "operating_bank", world.c1)
    income = system_account(db, "other_income", world.c1)
    with as_service(db) as cur:
        with expect_sqlstate(cur, "P0001") as failure:
            service_posting(cur, world.c1, (parent, 100), (income, -100))
        assert str(failure.error).startswith("account_not_postable")
        transaction = service_posting(cur, world.c1, (bank, 100), (income, -100))
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update ledger_entries set amount = 1 where transaction_id = %s", (transaction,))
        assert str(failure.error).startswith("immutable_table")


# -- FIN-04 transactions -----------------------------------------------------------------------------


@pytest.mark.requirement("FIN-04")
def test_charges_payments_advances_and_reversals(db: psycopg.Connection, world: World) -> None:
    income = system_account(db, "ordinary_fee_income", world.c1)
    with as_user(db, world["accountant"].claims()) as cur:
        charge = one(cur, "select public.record_charge(%s, 1500, current_date, 'Cuota', %s)", world.u1, income)
        payment = one(cur, "select public.record_payment(%s, 1000, 'spei', null, 'A-101', now())", world.u1)
        assert balance(cur, world.u1) == 500
        assert cur.execute("select charge_transaction_id, amount from payment_allocations "
                           "where payment_transaction_id = %s", (payment,)).fetchall() == [(charge, 1000)]
        assert unbalanced_transactions(cur) == 0
        second = one(cur, "select public.record_payment(%s, 800, 'cash', null, null, now())", world.u1)
        assert one(cur, "select sum(amount) from payment_allocations where payment_transaction_id = %s", second) == 500
        advances = system_account(cur, "resident_advances", world.c1)
        assert one(cur, "select amount from ledger_entries where transaction_id = %s and account_id = %s",
                   second, advances) == -300
        assert balance(cur, world.u1) == -300
        reversal = one(cur, "select public.reverse_transaction(%s, 'bounced')", payment)
        assert one(cur, "select transaction_type::text from transactions where id = %s", reversal) == "reversal"
        assert cur.execute(
            "select account_id, amount from ledger_entries where transaction_id = %s order by account_id, amount",
            (reversal,)).fetchall() == cur.execute(
            "select account_id, -amount from ledger_entries where transaction_id = %s order by account_id, -amount",
            (payment,)).fetchall()
        assert balance(cur, world.u1) == 700
        assert one(cur, "select count(*) from payment_allocations where payment_transaction_id = %s "
                        "and deleted_at is null", payment) == 0
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("select public.reverse_transaction(%s, 'again')", (payment,))
        assert str(failure.error).startswith("already_reversed")
        cur.execute("set constraints all immediate")
        assert unbalanced_transactions(cur) == 0


@pytest.mark.requirement("FIN-04")
def test_a_deposit_is_settled_once(db: psycopg.Connection, world: World) -> None:
    fines = system_account(db, "fines_income", world.c1)
    with as_user(db, world["admin"].claims()) as cur:
        deposit = one(cur, "select public.record_deposit(%s, 5000, 'spei', 'Depósito de mudanza')", world.u1)
        refund = one(cur, "select public.settle_deposit(%s, 1200, 'Daño en elevador', %s)", deposit, fines)
        entries = dict(cur.execute("select account_id, amount from ledger_entries where transaction_id = %s",
                                   (refund,)).fetchall())
        assert entries == {system_account(cur, "security_deposits", world.c1): 5000, fines: -1200,
                           system_account(cur, "operating_bank", world.c1): -3800}
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("select public.settle_deposit(%s, 0, 'again', %s)", (deposit, fines))
        assert str(failure.error).startswith("already_settled")
        cur.execute("set constraints all immediate")


@pytest.mark.requirement("FIN-04")
def test_residents_see_only_their_units_books_and_cannot_record(db: psycopg.Connection, world: World) -> None:
    income = system_account(db, "ordinary_fee_income", world.c1)
    with as_service(db) as cur:
        cur.execute("select public.record_charge(%s, 1500, current_date, 'Cuota', %s)", (world.u1, income))
        with as_user(db, world["R2"].claims()) as resident:
            assert resident.execute("select count(*) from unit_balances where unit_id = %s",
                                    (world.u1,)).fetchone() == (0,)
            assert one(resident, "select count(*) from transactions where unit_id = %s", world.u1) == 0
        with as_user(db, world["R1"].claims()) as resident:
            assert balance(resident, world.u1) == 1500
            with expect_sqlstate(resident, "42501"):
                resident.execute("select public.record_payment(%s, 100, 'spei', null, null, now())", (world.u1,))
            with expect_sqlstate(resident, "42501"):
                resident.execute("insert into transactions (transaction_type) values ('charge')")


@pytest.mark.requirement("FIN-04")
def test_staff_record_only_for_units_of_their_community(db: psycopg.Connection, world: World) -> None:
    u3 = world.unit_ids["U3"]
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select public.record_payment(%s, 100, 'spei', null, null, now())", (u3,))


# -- FIN-05 interest and penalties ------------------------------------------------------------------


@pytest.mark.requirement("FIN-05")
def test_late_interest_is_simple_and_posted_once_per_period(db: psycopg.Connection, world: World) -> None:
    income = system_account(db, "ordinary_fee_income", world.c1)
    with as_user(db, world["accountant"].claims()) as cur:
        cur.execute("insert into interest_rules (rule_type, rate, grace_days, effective_from) "
                    "values ('simple_annual', 9, 5, '2025-01-01')")
        charge = one(cur, "select public.record_charge(%s, 1000, '2026-01-10', 'Cuota', %s, 'charge', 'ordinary', "
                          "'2026-01-01')", world.unit_ids["U2"], income)
        assert one(cur, "select public.calculate_late_interest(%s, '2026-03-29')", charge) == Decimal("18.00")
        assert one(cur, "select public.apply_late_interest(%s, '2026-03-29')", world.c1) >= 1
        assert one(cur, "select public.apply_late_interest(%s, '2026-03-29')", world.c1) == 0
        interest = cur.execute("select a.transaction_id from interest_applications a "
                               "where a.charge_transaction_id = %s", (charge,)).fetchall()
        assert len(interest) == 1
        assert one(cur, "select amount from ledger_entries where transaction_id = %s and account_id = %s",
                   interest[0][0], system_account(cur, "late_interest_income", world.c1)) == Decimal("-18.00")
        with as_user(db, world["R2"].claims()) as resident, expect_sqlstate(resident, "42501"):
            resident.execute("select public.apply_late_interest(%s, '2026-03-29')", (world.c1,))
        # A flat penalty is posted once per charge, whatever the period.
        cur.execute("insert into interest_rules (rule_type, flat_amount, grace_days, effective_from) "
                    "values ('flat_penalty', 200, 10, '2025-01-01')")
        assert one(cur, "select public.apply_late_interest(%s, '2026-04-15')", world.c1) >= 2
        assert one(cur, "select public.apply_late_interest(%s, '2026-05-15')", world.c1) >= 1
        penalties = cur.execute("select e.amount from interest_applications a join transactions t "
                                "on t.id = a.transaction_id and t.transaction_type = 'penalty' join ledger_entries e "
                                "on e.transaction_id = t.id and e.amount > 0 where a.charge_transaction_id = %s",
                                (charge,)).fetchall()
        assert penalties == [(200,)]


# -- FIN-06 delinquency ------------------------------------------------------------------------------


@pytest.mark.requirement("FIN-06")
def test_delinquency_opens_once_per_episode_and_resolves_after_payment(db: psycopg.Connection, world: World) -> None:
    income = system_account(db, "ordinary_fee_income", world.c1)
    u2 = world.unit_ids["U2"]
    with as_user(db, world["accountant"].claims()) as cur:
        cur.execute("insert into delinquency_rules (days_overdue, action) values (30, 'block_amenities')")
        cur.execute("select public.record_charge(%s, 1000, public.community_today() - 31, 'Cuota', %s)", (u2, income))
        assert one(cur, "select public.evaluate_delinquency(%s, public.community_today())", world.c1) == 1
        assert one(cur, "select public.is_unit_delinquent(%s, 'block_amenities')", u2) is True
        assert one(cur, "select public.is_unit_delinquent(%s, 'block_access')", u2) is False
        assert one(cur, "select public.evaluate_delinquency(%s, public.community_today())", world.c1) == 0
        with as_user(db, world["R2"].claims()) as resident:
            assert one(resident, "select public.is_unit_delinquent(%s)", u2) is True
            assert one(resident, "select count(*) from delinquency_actions where unit_id = %s", u2) == 1
            with expect_sqlstate(resident, "42501"):
                resident.execute("select public.is_unit_delinquent(%s)", (world.u1,))
        with as_user(db, world["guard"].claims()) as guard:
            assert one(guard, "select public.is_unit_delinquent(%s)", u2) is True
        cur.execute("select public.record_payment(%s, 1000, 'spei', null, null, now())", (u2,))
        assert one(cur, "select public.evaluate_delinquency(%s, public.community_today())", world.c1) == 0
        assert one(cur, "select resolved_at is not null from delinquency_actions where unit_id = %s", u2) is True
        assert one(cur, "select public.is_unit_delinquent(%s, 'block_amenities')", u2) is False
        assert one(cur, "select public.is_unit_delinquent(%s)", u2) is False


# -- FIN-08 bank statements -------------------------------------------------------------------------


@pytest.mark.requirement("FIN-08")
def test_statement_lines_import_once_and_match_payments(db: psycopg.Connection, world: World) -> None:
    bank = system_account(db, "operating_bank", world.c1)
    u2 = world.unit_ids["U2"]
    with as_user(db, world["accountant"].claims()) as cur:
        account = one(cur, "insert into bank_accounts (bank_name, account_holder, clabe, account_id) "
                           "values ('Banamex', 'Condominio', '002010077777777771', %s) returning id", bank)
        lines = json.dumps([
            {"posted_on": "2026-03-10", "amount": 1500, "description": "DEPOSITO", "reference": "A-101"},
            {"posted_on": "2026-03-11", "amount": 2000, "description": "SPEI DEPTO 102 MANTENIMIENTO",
             "reference": "X9"}])
        cur.execute("select public.import_bank_statement(%s, %s)", (account, lines))
        again = one(cur, "select public.import_bank_statement(%s, %s)", account, lines)
        assert cur.execute("select line_count, duplicate_count from bank_statement_imports where id = %s",
                           (again,)).fetchone() == (0, 2)
        first = one(cur, "select id from bank_statement_imports where bank_account_id = %s and line_count = 2", account)
        auto = one(cur, "select public.record_payment(%s, 1500, 'spei', %s, 'A-101', "
                        "'2026-03-08 12:00 America/Mexico_City')", world.u1, account)
        pattern = one(cur, "select public.record_payment(%s, 2000, 'spei', null, null, "
                           "'2026-03-11 12:00 America/Mexico_City')", u2)
        rule = one(cur, "insert into reconciliation_rules (pattern, unit_id) values ('DEPTO\\s*102', %s) returning id",
                   u2)
        assert one(cur, "select public.auto_match_statement_lines(%s)", first) == 2
        matches = cur.execute("select m.transaction_id, m.match_type::text, m.rule_id from reconciliation_matches m "
                              "join bank_statement_lines l on l.id = m.statement_line_id where l.import_id = %s "
                              "order by m.match_type", (first,)).fetchall()
        assert matches == [(auto, "auto", None), (pattern, "pattern", rule)]
        assert cur.execute("select * from public.reconciliation_summary(%s)", (first,)).fetchone() == (2, 0, 0)
        line = one(cur, "select id from bank_statement_lines where import_id = %s and reference = 'A-101'", first)
        # A line is what the bank said: its status changes, its amount never.
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update bank_statement_lines set amount = 1 where id = %s", (line,))
        assert str(failure.error).startswith("immutable_table")
        excluded = one(cur, "select id from bank_statement_lines where import_id = %s and reference = 'X9'", first)
        cur.execute("update bank_statement_lines set reconciliation_status = 'excluded' where id = %s", (excluded,))
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into reconciliation_matches (statement_line_id, transaction_id) values (%s, %s)",
                        (line, pattern))
        # Staff match by hand; an automatic or rule match is the matcher's to record, not theirs to claim.
        later = one(cur, "select public.import_bank_statement(%s, %s)", account, json.dumps([
            {"posted_on": "2026-03-12", "amount": 700, "description": "DEPOSITO EFECTIVO", "reference": "Z1"}]))
        unmatched = one(cur, "select id from bank_statement_lines where import_id = %s", later)
        for forged in ("match_type) values (%s, %s, 'auto')", "rule_id) values (%s, %s, %s)"):
            with expect_sqlstate(cur, "42501"):
                cur.execute(f"insert into reconciliation_matches (statement_line_id, transaction_id, {forged}",
                            (unmatched, auto, rule)[:forged.count("%s")])
        assert one(cur, "insert into reconciliation_matches (statement_line_id, transaction_id) values (%s, %s) "
                        "returning match_type::text", unmatched, auto) == "manual"
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "select count(*) from bank_statement_lines") == 0



FINANCE_DOCUMENTS = "select name from storage.objects where bucket_id = 'finance-documents' order by name"
UPLOAD_FINANCE_DOCUMENT = "insert into storage.objects (bucket_id, name) values ('finance-documents', %s)"


@pytest.mark.requirement("FIN-08")
def test_statement_files_lie_in_finance_documents_under_their_bank_account(db: psycopg.Connection,
                                                                         world: World) -> None:
    bank = system_account(db, "operating_bank", world.c1)
    with as_user(db, world["accountant"].claims()) as cur:
        account = one(cur, "insert into bank_accounts (bank_name, account_holder, clabe, account_id) "
                           "values ('Banamex', 'Condominio', '002010077777777771', %s) returning id", bank)
        imported = one(cur, "select public.import_bank_statement(%s, %s)", account, json.dumps([
            {"posted_on": "2026-03-10", "amount": 1500, "description": "DEPOSITO", "reference": "A-101"}]))
        statement_file = f"{world.c1}/bank_accounts/{account}/march.csv"
        cur.execute(UPLOAD_FINANCE_DOCUMENT, (statement_file,))
        # A file is read through the row storing its path: none yet.
        assert cur.execute(FINANCE_DOCUMENTS).fetchall() == []
        cur.execute("update bank_statement_imports set file_path = %s where id = %s", (statement_file, imported))
        assert cur.execute(FINANCE_DOCUMENTS).fetchall() == [(statement_file,)]
        # The import's lines and counts stay import_bank_statement's.
        with expect_sqlstate(cur, "42501"):
            cur.execute("update bank_statement_imports set line_count = 9 where id = %s", (imported,))
        # A unit statement in the same bucket keeps its folder under the unit.
        statement = one(cur, "select public.generate_unit_statement(%s, '2026-01-01', '2026-01-31')", world.u1)
        document = f"{world.c1}/units/{world.u1}/statement.pdf"
        cur.execute(UPLOAD_FINANCE_DOCUMENT, (document,))
        cur.execute("update unit_statements set document_path = %s where id = %s", (document, statement))
        # An import storing a path in a unit's folder opens nothing: the folder says whose rows count.
        astray = f"{world.c1}/units/{world.u1}/astray.csv"
        cur.execute(UPLOAD_FINANCE_DOCUMENT, (astray,))
        again = one(cur, "select public.import_bank_statement(%s, '[]')", account)
        cur.execute("update bank_statement_imports set file_path = %s where id = %s", (astray, again))
        assert cur.execute(FINANCE_DOCUMENTS).fetchall() == [(statement_file,), (document,)]
        with expect_sqlstate(cur, "42501"):
            cur.execute(UPLOAD_FINANCE_DOCUMENT, (f"{world.c1}/bank_accounts/{uuid.uuid4()}/forged.csv",))
        # Each block runs inside the accountant's request, whose rows it sees; all is rolled back.
        with as_user(db, world["board_member"].claims()) as other:
            assert other.execute(FINANCE_DOCUMENTS).fetchall() == [(statement_file,), (document,)]
            with expect_sqlstate(other, "42501"):
                other.execute(UPLOAD_FINANCE_DOCUMENT, (f"{world.c1}/bank_accounts/{account}/board.csv",))
        with as_user(db, world["R1"].claims()) as other:
            # R1 owns U1: its statement, never the bank's.
            assert other.execute(FINANCE_DOCUMENTS).fetchall() == [(document,)]
            for path in (f"{world.c1}/bank_accounts/{account}/mine.csv", f"{world.c1}/units/{world.u1}/mine.pdf"):
                with expect_sqlstate(other, "42501"):
                    other.execute(UPLOAD_FINANCE_DOCUMENT, (path,))
        with as_user(db, world["A2"].claims()) as other:
            assert other.execute(FINANCE_DOCUMENTS).fetchall() == []
            for path in (f"{world.c1}/bank_accounts/{account}/a2.csv", f"{world.c2}/bank_accounts/{account}/a2.csv"):
                with expect_sqlstate(other, "42501"):
                    other.execute(UPLOAD_FINANCE_DOCUMENT, (path,))


# -- FIN-09 payment proofs --------------------------------------------------------------------------


def proof(cur: psycopg.Cursor, world: World, amount: int = 2000) -> uuid.UUID:
    return one(cur, "insert into payment_proofs (unit_id, amount, paid_at, bank_reference) "
                    "values (%s, %s, now(), 'SPEI-1') returning id", world.u1, amount)


@pytest.mark.requirement("FIN-09")
def test_approving_a_proof_records_its_payment_once(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["R1"].claims()) as resident:
        submitted = proof(resident, world)
        assert one(resident, "select submitted_by from payment_proofs where id = %s", submitted) == world["R1"].id
        with expect_sqlstate(resident, "42501"):
            resident.execute("insert into payment_proofs (unit_id, amount, paid_at, submitted_by) "
                             "values (%s, 10, now(), %s)", (world.u1, world["R2"].id))
        with as_user(db, world["accountant"].claims()) as cur:
            before = balance(cur, world.u1) or 0
            payment = one(cur, "select public.approve_payment_proof(%s)", submitted)
            assert cur.execute("select status::text, payment_transaction_id, reviewed_by from payment_proofs "
                               "where id = %s", (submitted,)).fetchone() == ("approved", payment,
                                                                              world["accountant"].id)
            assert one(cur, "select sum(amount) from ledger_entries where transaction_id = %s and amount > 0",
                       payment) == 2000
            assert balance(cur, world.u1) == before - 2000
            with expect_sqlstate(cur, "P0001") as failure:
                cur.execute("select public.approve_payment_proof(%s)", (submitted,))
            assert str(failure.error).startswith("invalid_transition: approved -> approved")


@pytest.mark.requirement("FIN-09")
def test_proofs_are_rejected_with_a_reason_and_decided_only_by_staff(db: psycopg.Connection, world: World) -> None:
    submitted = one(db, "insert into payment_proofs (community_id, unit_id, amount, paid_at, submitted_by) "
                        "values (%s, %s, 2000, now(), %s) returning id", world.c1, world.u1, world["R1"].id)
    with as_user(db, world["accountant"].claims()) as cur:
        with expect_sqlstate(cur, "23514"):
            cur.execute("select public.reject_payment_proof(%s, null)", (submitted,))
        cur.execute("select public.reject_payment_proof(%s, 'illegible')", (submitted,))
        assert one(cur, "select status::text from payment_proofs where id = %s", submitted) == "rejected"
    with as_user(db, world["R1"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("select public.approve_payment_proof(%s)", (submitted,))
        # A resident cancels their own pending proof, and changes nothing else.
        assert cur.execute("update payment_proofs set status = 'cancelled' where id = %s", (submitted,)).rowcount == 1
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("update payment_proofs set status = 'approved' where id = %s", (submitted,))
    with as_user(db, world["R2"].claims()) as cur:
        assert one(cur, "select count(*) from payment_proofs where id = %s", submitted) == 0


# -- FIN-10 budgets and expenses --------------------------------------------------------------------


@pytest.mark.requirement("FIN-10")
def test_budgets_compare_with_recorded_expenses(db: psycopg.Connection, world: World) -> None:
    income = system_account(db, "other_income", world.c1)
    with as_user(db, world["admin"].claims()) as cur:
        guards = one(cur, "insert into accounts (code, name, account_type) values ('5200', 'Vigilancia', 'expense') "
                          "returning id")
        category = one(cur, "insert into expense_categories (name, account_id) values ('Vigilancia', %s) returning id",
                       guards)
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("insert into expense_categories (name, account_id) values ('Otra', %s)", (income,))
        assert str(failure.error).startswith("account_type_mismatch")
        budget = one(cur, "insert into budgets (fiscal_year, status) values (2026, 'approved') returning id")
        # Approving records who and when; the database writes both, so no one forges them, the admin included.
        assert cur.execute("select approved_by, approved_at is not null from budgets where id = %s",
                           (budget,)).fetchone() == (world["admin"].id, True)
        with expect_sqlstate(cur, "42501"):
            cur.execute("update budgets set approved_by = %s where id = %s", (world["R1"].id, budget))
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into budgets (fiscal_year, status) values (2026, 'approved')")
        cur.execute("insert into budget_lines (budget_id, account_id, amount) values (%s, %s, 12000)", (budget, guards))
        cur.execute("select public.record_expense(%s, 3000, null, 'Guardias de marzo', '2026-03-31')", (category,))
        assert cur.execute("select budgeted, actual, variance from budget_vs_actual where budget_id = %s and "
                           "account_id = %s", (budget, guards)).fetchone() == (12000, 3000, 9000)
        # The accountant drafts budgets but only the admin approves them; residents read approved ones.
        with as_user(db, world["accountant"].claims()) as accountant:
            draft = one(accountant, "insert into budgets (fiscal_year) values (2027) returning id")
            with expect_sqlstate(accountant, "42501"):
                accountant.execute("update budgets set status = 'approved' where id = %s", (draft,))
            with expect_sqlstate(accountant, "42501"):
                accountant.execute("insert into budgets (fiscal_year, status) values (2028, 'approved')")
        with as_user(db, world["R1"].claims()) as resident:
            assert [row[0] for row in resident.execute("select id from budgets")] == [budget]
            assert one(resident, "select count(*) from budget_vs_actual") == 0


# -- FIN-11 statements ------------------------------------------------------------------------------


@pytest.mark.requirement("FIN-11")
def test_statements_snapshot_a_period_and_keep_their_revisions(db: psycopg.Connection, world: World) -> None:
    income = system_account(db, "ordinary_fee_income", world.c1)
    with as_user(db, world["accountant"].claims()) as cur:
        cur.execute("select public.record_charge(%s, 1500, '2026-01-10', 'Cuota', %s, 'charge', 'ordinary', "
                    "'2026-01-05')", (world.unit_ids["U2"], income))
        cur.execute("select public.record_payment(%s, 1000, 'spei', null, null, "
                    "'2026-01-20 10:00 America/Mexico_City')", (world.unit_ids["U2"],))
        first = one(cur, "select public.generate_unit_statement(%s, '2026-01-01', '2026-01-31')", world.unit_ids["U2"])
        assert cur.execute("select opening_balance, charges_total, payments_total, closing_balance, revision "
                           "from unit_statements where id = %s", (first,)).fetchone() == (0, 1500, 1000, 500, 1)
        second = one(cur, "select public.generate_unit_statement(%s, '2026-01-01', '2026-01-31')", world.unit_ids["U2"])
        assert one(cur, "select revision from unit_statements where id = %s", second) == 2
        assert one(cur, "select count(*) from unit_statements where unit_id = %s", world.unit_ids["U2"]) == 2
        cur.execute("update unit_statements set document_path = %s, sent_at = now() where id = %s",
                    (f"{world.c1}/unit_statements/{first}/statement.pdf", first))
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute("update unit_statements set closing_balance = 0 where id = %s", (first,))
        assert str(failure.error).startswith("statement_immutable")
        with as_user(db, world["R1"].claims()) as resident:
            assert one(resident, "select count(*) from unit_statements where unit_id = %s", world.unit_ids["U2"]) == 0


# -- FIN-07 bank accounts ----------------------------------------------------------------------------


@pytest.mark.requirement("FIN-07")
def test_bank_accounts_validate_their_clabe_and_link_an_asset_account(db: psycopg.Connection, world: World) -> None:
    bank = system_account(db, "operating_bank", world.c1)
    income = system_account(db, "other_income", world.c1)
    insert = ("insert into bank_accounts (bank_name, account_holder, clabe, account_id, is_primary) "
              "values ('Banamex', 'Condominio', %s, %s, %s)")
    with as_user(db, world["accountant"].claims()) as cur:
        cur.execute(insert, ("002010077777777771", bank, True))
        with expect_sqlstate(cur, "23514"):
            cur.execute(insert, ("002010077777777772", bank, False))
        with expect_sqlstate(cur, "23505"):
            cur.execute(insert, ("032180000118359719", bank, True))
        with expect_sqlstate(cur, "P0001") as failure:
            cur.execute(insert, ("032180000118359719", income, False))
        assert str(failure.error).startswith("account_type_mismatch")


# -- isolation ---------------------------------------------------------------------------------------

FINANCE_TABLES = ("accounts", "bank_accounts", "fee_structures", "fee_schedules", "fee_schedule_runs", "transactions",
                  "ledger_entries", "payment_allocations", "interest_rules", "interest_applications",
                  "delinquency_rules", "delinquency_actions", "payment_proofs", "expense_categories", "budgets",
                  "budget_lines", "unit_statements", "bank_statement_imports", "bank_statement_lines",
                  "reconciliation_rules", "reconciliation_matches")


def c2_rows(db: psycopg.Connection, world: World) -> dict[str, dict[str, object]]:
    """A valid row of C2 for each finance table, its parents being C2's rows (made as the platform)."""
    c2, u3 = world.c2, world.unit_ids["U3"]

    def make(table: str, **values: object) -> uuid.UUID:
        names = ["community_id", *values]
        return one(db, f"insert into {table} ({', '.join(names)}) values ({', '.join(['%s'] * len(names))}) "
                       "returning id", c2, *values.values())

    bank, income = system_account(db, "operating_bank", c2), system_account(db, "ordinary_fee_income", c2)
    expense = system_account(db, "general_expense", c2)
    charge = make("transactions", transaction_type="charge", unit_id=u3, due_date="2026-01-10")
    bank_account = make("bank_accounts", bank_name="B", account_holder="H", clabe="002010077777777771",
                        account_id=bank)
    structure = make("fee_structures", name="F", calculation="fixed", fixed_amount=1, income_account_id=income,
                     effective_from="2026-01-01")
    schedule = make("fee_schedules", fee_structure_id=structure)
    rule = make("delinquency_rules", days_overdue=30, action="notify")
    budget = make("budgets", fiscal_year=2026)
    batch = make("bank_statement_imports", bank_account_id=bank_account)
    line = make("bank_statement_lines", import_id=batch, bank_account_id=bank_account, posted_on="2026-01-01",
                amount=1, line_hash="h")
    base = {"community_id": c2}
    return {
        "accounts": {**base, "code": "9999", "name": "C2", "account_type": "asset"},
        "bank_accounts": {**base, "bank_name": "B2", "account_holder": "H", "clabe": "032180000118359719",
                          "account_id": bank},
        "fee_structures": {**base, "name": "F2", "calculation": "fixed", "fixed_amount": 1,
                           "income_account_id": income, "effective_from": "2026-01-01"},
        "fee_schedules": {**base, "fee_structure_id": structure},
        "fee_schedule_runs": {**base, "schedule_id": schedule, "period_start": "2026-01-01", "unit_id": u3},
        "transactions": {**base, "transaction_type": "charge", "unit_id": u3},
        "ledger_entries": {**base, "transaction_id": charge, "account_id": bank, "unit_id": u3, "amount": 1},
        "payment_allocations": {**base, "payment_transaction_id": charge, "charge_transaction_id": charge,
                                "unit_id": u3, "amount": 1},
        "interest_rules": {**base, "rule_type": "simple_annual", "rate": 9, "effective_from": "2026-01-01"},
        "interest_applications": {**base, "charge_transaction_id": charge, "period_start": "2026-02-01"},
        "delinquency_rules": {**base, "days_overdue": 10, "action": "notify"},
        "delinquency_actions": {**base, "rule_id": rule, "unit_id": u3, "action": "notify"},
        "payment_proofs": {**base, "unit_id": u3, "amount": 1, "paid_at": "2026-01-01"},
        "expense_categories": {**base, "name": "E2", "account_id": expense},
        "budgets": {**base, "fiscal_year": 2027},
        "budget_lines": {**base, "budget_id": budget, "account_id": expense, "amount": 1},
        "unit_statements": {**base, "unit_id": u3, "period_start": "2026-01-01", "period_end": "2026-01-31",
                            "opening_balance": 0, "charges_total": 0, "payments_total": 0, "closing_balance": 0},
        "bank_statement_imports": {**base, "bank_account_id": bank_account},
        "bank_statement_lines": {**base, "import_id": batch, "bank_account_id": bank_account,
                                 "posted_on": "2026-01-02", "amount": 2, "line_hash": "h2"},
        "reconciliation_rules": {**base, "pattern": "X", "unit_id": u3},
        "reconciliation_matches": {**base, "statement_line_id": line, "transaction_id": charge},
    }


def test_every_finance_table_is_listed() -> None:
    model, _, _ = analyse(SPEC)
    assert {t.name for t in model.of_type(Table) if t.domain == "finance"} == set(FINANCE_TABLES)


@pytest.mark.parametrize("table", FINANCE_TABLES)
def test_finance_tables_are_isolated_between_communities(db: psycopg.Connection, world: World, table: str) -> None:
    # The accountant reads and writes every finance table of C1: nothing of C2 reaches it.
    assert_tenant_isolation(db, table, c2_rows(db, world)[table], world["accountant"])
