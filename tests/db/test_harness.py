"""The test harness itself, checked against the real server it starts."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.support.pgcluster import FreshDb, MakeTemplate, PgCluster, PsqlError
from tests.support.session import (
    as_anon,
    as_service,
    as_user,
    as_user_committed,
    claims_for,
    expect_sqlstate,
)

USER_ID = uuid.UUID("11111111-1111-1111-1111-111111111111")
OTHER_ID = uuid.UUID("22222222-2222-2222-2222-222222222222")
COMMUNITY_ID = uuid.UUID("33333333-3333-3333-3333-333333333333")


@pytest.fixture
def db(fresh_db: FreshDb) -> psycopg.Connection:
    return fresh_db()


@pytest.fixture
def notes_db(db: psycopg.Connection) -> psycopg.Connection:
    """A committed table whose policy only lets users see and write their own rows."""
    db.execute(
        """
        create table public.notes (
          id bigint generated always as identity primary key,
          owner_id uuid not null default auth.uid(),
          body text not null
        );
        alter table public.notes enable row level security;
        create policy notes_own on public.notes for all to authenticated
          using (owner_id = (select auth.uid()))
          with check (owner_id = (select auth.uid()));
        """
    )
    db.execute(
        "insert into public.notes (owner_id, body) values (%s, 'mine'), (%s, 'theirs')",
        (USER_ID, OTHER_ID),
    )
    db.commit()
    return db


# -- cluster & bootstrap ---------------------------------------------------------------------------


def test_roles_have_supabase_attributes(db: psycopg.Connection) -> None:
    rows = db.execute(
        """
        select rolname, rolcanlogin, rolinherit, rolbypassrls, rolsuper
        from pg_roles
        where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')
        order by rolname
        """
    ).fetchall()
    assert rows == [
        ("anon", False, False, False, False),
        ("authenticated", False, False, False, False),
        ("authenticator", True, False, False, False),
        ("service_role", False, False, True, False),
    ]
    for role in ("anon", "authenticated", "service_role"):
        member = db.execute("select pg_has_role('authenticator', %s, 'MEMBER')", (role,)).fetchone()
        assert member == (True,), role


def test_server_settings(pg_cluster: PgCluster, db: psycopg.Connection) -> None:
    settings = dict(
        db.execute(
            "select name, setting from pg_settings where name in "
            "('fsync', 'synchronous_commit', 'full_page_writes', 'TimeZone', 'max_connections', "
            "'server_version_num', 'listen_addresses', 'port')"
        ).fetchall()
    )
    assert settings["server_version_num"].startswith("15")
    assert settings["fsync"] == "off"
    assert settings["synchronous_commit"] == "off"
    assert settings["full_page_writes"] == "off"
    assert settings["TimeZone"] == "UTC"
    assert settings["max_connections"] == "100"
    assert settings["listen_addresses"] == "127.0.0.1"
    assert settings["port"] == str(pg_cluster.port)
    # Same search_path as the postgres role on Supabase, so unqualified extension calls resolve.
    assert db.execute("show search_path").fetchone() == ('"$user", public, extensions',)


def test_tcp_listener_accepts_connections(pg_cluster: PgCluster, bootstrap_template: str) -> None:
    dsn = f"host=127.0.0.1 port={pg_cluster.port} user=postgres dbname=postgres"
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select current_user").fetchone() == ("postgres",)


def test_default_privileges_grant_new_public_tables_to_api_roles(db: psycopg.Connection) -> None:
    db.execute("create table public.created_by_postgres (id bigserial primary key, v text)")
    db.execute("create function public.f_by_postgres() returns int language sql as 'select 1'")
    for role in ("anon", "authenticated", "service_role"):
        table = db.execute(
            "select has_table_privilege(%s, 'public.created_by_postgres', 'select, insert, update, delete')",
            (role,),
        ).fetchone()
        seq = db.execute(
            "select has_sequence_privilege(%s, 'public.created_by_postgres_id_seq', 'usage')", (role,)
        ).fetchone()
        func = db.execute(
            "select has_function_privilege(%s, 'public.f_by_postgres()', 'execute')", (role,)
        ).fetchone()
        schema = db.execute("select has_schema_privilege(%s, 'public', 'usage')", (role,)).fetchone()
        assert (table, seq, func, schema) == ((True,), (True,), (True,), (True,)), role


def test_private_schemas_are_closed_to_api_roles(db: psycopg.Connection) -> None:
    for role in ("anon", "authenticated"):
        for schema in ("vault", "cron"):
            row = db.execute("select has_schema_privilege(%s, %s, 'usage')", (role, schema)).fetchone()
            assert row == (False,), (role, schema)
        row = db.execute("select has_table_privilege(%s, 'auth.users', 'select')", (role,)).fetchone()
        assert row == (False,), role
    with as_anon(db) as cur, expect_sqlstate(cur, "42501"):
        cur.execute("select * from vault.decrypted_secrets")


def test_extensions(db: psycopg.Connection) -> None:
    digest = db.execute("select encode(extensions.hmac('message', 'secret-key', 'sha256'), 'hex')").fetchone()
    expected = hmac.new(b"secret-key", b"message", hashlib.sha256).hexdigest()
    assert digest == (expected,)
    installed = {
        r[0]: r[1]
        for r in db.execute(
            "select e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace"
        )
    }
    assert installed["pgcrypto"] == "extensions"
    assert installed["btree_gist"] == "extensions"
    # scripts/setup-test-env installs pgTAP; without it the pgTAP test files could not run.
    assert installed.get("pgtap") == "extensions"
    # btree_gist is what exclusion constraints on (uuid/int, range) pairs need.
    db.execute(
        "create table public.booking (room int, during tstzrange, "
        "exclude using gist (room with =, during with &&))"
    )


def test_storage_schema(db: psycopg.Connection) -> None:
    rls = db.execute(
        "select relname, relrowsecurity from pg_class where oid in "
        "('storage.objects'::regclass, 'storage.buckets'::regclass) order by relname"
    ).fetchall()
    assert rls == [("buckets", True), ("objects", True)]
    row = db.execute(
        "select storage.foldername('c1/residents/r1/a.pdf'), storage.filename('c1/residents/r1/a.pdf'), "
        "storage.extension('c1/residents/r1/a.tar.gz')"
    ).fetchone()
    assert row == (["c1", "residents", "r1"], "a.pdf", "gz")
    assert db.execute("select storage.foldername('a.pdf')").fetchone() == ([],)
    db.execute("insert into storage.buckets (id, name) values ('docs', 'docs')")
    db.execute("insert into storage.objects (bucket_id, name) values ('docs', 'c1/a.pdf')")
    db.commit()
    # Granted but without policies: RLS hides everything from users and blocks their writes.
    with as_user(db, claims_for(USER_ID)) as cur:
        assert cur.execute("select count(*) from storage.objects").fetchone() == (0,)
        with expect_sqlstate(cur, "42501"):
            cur.execute("insert into storage.objects (bucket_id, name) values ('docs', 'c1/b.pdf')")
    with as_service(db) as cur:
        assert cur.execute("select count(*) from storage.objects").fetchone() == (1,)


def test_vault_and_cron_stubs(db: psycopg.Connection) -> None:
    secret_id = db.execute("select vault.create_secret('s3cret', 'api_key')").fetchone()
    assert secret_id is not None and isinstance(secret_id[0], uuid.UUID)
    row = db.execute("select name, decrypted_secret from vault.decrypted_secrets").fetchone()
    assert row == ("api_key", "s3cret")
    first = db.execute("select cron.schedule('nightly', '0 3 * * *', 'select 1')").fetchone()
    again = db.execute("select cron.schedule('nightly', '0 4 * * *', 'select 2')").fetchone()
    assert first == again
    assert db.execute("select schedule, command from cron.job").fetchall() == [("0 4 * * *", "select 2")]
    assert db.execute("select cron.unschedule('nightly')").fetchone() == (True,)
    assert db.execute("select count(*) from cron.job").fetchone() == (0,)


# -- sessions --------------------------------------------------------------------------------------


def test_as_user_publishes_claims_like_postgrest(db: psycopg.Connection) -> None:
    claims = claims_for(USER_ID, community_id=COMMUNITY_ID, role="resident", user_metadata={"n": 1})
    with as_user(db, claims) as cur:
        row = cur.execute(
            """
            select current_user, auth.uid(), auth.role(),
                   auth.jwt() -> 'app_metadata' ->> 'community_id',
                   auth.jwt() -> 'app_metadata' ->> 'role',
                   auth.jwt() -> 'user_metadata' ->> 'n'
            """
        ).fetchone()
        assert row == ("authenticated", USER_ID, "authenticated", str(COMMUNITY_ID), "resident", "1")
    # Everything was transaction-local: back to the superuser with no claims.
    after = db.execute("select current_user, auth.uid(), auth.jwt()").fetchone()
    assert after == ("postgres", None, None)
    db.rollback()


def test_as_anon_and_as_service_roles(db: psycopg.Connection) -> None:
    with as_anon(db) as cur:
        assert cur.execute("select current_user, auth.role(), auth.uid()").fetchone() == (
            "anon",
            "anon",
            None,
        )
    with as_service(db) as cur:
        row = cur.execute("select current_user, auth.role()").fetchone()
        assert row == ("service_role", "service_role")


def test_claims_for_shape() -> None:
    assert claims_for(USER_ID) == {
        "sub": str(USER_ID),
        "role": "authenticated",
        "aud": "authenticated",
        "app_metadata": {},
        "user_metadata": {},
    }
    full = claims_for(USER_ID, COMMUNITY_ID, "admin", {"name": "A"}, email="a@example.com")
    assert full["app_metadata"] == {"community_id": str(COMMUNITY_ID), "role": "admin"}
    assert full["user_metadata"] == {"name": "A"}
    assert full["email"] == "a@example.com"


def test_rls_filters_rows_per_user(notes_db: psycopg.Connection) -> None:
    with as_user(notes_db, claims_for(USER_ID)) as cur:
        assert cur.execute("select body from public.notes").fetchall() == [("mine",)]
    with as_user(notes_db, claims_for(OTHER_ID)) as cur:
        assert cur.execute("select body from public.notes").fetchall() == [("theirs",)]
    with as_anon(notes_db) as cur:
        # anon has table grants (default privileges) but no policy, so it sees nothing.
        assert cur.execute("select count(*) from public.notes").fetchone() == (0,)
    with as_service(notes_db) as cur:
        assert cur.execute("select count(*) from public.notes").fetchone() == (2,)


def test_as_user_rolls_back_and_as_user_committed_commits(notes_db: psycopg.Connection) -> None:
    with as_user(notes_db, claims_for(USER_ID)) as cur:
        cur.execute("insert into public.notes (body) values ('draft')")
    with as_user_committed(notes_db, claims_for(USER_ID)) as cur:
        cur.execute("insert into public.notes (body) values ('kept')")
    rows = notes_db.execute("select owner_id, body from public.notes order by id").fetchall()
    assert rows == [(USER_ID, "mine"), (OTHER_ID, "theirs"), (USER_ID, "kept")]
    notes_db.rollback()


def test_as_user_nests_in_an_open_transaction(notes_db: psycopg.Connection) -> None:
    # Seed data that is never committed stays visible to the user block and survives it.
    notes_db.execute("insert into public.notes (owner_id, body) values (%s, 'uncommitted')", (USER_ID,))
    with as_user(notes_db, claims_for(USER_ID)) as cur:
        rows = cur.execute("select body from public.notes order by id").fetchall()
        assert rows == [("mine",), ("uncommitted",)]
        cur.execute("delete from public.notes")
    assert notes_db.execute("select current_user, auth.uid()").fetchone() == ("postgres", None)
    assert notes_db.execute("select count(*) from public.notes").fetchone() == (3,)
    with pytest.raises(RuntimeError, match="as_user_committed"), as_user_committed(notes_db, {}):
        pass
    notes_db.rollback()
    assert notes_db.execute("select count(*) from public.notes").fetchone() == (2,)
    notes_db.rollback()


def test_expect_sqlstate_keeps_the_transaction_usable(notes_db: psycopg.Connection) -> None:
    with as_user(notes_db, claims_for(USER_ID)) as cur:
        with expect_sqlstate(cur, "42501") as match:
            cur.execute("insert into public.notes (owner_id, body) values (%s, 'forged')", (OTHER_ID,))
        assert match.error is not None
        assert "row-level security" in str(match.error)
        # Still the same request: same role, same claims, and the transaction accepts statements.
        assert cur.execute("select current_user, auth.uid()").fetchone() == ("authenticated", USER_ID)
        with expect_sqlstate(cur, "23502"):
            cur.execute("insert into public.notes (owner_id, body) values (%s, null)", (USER_ID,))
        cur.execute("insert into public.notes (body) values ('legit')")
        assert cur.execute("select count(*) from public.notes").fetchone() == (2,)


def test_expect_sqlstate_fails_on_wrong_or_missing_error(db: psycopg.Connection) -> None:
    with (
        pytest.raises(AssertionError, match=r"expected SQLSTATE 42501, got 22012"),
        expect_sqlstate(db, "42501"),
    ):
        db.execute("select 1 / 0")
    with pytest.raises(AssertionError, match="raised no database error"), expect_sqlstate(db, "42501"):
        db.execute("create table public.should_vanish (id int)")
    # The unexpectedly successful statement was undone and the transaction is healthy.
    assert db.execute("select to_regclass('public.should_vanish')").fetchone() == (None,)
    db.rollback()


# -- templates -------------------------------------------------------------------------------------


def test_template_copies_are_isolated(make_template: MakeTemplate, fresh_db: FreshDb, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    # Lexical order matters: 0002 depends on 0001, and 0010 must come after 0002.
    (migrations / "0010_seed.sql").write_text("insert into public.items (label) values ('seeded');\n")
    (migrations / "0001_items.sql").write_text(
        "create table public.items (id bigserial primary key, label text not null);\n"
    )
    (migrations / "0002_index.sql").write_text("create index items_label on public.items (label);\n")
    (migrations / "README.md").write_text("not a migration")
    name = make_template(f"harness_{uuid.uuid4().hex[:8]}", migrations)
    assert make_template(name, migrations) == name

    a = fresh_db(name)
    b = fresh_db(name)
    assert a.info.dbname != b.info.dbname
    a.execute("insert into public.items (label) values ('only in a')")
    a.commit()
    assert a.execute("select label from public.items order by id").fetchall() == [("seeded",), ("only in a",)]
    assert b.execute("select label from public.items order by id").fetchall() == [("seeded",)]
    # The bootstrap layer is inherited by every copy.
    assert b.execute("select to_regprocedure('auth.uid()') is not null").fetchone() == (True,)


def test_make_template_reports_psql_errors(
    make_template: MakeTemplate, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    (tmp_path / "0001_ok.sql").write_text("create table public.ok (id int);\n")
    (tmp_path / "0002_broken.sql").write_text("create table public.broken (id int references nowhere);\n")
    name = f"broken_{uuid.uuid4().hex[:8]}"
    with pytest.raises(PsqlError) as info:
        make_template(name, tmp_path)
    assert info.value.path.name == "0002_broken.sql"
    assert 'relation "nowhere" does not exist' in info.value.stderr
    # The half-built database is not left behind to be mistaken for a good template.
    with pg_cluster.connect(autocommit=True) as conn:
        assert conn.execute("select count(*) from pg_database where datname = %s", (name,)).fetchone() == (0,)


def test_make_template_refuses_an_empty_directory(make_template: MakeTemplate, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no \*\.sql migrations"):
        make_template(f"empty_{uuid.uuid4().hex[:8]}", tmp_path)
