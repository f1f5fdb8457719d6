"""The real Supabase CLI applies the build as it is, the way a backend engineer deploys it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.pgcluster import PgCluster
from upoe_compiler.api import compile_project

REPO = Path(__file__).resolve().parents[2]
SUPABASE = REPO / "tools" / "node_modules" / ".bin" / "supabase"


def test_supabase_migration_up_applies_every_migration(pg_cluster: PgCluster, bootstrap_template: str,
                                                       tmp_path: Path) -> None:
    if not SUPABASE.exists():
        pytest.fail("the Supabase CLI is missing: run scripts/test, which installs it into tools/")
    workdir = tmp_path / "project"
    compile_project(REPO / "spec", tmp_path / "build")
    shutil.copytree(tmp_path / "build" / "supabase", workdir / "supabase")
    pg_cluster.create_database("cli_apply", template=bootstrap_template)
    try:
        url = f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/cli_apply?sslmode=disable"
        run = subprocess.run([str(SUPABASE), "migration", "up", "--db-url", url, "--workdir", str(workdir)],
                             capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stderr
        expected = sorted(p.stem.split("_", 1)[0] for p in (workdir / "supabase" / "migrations").glob("*.sql"))
        with pg_cluster.connect("cli_apply") as conn:
            applied = [row[0] for row in conn.execute(
                "select version from supabase_migrations.schema_migrations order by version")]
            assert applied == expected
            assert conn.execute("select count(*) from public.communities").fetchone() == (0,)
    finally:
        pg_cluster.drop_database("cli_apply")
