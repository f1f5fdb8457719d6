"""The pgTAP tests the compiler generates from the spec's intent pass on the real database,
run by `pg_prove` exactly as `supabase test db` runs them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.pgcluster import PgCluster


def pg_prove(cluster: PgCluster, database: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("pg_prove")
    assert executable, "pg_prove is missing: run scripts/test, which installs it"
    return subprocess.run(
        [executable, "--host", str(cluster.socket_dir), "--port", str(cluster.port), "--username", "postgres",
         "--dbname", database, "--verbose", *map(str, files)],
        capture_output=True, text=True, timeout=600, check=False,
    )


def test_the_generated_pgtap_suite_passes(pg_cluster: PgCluster, widgets_template: str,
                                          widgets_build: Path) -> None:
    files = sorted((widgets_build / "supabase" / "tests").glob("*.test.sql"))
    assert len(files) >= 3
    pg_cluster.create_database("pgtap_run", template=widgets_template)
    try:
        run = pg_prove(pg_cluster, "pgtap_run", files)
    finally:
        pg_cluster.drop_database("pgtap_run")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "All tests successful." in run.stdout
    assert run.stdout.count("\nok ") >= 60


def test_a_policy_that_drifts_from_its_intent_fails_the_generated_suite(
    pg_cluster: PgCluster, widgets_template: str, widgets_build: Path
) -> None:
    pg_cluster.create_database("pgtap_drift", template=widgets_template)
    try:
        with pg_cluster.connect("pgtap_drift", autocommit=True) as conn:
            # The kind of slip the suite exists for: a select policy that forgot the tenant.
            conn.execute("alter policy widgets_select on public.widgets using (deleted_at is null)")
        files = sorted((widgets_build / "supabase" / "tests").glob("*_widgets.test.sql"))
        assert len(files) == 1
        run = pg_prove(pg_cluster, "pgtap_drift", files)
    finally:
        pg_cluster.drop_database("pgtap_drift")
    assert run.returncode != 0
    assert "[TEST-01] widgets: resident reads no row of another tenant" in run.stdout


@pytest.mark.parametrize(("breach", "caught"), [
    # A workflow that stops checking where rows start.
    ("drop trigger enforce_status_transitions on public.widget_jobs",
     r"not ok \d+ - \[TEST-02\] widget_jobs: \w+ may not create a row as status"),
    # Stamps and platform-only columns that a client may write.
    ("drop trigger authorize_column_changes on public.widget_jobs",
     r"not ok \d+ - \[TEST-02\] widget_jobs: \w+ may not insert with its own"),
    # An insert policy that lets rows be born soft-deleted.
    ("alter policy widget_parts_insert on public.widget_parts "
     "with check (community_id = (select public.get_current_community_id()))",
     r"not ok \d+ - \[TEST-01\] widget_parts: \w+ may not insert a row already deleted"),
])
def test_the_generated_suite_catches_in_community_breaches(pg_cluster: PgCluster, widgets_template: str,
                                                           widgets_build: Path, breach: str, caught: str) -> None:
    pg_cluster.create_database("pgtap_breach", template=widgets_template)
    try:
        with pg_cluster.connect("pgtap_breach", autocommit=True) as conn:
            conn.execute(breach)
        files = sorted((widgets_build / "supabase" / "tests").glob("*_widget*.test.sql"))
        run = pg_prove(pg_cluster, "pgtap_breach", files)
    finally:
        pg_cluster.drop_database("pgtap_breach")
    assert run.returncode != 0
    assert re.search(caught, run.stdout), run.stdout[-3000:]
