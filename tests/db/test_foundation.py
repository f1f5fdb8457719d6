"""Phase 1 success criteria on a real PostgreSQL, run as Supabase runs API requests.

Each requirement is shown working and its violation rejected (REQUIREMENTS.md, FOUND-01..07).
`widgets`, `widget_parts` and `widget_events` come from tests/db/widgets: tenant tables
compiled with the bundled spec that stand in for the tables of later phases.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.support.pgcluster import FreshDb
from tests.support.session import as_anon, as_service, as_user, as_user_committed, expect_sqlstate, one
from tests.support.world import World, seed_world


def add_widget(conn: psycopg.Connection, community: uuid.UUID, code: str) -> uuid.UUID:
    """A row inserted by the platform (as postgres), uncommitted."""
    return conn.execute(
        "insert into widgets (community_id, code) values (%s, %s) returning id", (community, code)
    ).fetchone()[0]


# -- criterion 1.1: organizations and communities with RLS (FOUND-01, FOUND-02) -------------


@pytest.mark.requirement("FOUND-01")
@pytest.mark.parametrize("user", ["admin", "guard", "R1", "accountant"])
def test_a_community_user_reads_only_the_organization_of_their_community(
    db: psycopg.Connection, world: World, user: str
) -> None:
    with as_user(db, world[user].claims()) as cur:
        assert cur.execute("select id from organizations").fetchall() == [(world.o1,)]


@pytest.mark.requirement("FOUND-01")
def test_only_the_super_admin_changes_organizations(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute("update organizations set name = 'x'").rowcount == 0
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into organizations (name) values ('mine')")
    with as_user(db, world["S"].claims()) as cur:
        assert cur.execute("update organizations set name = 'x' where id = %s", (world.o1,)).rowcount == 1
        cur.execute("insert into organizations (name) values ('O3')")
        assert one(cur, "select count(*) from organizations") == 3


@pytest.mark.requirement("FOUND-02")
def test_users_see_their_community_and_the_super_admin_sees_all(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute("select id from communities").fetchall() == [(world.c1,)]
        assert cur.execute("update communities set name = 'mine'").rowcount == 0
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into communities (organization_id, name, slug) values (%s, 'C9', 'c9')",
                        (world.o1,))
    with as_user(db, world["S"].claims()) as cur:
        assert one(cur, "select count(*) from communities") == 2


@pytest.mark.requirement("FOUND-02")
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("timezone", "Mars/Base"),
        ("branding", '{"primary_color": "#ZZZ"}'),
        ("branding", '{"font": "x"}'),
        ("slug", "Not A Slug"),
        ("currency", "mxn"),
    ],
)
def test_community_checks_reject_bad_values(db: psycopg.Connection, world: World, column: str,
                                           value: str) -> None:
    with as_user(db, world["S"].claims()) as cur, expect_sqlstate(cur, "23514"):
        cur.execute(f"update communities set {column} = %s where id = %s", (value, world.c1))


@pytest.mark.requirement("FOUND-02")
def test_community_accepts_good_values(db: psycopg.Connection, world: World) -> None:
    with as_user(db, world["S"].claims()) as cur:
        cur.execute(
            "update communities set timezone = 'America/Tijuana', "
            "branding = '{\"primary_color\": \"#12ab3C\", \"display_name\": \"Torre\"}' where id = %s",
            (world.c1,),
        )
        assert one(cur, "select timezone from communities where id = %s", world.c1) == "America/Tijuana"


@pytest.mark.requirement("FOUND-02")
def test_community_settings_are_read_by_dotted_path_per_community(db: psycopg.Connection, world: World) -> None:
    db.execute("update communities set settings = '{\"packages\": {\"retention_days\": 10}}' where id = %s",
               (world.c1,))
    with as_user(db, world["R1"].claims()) as cur:
        assert one(cur, "select get_community_setting('packages.retention_days', '15')") == 10
    with as_user(db, world["A2"].claims()) as cur:
        assert one(cur, "select get_community_setting('packages.retention_days', '15')") == 15
        # Another community's settings are out of reach (X-10; tests/db/test_community_setting.py).
        with expect_sqlstate(cur, "42501"):
            cur.execute("select get_community_setting('packages.retention_days', '15', %s)", (world.c1,))


@pytest.mark.requirement("FOUND-02")
def test_a_community_with_rows_cannot_be_deleted(db: psycopg.Connection, world: World) -> None:
    add_widget(db, world.c1, "W1")
    with as_service(db) as cur, expect_sqlstate(cur, "23503"):
        cur.execute("delete from communities where id = %s", (world.c1,))


# -- criterion 1.4: RLS by community_id from app_metadata (FOUND-03) -------------------------


@pytest.mark.requirement("FOUND-03")
def test_a_user_sees_only_rows_of_their_community(db: psycopg.Connection, world: World) -> None:
    mine = add_widget(db, world.c1, "W1")
    add_widget(db, world.c2, "W2")
    with as_user(db, world["R1"].claims()) as cur:
        assert cur.execute("select id from widgets").fetchall() == [(mine,)]


@pytest.mark.requirement("FOUND-03")
def test_a_user_cannot_write_into_another_community(db: psycopg.Connection, world: World) -> None:
    theirs = add_widget(db, world.c2, "W2")
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into widgets (community_id, code) values (%s, 'X')", (world.c2,))
        assert cur.execute("update widgets set label = 'x' where id = %s", (theirs,)).rowcount == 0
        # Moving one's own row into another community fails the update policy's check.
        mine = one(cur, "insert into widgets (code) values ('M') returning id")
        with expect_sqlstate(cur, "42501"):
            cur.execute("update widgets set community_id = %s where id = %s", (world.c2, mine))
    assert one(db, "select label from widgets where id = %s", theirs) is None


@pytest.mark.requirement("FOUND-03")
def test_an_insert_without_community_id_lands_in_the_callers_community(
    db: psycopg.Connection, world: World
) -> None:
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, "insert into widgets (code) values ('X') returning community_id") == world.c1


@pytest.mark.requirement("FOUND-03")
def test_community_id_in_user_metadata_grants_nothing(db: psycopg.Connection, world: World) -> None:
    add_widget(db, world.c1, "W1")
    user = world["R1"]
    claims = {"sub": str(user.id), "role": "authenticated", "app_metadata": {},
              "user_metadata": {"community_id": str(world.c1), "role": "admin"}}
    with as_user(db, claims) as cur:
        assert cur.execute("select * from widgets").fetchall() == []
        assert cur.execute("select * from communities").fetchall() == []
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into widgets (community_id, code) values (%s, 'X')", (world.c1,))


def test_anon_reaches_nothing(db: psycopg.Connection, world: World) -> None:
    add_widget(db, world.c1, "W1")
    for table in ("widgets", "communities", "organizations"):
        with as_anon(db) as cur, expect_sqlstate(cur, "42501"):
            cur.execute(f"select * from {table}")
    with as_anon(db) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select generate_uuid_v7()")


@pytest.mark.requirement("FOUND-03")
def test_no_public_table_lacks_rls_and_anon_holds_no_privilege(db: psycopg.Connection) -> None:
    rows = db.execute(
        """
        select c.relname, c.relrowsecurity,
               has_table_privilege('anon', c.oid, 'select,insert,update,delete,truncate,references,trigger'),
               has_table_privilege('authenticated', c.oid, 'delete,truncate'),
               (select count(*) from pg_policy p where p.polrelid = c.oid)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
        """
    ).fetchall()
    assert len(rows) >= 5
    for name, rls, anon_privilege, client_delete, policies in rows:
        assert rls, f"{name} has no row level security"
        assert not anon_privilege, f"anon holds a privilege on {name}"
        assert not client_delete, f"authenticated may hard-delete {name}"
        assert policies > 0, f"{name} has no policy"


@pytest.mark.requirement("FOUND-03")
def test_policies_call_auth_helpers_in_the_initplan_form(db: psycopg.Connection) -> None:
    texts = db.execute(
        "select coalesce(qual, '') || ' ' || coalesce(with_check, '') from pg_policies where schemaname = 'public'"
    ).fetchall()
    assert texts
    for (text,) in texts:
        bare = text.replace("( SELECT get_current_community_id()", "").replace("( SELECT is_super_admin()", "")
        assert "get_current_community_id()" not in bare and "auth.jwt()" not in bare, text


@pytest.mark.requirement("FOUND-03")
def test_enable_tenant_rls_secures_a_hand_made_table(db: psycopg.Connection, world: World) -> None:
    db.execute("create table public.gadgets (id uuid primary key default generate_uuid_v7(), "
               "community_id uuid not null default get_current_community_id() references communities (id), "
               "code text, created_at timestamptz, updated_at timestamptz, created_by uuid, "
               "deleted_at timestamptz)")
    db.execute("select enable_tenant_rls('public.gadgets'); select apply_standard_triggers('public.gadgets')")
    db.execute("insert into gadgets (community_id, code) values (%s, 'a'), (%s, 'b')", (world.c1, world.c2))
    with as_user(db, world["admin"].claims()) as cur:
        assert cur.execute("select code from gadgets").fetchall() == [("a",)]
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into gadgets (community_id) values (%s)", (world.c2,))
        with expect_sqlstate(cur, "42501"):
            cur.execute("delete from gadgets")
        assert one(cur, "insert into gadgets (code) values ('c') returning created_by") == world["admin"].id


def test_migration_helpers_are_executable_by_no_api_role(db: psycopg.Connection) -> None:
    for role in ("anon", "authenticated", "service_role"):
        for function in ("enable_tenant_rls(regclass)", "apply_standard_triggers(regclass, boolean)"):
            assert not one(db, "select has_function_privilege(%s, %s, 'execute')", role, function)


# -- criterion 1.5: audit columns filled by triggers (FOUND-04) ------------------------------


@pytest.mark.requirement("FOUND-04")
def test_audit_columns_are_filled_by_the_trigger_and_forged_values_are_overwritten(
    db: psycopg.Connection, world: World
) -> None:
    admin = world["admin"]
    with as_user(db, admin.claims()) as cur:
        created_by, same, old = cur.execute(
            "insert into widgets (code, created_by, created_at, updated_at) "
            "values ('A', %s, '2000-01-01', '2000-01-01') "
            "returning created_by, created_at = updated_at, created_at < '2001-01-01'",
            (world["S"].id,),
        ).fetchone()
    assert (created_by, same, old) == (admin.id, True, False)


@pytest.mark.requirement("FOUND-04")
def test_updates_move_updated_at_and_keep_the_creation_facts(fresh_db: FreshDb, widgets_template: str) -> None:
    conn = fresh_db(widgets_template)
    world = seed_world(conn)
    conn.commit()
    admin = world["admin"]
    with as_user_committed(conn, admin.claims()) as cur:
        widget = one(cur, "insert into widgets (code) values ('A') returning id")
    with as_user_committed(conn, admin.claims()) as cur:
        cur.execute("update widgets set label = 'x', created_by = %s, created_at = '2000-01-01' where id = %s",
                    (world["S"].id, widget))
    created_at, updated_at, created_by = conn.execute(
        "select created_at, updated_at, created_by from widgets where id = %s", (widget,)
    ).fetchone()
    assert updated_at > created_at
    assert created_at.year > 2000
    assert created_by == admin.id


@pytest.mark.requirement("FOUND-04")
def test_every_public_table_has_the_audit_columns_and_trigger(db: psycopg.Connection) -> None:
    missing = db.execute(
        """
        select c.relname, col.name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        cross join unnest(array['created_at', 'updated_at', 'deleted_at', 'created_by']) as col(name)
        where n.nspname = 'public' and c.relkind = 'r'
          and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = col.name)
        union all
        select c.relname, 'trigger'
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and not exists (select 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid
                          where t.tgrelid = c.oid and p.proname = 'set_audit_fields')
        """
    ).fetchall()
    assert missing == []


# -- criterion 1.2: UUID v7 keys from a database function (FOUND-05) -------------------------


@pytest.mark.requirement("FOUND-05")
def test_generated_ids_are_distinct_version_7_uuids(db: psycopg.Connection) -> None:
    ids = [row[0] for row in db.execute("select generate_uuid_v7() from generate_series(1, 1000)")]
    assert len(set(ids)) == 1000
    for value in ids:
        text = str(value)
        assert text[14] == "7" and text[19] in "89ab", text


@pytest.mark.requirement("FOUND-05")
def test_ids_are_time_ordered_and_carry_the_clock(db: psycopg.Connection) -> None:
    before = one(db, "select generate_uuid_v7()")
    db.execute("select pg_sleep(0.002)")
    after = one(db, "select generate_uuid_v7()")
    assert str(before) < str(after)
    drift_ms = one(
        db,
        "select abs(('x' || lpad(substr(replace(generate_uuid_v7()::text, '-', ''), 1, 12), 16, '0'))::bit(64)"
        "::bigint - (extract(epoch from clock_timestamp()) * 1000)::bigint)",
    )
    assert drift_ms < 1000


@pytest.mark.requirement("FOUND-05")
def test_every_table_takes_its_id_from_generate_uuid_v7_and_keeps_a_client_id(
    db: psycopg.Connection, world: World
) -> None:
    defaults = db.execute(
        """
        select c.relname, pg_get_expr(d.adbin, d.adrelid)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'id'
        left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
        where n.nspname = 'public' and c.relkind = 'r'
        """
    ).fetchall()
    assert defaults and all(expr == "generate_uuid_v7()" for _, expr in defaults), defaults
    offline = uuid.uuid4()
    with as_user(db, world["admin"].claims()) as cur:
        assert one(cur, "insert into widgets (id, code) values (%s, 'A') returning id", offline) == offline


# -- criterion 1.3: soft delete (FOUND-06) ---------------------------------------------------


@pytest.mark.requirement("FOUND-06")
def test_soft_deleted_rows_disappear_and_free_their_natural_key(db: psycopg.Connection, world: World) -> None:
    widget = add_widget(db, world.c1, "A")
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("select soft_delete_record('public.widgets', %s)", (widget,))
        assert cur.execute("select * from widgets where code = 'A'").fetchall() == []
        cur.execute("insert into widgets (code) values ('A')")
        assert one(cur, "select count(*) from widgets where code = 'A'") == 1
        with expect_sqlstate(cur, "23505"):
            cur.execute("insert into widgets (code) values ('A')")
    db.execute("select soft_delete_record('public.widgets', %s)", (widget,))
    with as_service(db) as cur:
        assert one(cur, "select deleted_at is not null from widgets where id = %s", widget)


@pytest.mark.requirement("FOUND-06")
def test_clients_cannot_hard_delete_or_truncate(db: psycopg.Connection, world: World) -> None:
    add_widget(db, world.c1, "A")
    with as_user(db, world["admin"].claims()) as cur:
        with expect_sqlstate(cur, "42501"):
            cur.execute("delete from widgets")
        with expect_sqlstate(cur, "42501"):
            cur.execute("truncate widgets cascade")
        # Setting deleted_at directly breaks the select policy: only the function may do it.
        with expect_sqlstate(cur, "42501"):
            cur.execute("update widgets set deleted_at = now() where code = 'A'")


@pytest.mark.requirement("FOUND-06")
def test_soft_delete_of_another_communitys_row_is_refused(db: psycopg.Connection, world: World) -> None:
    theirs = add_widget(db, world.c2, "B")
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select soft_delete_record('public.widgets', %s)", (theirs,))
    # Going around the public wrapper does not help either.
    with as_user(db, world["admin"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select private.soft_delete_record('public.widgets', %s)", (theirs,))
    assert one(db, "select deleted_at from widgets where id = %s", theirs) is None


@pytest.mark.requirement("FOUND-06")
def test_only_an_admin_restores(db: psycopg.Connection, world: World) -> None:
    widget = add_widget(db, world.c1, "A")
    db.execute("update widgets set deleted_at = now() where id = %s", (widget,))
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select restore_record('public.widgets', %s)", (widget,))
    with as_user(db, world["A2"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select restore_record('public.widgets', %s)", (widget,))
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("select restore_record('public.widgets', %s)", (widget,))
        assert one(cur, "select deleted_at from widgets where id = %s", widget) is None


# -- FOUND-07: shared types ------------------------------------------------------------------


@pytest.mark.requirement("FOUND-07")
@pytest.mark.parametrize(
    ("expression", "sqlstate"),
    [
        ("'+52 55 1234'::phone_e164", "23514"),
        ("'123'::rfc_code", "23514"),
        ("'urgentísimo'::priority_level", "22P02"),
        ("(-1)::money_amount", "23514"),
        ("101::percentage", "23514"),
        ("'#12345'::hex_color", "23514"),
        ("'ABCD'::curp_code", "23514"),
        ("'no-at-sign'::email_address", "23514"),
    ],
)
def test_shared_types_reject_bad_values(db: psycopg.Connection, expression: str, sqlstate: str) -> None:
    with expect_sqlstate(db, sqlstate):
        db.execute(f"select {expression}")


@pytest.mark.requirement("FOUND-07")
@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'+525512345678'::phone_e164::text", "+525512345678"),
        ("'XAXX010101000'::rfc_code::text", "XAXX010101000"),
        ("1.23456::money_amount::text", "1.2346"),
        ("'urgent'::priority_level::text", "urgent"),
        ("'GODE561231HDFRRN09'::curp_code::text", "GODE561231HDFRRN09"),
        ("(-5)::signed_money::text", "-5.0000"),
    ],
)
def test_shared_types_accept_good_values(db: psycopg.Connection, expression: str, expected: str) -> None:
    assert one(db, f"select {expression}") == expected


# -- tenant-safe references and append-only tables --------------------------------------------


def test_a_child_row_cannot_point_into_another_community(db: psycopg.Connection, world: World) -> None:
    theirs = add_widget(db, world.c2, "B")
    mine = add_widget(db, world.c1, "A")
    with as_user(db, world["admin"].claims()) as cur:
        cur.execute("insert into widget_parts (widget_id, name) values (%s, 'ok')", (mine,))
        with expect_sqlstate(cur, "23503"):
            cur.execute("insert into widget_parts (widget_id, name) values (%s, 'bad')", (theirs,))
    # Even the platform cannot: the composite key, not RLS, keeps the communities apart.
    with as_service(db) as cur, expect_sqlstate(cur, "23503"):
        cur.execute("insert into widget_parts (community_id, widget_id, name) values (%s, %s, 'bad')",
                    (world.c1, theirs))


def test_set_null_clears_only_the_reference(db: psycopg.Connection, world: World) -> None:
    main, spare = add_widget(db, world.c1, "A"), add_widget(db, world.c1, "S")
    part = one(db, "insert into widget_parts (community_id, widget_id, spare_widget_id, name) "
                   "values (%s, %s, %s, 'p') returning id", world.c1, main, spare)
    db.execute("delete from widgets where id = %s", (spare,))
    assert db.execute("select community_id, spare_widget_id from widget_parts where id = %s",
                      (part,)).fetchone() == (world.c1, None)


def test_append_only_rows_cannot_change_for_any_role(db: psycopg.Connection, world: World) -> None:
    widget = add_widget(db, world.c1, "A")
    with as_user(db, world["guard"].claims()) as cur:
        cur.execute("insert into widget_events (widget_id, happened) values (%s, 'seen')", (widget,))
        with expect_sqlstate(cur, "42501"):
            cur.execute("update widget_events set happened = 'x'")
    with as_user(db, world["R1"].claims()) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("insert into widget_events (widget_id, happened) values (%s, 'seen')", (widget,))
    db.execute("insert into widget_events (community_id, widget_id, happened) values (%s, %s, 'x')",
               (world.c1, widget))
    for statement in ("update widget_events set happened = 'y'", "delete from widget_events",
                      "truncate widget_events"):
        with as_service(db) as cur, expect_sqlstate(cur, "P0001") as failure:
            cur.execute(statement)
        assert str(failure.error).startswith("immutable_table")
