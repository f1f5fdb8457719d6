"""Supabase's database linter (splinter) on the compiled schema, as catalog queries of our own.

FOUND-03: lints 0003 (auth_rls_initplan), 0013 (rls_disabled_in_public) and 0015
(rls_references_user_metadata) return no rows; X-10 adds 0028 / 0029 (a SECURITY DEFINER
function executable by anon / authenticated in an exposed schema). Each query below mirrors the
`where` logic of the lint it names in github.com/supabase/splinter (lints/<id>_<name>.sql, as of
2025: the version that scopes 0013, 0028 and 0029 to PostgREST's `pgrst.db_schemas`), returning
only the columns that identify an offender.

Each query returns no row on the bundled build (and on the widgets build, which exercises every
construct), and each is shown to catch a deliberately planted offender, so a green run cannot
come from a query that never matches.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support.pgcluster import FreshDb

# Supabase exposes these schemas through the API by default (PostgREST's db-schemas); splinter
# reads them from the `pgrst.db_schemas` setting, which the test sets to this value.
EXPOSED_SCHEMAS = "public, graphql_public"

# The schemas splinter leaves out of every lint (Supabase's own and extensions').
SYSTEM_SCHEMAS = (
    "'_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config', '_timescaledb_internal', "
    "'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net', 'pgmq', "
    "'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle', 'pgbouncer', 'pg_catalog', 'realtime', 'repack', "
    "'storage', 'supabase_functions', 'supabase_migrations', 'tiger', 'topology', 'vault'"
)
# 0003 keeps realtime in scope (to lint policies on realtime.messages).
SYSTEM_SCHEMAS_0003 = SYSTEM_SCHEMAS.replace(" 'realtime',", "")

EXPOSED = ("n.nspname = any (array(select btrim(s) from "
           "unnest(string_to_array(current_setting('pgrst.db_schemas', true), ',')) as s))")

# The policies of tables, with their expressions as pg_policies deparses them. Like splinter, this
# relies on `auth` not being in the search_path (the queries run with search_path ''), so calls
# deparse as `auth.uid()` and helper calls as `public.…`.
POLICIES = """
    select n.nspname as schema_name, c.relname as table_name, p.policyname as policy_name,
           c.relrowsecurity as is_rls_active, p.qual, p.with_check
    from pg_catalog.pg_policies p
    join pg_catalog.pg_namespace n on n.nspname = p.schemaname
    join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
