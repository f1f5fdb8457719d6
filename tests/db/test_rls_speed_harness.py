"""benchmarks/rls_speed.py end to end on a tiny volume: every scenario measured on both sides, with
positive figures and a saved plan per scenario and side. Checks the harness, not the speed."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import rls_speed

from tests.support.pgcluster import PgCluster


def test_rls_speed_harness_runs_every_scenario(pg_cluster: PgCluster, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rls_speed.main(["--rows", "4000", "--communities", "4", "--rounds", "1", "--transactions", "5",
                    "--bulk-transactions", "2", "--out", str(out)], cluster=pg_cluster)

    report = json.loads((out / "results.json").read_text())
    assert list(report["builds"]) == ["this"]
    measured = report["builds"]["this"]["scenarios"]
    expected = [scenario.name for scenario in rls_speed.scenarios("x", "y")]
    assert list(measured) == expected
    for name, entry in measured.items():
        for side in rls_speed.SIDES:
            figures = entry[side]
            assert figures["transactions"] >= 1, name
            assert 0 < figures["p10_ms"] <= figures["median_ms"] <= figures["p90_ms"], (name, side, figures)
            plan = out / "plans" / "this" / f"{rls_speed.slug(name)}.{side}.txt"
            assert "actual time=" in plan.read_text(), plan
        assert entry["ratio"]["median"] > 0, name
    # The databases the harness made in the shared cluster are gone again.
    with pg_cluster.connect() as conn:
        left = conn.execute("select datname from pg_database where datname like 'rls_speed_%'").fetchall()
    assert left == []
