"""Spec evolution on a real database: the bundled spec released, then changed (a column added with
a check, one dropped with its acknowledgement and one renamed, a column made required, a default changed, an
enum value inserted, an index dropped, a widened policy, a function's new description, a whole new
domain). The old build is applied and
given rows, then the pending migration; the catalog must equal a fresh apply of the new spec's
baseline, the rows must survive, the new spec's pgTAP suite must pass, and after releasing the
change nothing is pending."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.db.test_pgtap import pg_prove
from tests.support.catalog import catalog
from tests.support.pgcluster import PgCluster, PsqlError
from tests.support.world import seed_world
from upoe_compiler.api import analyse, compile_project, release_project

SPEC = Path(__file__).resolve().parents[2] / "spec"
NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)

PARKING = """\
domain: parking
title: Parking
phase: 60
description: Parking spaces, added after the first release.
requirements:
  TEST-90: Parking spaces
tables:
  parking_spaces:
    description: A parking space of the community, optionally assigned to a unit.
    requirements: [TEST-90]
    tenancy: community
    columns:
      code: {type: text, required: true, unique: true, description: The space's code.}
      unit_id: {type: uuid, references: units, description: The unit it belongs to.}
    access:
      select:
        - [admin, manager, guard]
        - {roles: [resident], own: unit_id}
      insert: [admin, manager]
      update: [admin, manager]
"""

BLACKLIST_INDEX = ('    indexes:\n      - {columns: [community_id, plate_normalized], '
                   'where: "plate_normalized is not null and deleted_at is null"}\n')


def change(spec: Path) -> None:
    access = spec / "access.yaml"
    text = access.read_text()
    text = text.replace("      notes: {type: text, description: Free notes.}\n      logged_at:",
                        "      lane: {type: text, check: \"lane <> ''\", description: The lane of the gate.}\n"
                        "      logged_at:", 1)
    text = text.replace("values: [qr_code, nfc_tag, lpr, pin, manual, remote, facial]",
                        "values: [qr_code, nfc_tag, lpr, pin, face_id, manual, remote, facial]", 1)
    text = text.replace("      location_description: {type: text, description: Where it is.}",
                        "      location_description: {type: text, required: true, description: Where it is.}", 1)
    text = text.replace("person_type: {type: access_person_type, required: true, default: unknown,",
                        "person_type: {type: access_person_type, required: true, default: visitor,", 1)
    text = text.replace(BLACKLIST_INDEX, "", 1)
    text = text.replace('      provider_personnel_id: {type: uuid, description: "',
                        '      provider_staff_id: {type: uuid, renamed_from: provider_personnel_id, description: "', 1)
    text += "acknowledge:\n  - {drop: column access_logs.notes, reason: notes move to the tickets of Phase 5}\n"
    # Blacklist entries: the board reads them; nobody updates them any more (a grant revoked).
    text = text.replace("      select: [admin, manager, guard]\n      insert: [admin, manager]\n"
                        "      update: [admin, manager]\n\n  guards:",
                        "      select: [admin, manager, guard, board_member]\n      insert: [admin, manager]\n"
                        "      update: []\n\n  guards:", 1)
    text = text.replace("      The caller's active guards row in their current community (linked by user_id), or null;",
                        "      The caller's active guards row in their current community (by user_id), or null;", 1)
    access.write_text(text)
    (spec / "parking.yaml").write_text(PARKING)


def apply(cluster: PgCluster, database: str, files: list[Path]) -> None:
    for path in files:
        cluster.psql_file(database, path)


def test_a_released_spec_evolves_into_what_its_new_baseline_builds(
        pg_cluster: PgCluster, bootstrap_template: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(SPEC, spec)
    release_project(spec, "initial", NOW)
    old_build = tmp_path / "old"
    compile_project(spec, old_build)
    change(spec)
    new_build = tmp_path / "new"
    compile_project(spec, new_build)
    pending = sorted((new_build / "supabase" / "migrations").glob("*pending*.sql"))
    # The changes, then the validation of existing rows in a transaction of its own.
    assert [p.name.split("_", 1)[1] for p in pending] == ["pending.sql", "pending_validate.sql"]
    fresh_spec = tmp_path / "fresh"
    shutil.copytree(spec, fresh_spec, ignore=shutil.ignore_patterns("migrations"))
    fresh_build = tmp_path / "fresh_build"
    compile_project(fresh_spec, fresh_build)

    pg_cluster.create_database("evolved", template=bootstrap_template)
    pg_cluster.create_database("fresh", template=bootstrap_template)
    try:
        apply(pg_cluster, "evolved", sorted((old_build / "supabase" / "migrations").glob("*.sql")))
        with pg_cluster.connect("evolved") as conn:
            world = seed_world(conn)
            point = conn.execute("insert into access_points (community_id, name, access_point_type, "
                                 "location_description) values (%s, 'Gate', 'pedestrian_gate', 'North') "
                                 "returning id", (world.c1,)).fetchone()[0]
            conn.execute("insert into access_logs (community_id, access_point_id, direction, method, result, "
                         "person_type, unit_id, notes, provider_personnel_id) select %s, %s, 'entry', 'pin', "
                         "'granted', 'visitor', %s, 'row ' || n, gen_random_uuid() from generate_series(1, 20) n",
                         (world.c1, point, world.u1))
            before = conn.execute("select id, unit_id, logged_at, provider_personnel_id from access_logs "
                                  "order by id").fetchall()
            conn.commit()
        apply(pg_cluster, "evolved", pending)
        apply(pg_cluster, "fresh", sorted((fresh_build / "supabase" / "migrations").glob("*.sql")))

        assert catalog(pg_cluster, "evolved") == catalog(pg_cluster, "fresh")
        with pg_cluster.connect("evolved") as conn:
            assert conn.execute("select id, unit_id, logged_at, provider_staff_id from access_logs "
                                "order by id").fetchall() == before
            assert conn.execute("select count(*) from access_logs where lane is null").fetchone()[0] == 20
        run = pg_prove(pg_cluster, "evolved", sorted((new_build / "supabase" / "tests").glob("*.test.sql")))
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    finally:
        pg_cluster.drop_database("evolved")
        pg_cluster.drop_database("fresh")

    release_project(spec, "add_parking", NOW)
    assert not any("pending" in name for name in compile_project(spec, None).files)


def test_the_catalog_query_sees_a_difference(pg_cluster: PgCluster, bootstrap_template: str) -> None:
    pg_cluster.create_database("catalog_a", template=bootstrap_template)
    pg_cluster.create_database("catalog_b", template=bootstrap_template)
    try:
        for name, default in (("catalog_a", "1"), ("catalog_b", "2")):
            with pg_cluster.connect(name) as conn:
                conn.execute(f"create table public.t (x integer default {default})")
                conn.commit()
        assert catalog(pg_cluster, "catalog_a") != catalog(pg_cluster, "catalog_b")
    finally:
        pg_cluster.drop_database("catalog_a")
        pg_cluster.drop_database("catalog_b")


def test_a_column_made_required_names_its_null_rows_before_any_change(
        pg_cluster: PgCluster, bootstrap_template: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(SPEC, spec)
    release_project(spec, "initial", NOW)
    old_build = tmp_path / "old"
    compile_project(spec, old_build)
    change(spec)
    files = compile_project(spec, tmp_path / "new").files
    pending_file = tmp_path / "new" / next(name for name in files if name.endswith("_pending.sql"))
    pg_cluster.create_database("required", template=bootstrap_template)
    try:
        apply(pg_cluster, "required", sorted((old_build / "supabase" / "migrations").glob("*.sql")))
        with pg_cluster.connect("required") as conn:
            world = seed_world(conn)
            conn.execute("insert into access_points (community_id, name, access_point_type) "
                         "values (%s, 'Gate', 'pedestrian_gate')", (world.c1,))
            conn.commit()
        with pytest.raises(PsqlError) as error:
            pg_cluster.psql_file("required", pending_file)
        assert "access_points.location_description becomes required but has null values" in error.value.stderr
        with pg_cluster.connect("required") as conn:
            # Nothing of the migration stayed: it ran in one transaction.
            assert conn.execute("select count(*) from information_schema.columns "
                                "where table_name = 'access_logs' and column_name = 'lane'").fetchone()[0] == 0
    finally:
        pg_cluster.drop_database("required")


def test_the_bundled_spec_grown_domain_by_domain_equals_its_baseline(
        pg_cluster: PgCluster, bootstrap_template: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    shutil.copytree(SPEC / "sql", spec / "sql")
    domains = [migration.domain.name for migration in analyse(SPEC, run_lint=False)[1].migrations]
    for step, domain in enumerate(domains):
        shutil.copy(SPEC / f"{domain}.yaml", spec)
        written = release_project(spec, domain, datetime(2026, 12, 7, 12, step, tzinfo=UTC))
        assert written, domain
    grown = tmp_path / "grown"
    compile_project(spec, grown)
    released = sorted((grown / "supabase" / "migrations").glob("*.sql"))
    assert [p.name for p in released] == ["0001_foundation.sql",
                                         *(f"2026120712{step:02d}00_{domain}.sql" for step, domain in
                                           enumerate(domains) if step)]
    baseline = tmp_path / "baseline"
    compile_project(SPEC, baseline)
    pg_cluster.create_database("grown", template=bootstrap_template)
    pg_cluster.create_database("baseline", template=bootstrap_template)
    try:
        apply(pg_cluster, "grown", released)
        apply(pg_cluster, "baseline", sorted((baseline / "supabase" / "migrations").glob("*.sql")))
        assert catalog(pg_cluster, "grown") == catalog(pg_cluster, "baseline")
    finally:
        pg_cluster.drop_database("grown")
        pg_cluster.drop_database("baseline")
