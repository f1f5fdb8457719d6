"""The evolution corpus (tests/evolution/<case>/, see its README): per kind of change, the old
build applied and given rows, then the pending migration; the catalog must equal a fresh apply of
the new spec's baseline, the rows must survive, the new spec's pgTAP suite must pass, `upoe plan`
must show exactly the listed flags and access changes, and after releasing the change nothing
is pending."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.db.test_pgtap import pg_prove
from tests.support.catalog import catalog
from tests.support.evolution import CASES, CORPUS, evolve, migrations, with_files
from tests.support.pgcluster import PgCluster, PsqlError
from upoe_compiler.api import compile_project, plan_project, release_project

WORLD = CORPUS / "world.sql"
ANON_GRANTS = ("select table_name, privilege_type from information_schema.role_table_grants "
               "where grantee = 'anon' and table_schema in ('public', 'private') "
               "union all select routine_name, privilege_type from information_schema.role_routine_grants "
               "where grantee = 'anon' and routine_schema in ('public', 'private')")


def rows_of(cluster: PgCluster, database: str, query: str) -> list[tuple[Any, ...]]:
    with cluster.connect(database) as conn:
        return conn.execute(query).fetchall()


def test_every_case_is_complete() -> None:
    assert len(CASES) >= 10, f"the corpus under {CORPUS} lost its cases"
    for case in CASES:
        assert sorted(p.name for p in (case / "before").glob("*.yaml")), case
        assert (case / "after").is_dir(), case
        spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
        assert set(spec) <= {"description", "rows", "keep", "flags", "access"}, case
        assert spec.get("description") and spec.get("keep"), case


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_case_evolves_into_what_its_new_baseline_builds(
        case: Path, pg_cluster: PgCluster, bootstrap_template: str, tmp_path: Path) -> None:
    expected = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    evolved_case = evolve(case, tmp_path)
    spec, old_build, new_build, pending = (evolved_case.spec, evolved_case.old_build, evolved_case.new_build,
                                           evolved_case.pending)
    assert pending, "the change gives no migration"

    # (e) what the reviewer is told, exactly.
    plan = plan_project(spec)
    assert list(plan.flags) == sorted(expected.get("flags") or [])
    assert [str(change) for change in plan.access] == (expected.get("access") or [])

    fresh_build = tmp_path / "fresh"
    compile_project(with_files(tmp_path / "fresh_spec", case / "after"), fresh_build)
    evolved, fresh = f"evolved_{case.name}"[:60], f"fresh_{case.name}"[:60]
    pg_cluster.create_database(evolved, template=bootstrap_template)
    pg_cluster.create_database(fresh, template=bootstrap_template)
    try:
        for path in migrations(old_build):
            pg_cluster.psql_file(evolved, path)
        pg_cluster.psql_file(evolved, WORLD)
        if expected.get("rows"):
            with pg_cluster.connect(evolved) as conn:
                conn.execute(expected["rows"])
                conn.commit()
        kept = rows_of(pg_cluster, evolved, expected["keep"]["before"])
        assert kept, "the case keeps no rows: it would prove nothing"
        for path in pending:
            pg_cluster.psql_file(evolved, path)
        for path in migrations(fresh_build):
            pg_cluster.psql_file(fresh, path)
        # (a) the migrated catalog is the new baseline's; (b) the rows survive.
        assert catalog(pg_cluster, evolved) == catalog(pg_cluster, fresh)
        # Supabase's default privileges give `anon` every new table and function; none of ours keeps them.
        assert rows_of(pg_cluster, evolved, ANON_GRANTS) == []
        assert rows_of(pg_cluster, evolved, expected["keep"]["after"]) == kept
        # (d) the new spec's own tests pass on the migrated database.
        run = pg_prove(pg_cluster, evolved, sorted((new_build / "supabase" / "tests").glob("*.test.sql")))
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    finally:
        pg_cluster.drop_database(evolved)
        pg_cluster.drop_database(fresh)

    # (c) released, the change leaves nothing pending.
    release_project(spec, "change", datetime(2026, 12, 8, 12, 0, tzinfo=UTC))
    assert not plan_project(spec).migrations


@pytest.mark.parametrize(("case", "rows", "message"), [
    ("remove_enum_value", "insert into parcels (community_id, carrier, status) values ({c1}, 'x', 'lost')",
     "upoe migration: rows of parcels hold lost in status, which the enum loses"),
    ("exclude", "insert into bookings (community_id, room, period) values ({c1}, 'hall', "
                "tstzrange('2027-01-01 01:30', '2027-01-01 02:30'))",
     "upoe migration: rows of bookings conflict under the new exclusion bookings_room_period_excl"),
    ("add_unique", "insert into parcels (community_id, carrier, shelf) values ({c1}, 'x', 'A1')",
     "upoe migration: rows of parcels share (community_id, shelf), which the new unique key forbids"),
    ("check_changed", "insert into parcels (community_id, carrier, weight_grams) values ({c1}, 'x', 60000)",
     "upoe migration: rows of parcels break the check parcels_plausible_weight_check"),
    ("add_foreign_key", "insert into parcels (community_id, carrier, locker_id) "
                        "values ({c1}, 'x', '00000000-0000-4000-8000-00000000e0ff')",
     "upoe migration: rows of parcels point at no row of lockers (community_id, locker_id), which the new key "
     "parcels_locker_id_fkey forbids"),
])
def test_a_precheck_names_the_rows_in_the_way_and_nothing_changes(
        case: str, rows: str, message: str, pg_cluster: PgCluster, bootstrap_template: str, tmp_path: Path) -> None:
    evolved_case = evolve(CORPUS / case, tmp_path)
    expected = yaml.safe_load((CORPUS / case / "case.yaml").read_text(encoding="utf-8"))
    database = f"stopped_{case}"[:60]
    pg_cluster.create_database(database, template=bootstrap_template)
    try:
        for path in migrations(evolved_case.old_build):
            pg_cluster.psql_file(database, path)
        pg_cluster.psql_file(database, WORLD)
        with pg_cluster.connect(database) as conn:
            conn.execute(expected["rows"])
            conn.execute(rows.format(c1="'00000000-0000-4000-8000-0000000000c1'"))
            conn.commit()
        before = catalog(pg_cluster, database)
        with pytest.raises(PsqlError) as error:
            pg_cluster.psql_file(database, evolved_case.pending[0])
        assert message in error.value.stderr
        assert catalog(pg_cluster, database) == before
    finally:
        pg_cluster.drop_database(database)