"""

LINTS: dict[str, str] = {
    # 0003_auth_rls_initplan: an auth.<function>() or current_setting() call in a policy that is
    # not wrapped in a select, so it is evaluated once per row instead of once per query (initPlan).
    "0003_auth_rls_initplan": f"""
        with policies as ({POLICIES}),
        calls (call) as (values ('auth.uid()'), ('auth.jwt()'), ('auth.role()'), ('auth.email()'),
                                ('current\\_setting(%)'))
        select distinct schema_name, table_name, policy_name
        from policies, calls
        where is_rls_active
          and schema_name not in ({SYSTEM_SCHEMAS_0003})
          and ((qual like '%' || call || '%' and lower(qual) not like '%select ' || call || '%')
               or (with_check like '%' || call || '%'
                   and lower(with_check) not like '%select ' || call || '%'))
    """,
    # 0013_rls_disabled_in_public: a table of an exposed schema that the API roles may read while
    # its row level security is off.
    "0013_rls_disabled_in_public": f"""
        select n.nspname, c.relname
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r'
          and not c.relrowsecurity
          and (pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
               or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))
          and {EXPOSED}
          and n.nspname not in ({SYSTEM_SCHEMAS})
    """,
    # 0015_rls_references_user_metadata: a policy reading the JWT's user_metadata, which every
    # user may edit about themselves.
    "0015_rls_references_user_metadata": f"""
        with policies as ({POLICIES})
        select schema_name, table_name, policy_name
        from policies
        where schema_name not in ({SYSTEM_SCHEMAS})
          and (qual like '%auth.jwt()%user_metadata%'
               or qual like '%current_setting(%request.jwt.claims%)%user_metadata%'
               or with_check like '%auth.jwt()%user_metadata%'
               or with_check like '%current_setting(%request.jwt.claims%)%user_metadata%')
    """,
}


def _definer_executable_by(role: str) -> str:
    # 0028_anon_security_definer_function_executable / 0029_authenticated_…: a SECURITY DEFINER
    # function of an exposed schema (an RPC endpoint) that the role may execute.
    return f"""
        select n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)
        from pg_catalog.pg_proc p
        join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef
          and pg_catalog.has_function_privilege('{role}', p.oid, 'EXECUTE')
          and {EXPOSED}
          and n.nspname not in ({SYSTEM_SCHEMAS})
    """


LINTS["0028_anon_security_definer_function_executable"] = _definer_executable_by("anon")
LINTS["0029_authenticated_security_definer_function_executable"] = _definer_executable_by("authenticated")


def run_lint(conn: psycopg.Connection, lint: str) -> set[tuple[str, ...]]:
    with conn.transaction():
        conn.execute("select set_config('search_path', '', true)")
        conn.execute("select set_config('pgrst.db_schemas', %s, true)", (EXPOSED_SCHEMAS,))
        rows = conn.execute(LINTS[lint]).fetchall()
    return {tuple(str(value) for value in row) for row in rows}


@pytest.mark.requirement("FOUND-03")
@pytest.mark.parametrize("lint", sorted(LINTS))
def test_the_bundled_build_passes_the_lint(fresh_db: FreshDb, bundled_template: str, lint: str) -> None:
    conn = fresh_db(bundled_template)
    assert run_lint(conn, lint) == set()


@pytest.mark.parametrize("lint", sorted(LINTS))
def test_the_widgets_build_passes_the_lint(fresh_db: FreshDb, widgets_template: str, lint: str) -> None:
    conn = fresh_db(widgets_template)
    assert run_lint(conn, lint) == set()


def test_the_build_has_what_the_lints_look_at(fresh_db: FreshDb, bundled_template: str) -> None:
    """The empty results above are not vacuous: there are policies calling auth and helpers,
    tables in public, and security-definer functions that authenticated may execute (in private)."""
    conn = fresh_db(bundled_template)
    assert conn.execute("select count(*) from pg_policies where schemaname = 'public' "
                        "and (qual like '%auth.uid()%' or with_check like '%auth.uid()%')").fetchone()[0] > 0
    assert conn.execute("select count(*) from pg_tables where schemaname = 'public'").fetchone()[0] > 10
    assert conn.execute("select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                        "where p.prosecdef and n.nspname = 'private' "
                        "and has_function_privilege('authenticated', p.oid, 'execute')").fetchone()[0] > 0


# -- each lint catches a planted offender -----------------------------------------------------------


@pytest.fixture
def planted(fresh_db: FreshDb, bundled_template: str) -> psycopg.Connection:
    """A private copy of the bundled build to plant offenders in."""
    return fresh_db(bundled_template)


def test_0003_catches_bare_auth_and_current_setting_calls(planted: psycopg.Connection) -> None:
    planted.execute("create policy bare_uid on public.units for select to authenticated "
                    "using (created_by = auth.uid())")
    planted.execute("create policy bare_jwt on public.units for update to authenticated "
                    "using (true) with check (community_id = (auth.jwt() -> 'app_metadata' ->> 'community_id')::uuid)")
    planted.execute("create policy bare_setting on public.residents for select to authenticated "
                    "using (user_id::text = current_setting('request.jwt.claim.sub', true))")
    planted.execute("create policy wrapped on public.residents for update to authenticated "
                    "using (user_id = (select auth.uid()))")
    planted.commit()
    assert run_lint(planted, "0003_auth_rls_initplan") == {
        ("public", "units", "bare_uid"), ("public", "units", "bare_jwt"), ("public", "residents", "bare_setting"),
    }


def test_0013_catches_a_public_table_without_rls(planted: psycopg.Connection) -> None:
    planted.execute("create table public.rogue (id int primary key)")
    # Not exposed through the API: out of the lint's scope.
    planted.execute("create table private.internal_rogue (id int primary key)")
    planted.execute("grant select on private.internal_rogue to authenticated")
    planted.commit()
    assert run_lint(planted, "0013_rls_disabled_in_public") == {("public", "rogue")}
    planted.execute("alter table public.rogue enable row level security")
    planted.commit()
    assert run_lint(planted, "0013_rls_disabled_in_public") == set()


def test_0015_catches_a_policy_reading_user_metadata(planted: psycopg.Connection) -> None:
    planted.execute("create policy metadata_role on public.units for select to authenticated "
                    "using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin')")
    planted.execute("create policy metadata_claims on public.residents for insert to authenticated "
                    "with check ((current_setting('request.jwt.claims', true)::jsonb "
                    "-> 'user_metadata' ->> 'community_id')::uuid = community_id)")
    planted.commit()
    assert run_lint(planted, "0015_rls_references_user_metadata") == {
        ("public", "units", "metadata_role"), ("public", "residents", "metadata_claims"),
    }


def test_0028_and_0029_catch_exposed_security_definer_functions(planted: psycopg.Connection) -> None:
    body = "returns integer language sql security definer set search_path = '' as 'select 1'"
    # Supabase's default privileges grant EXECUTE on new public functions to anon and authenticated.
    planted.execute(f"create function public.open_to_all() {body}")
    planted.execute(f"create function public.signed_in_only(p_id uuid) {body}")
    planted.execute("revoke execute on function public.signed_in_only(uuid) from public, anon")
    # In the unexposed private schema, as the compiler puts definer bodies: out of scope.
    planted.execute(f"create function private.hidden() {body}")
    planted.execute("grant execute on function private.hidden() to anon, authenticated")
    planted.commit()
    assert run_lint(planted, "0028_anon_security_definer_function_executable") == {
        ("public", "open_to_all", ""),
    }
    assert run_lint(planted, "0029_authenticated_security_definer_function_executable") == {
        ("public", "open_to_all", ""), ("public", "signed_in_only", "p_id uuid"),
    }
