"""benchmarks/phase5_speed.py end to end on a tiny volume: the seed loads consistent rows into the real
tables (constraints on), every scenario runs as the resident without an error, prints positive
figures and saves a plan per statement. Checks the harness, not the speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks import phase5_speed

from tests.support.pgcluster import PgCluster


def test_phase5_speed_harness_runs_every_scenario(pg_cluster: PgCluster, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    phase5_speed.main(["--communities", "2", "--reservations", "30", "--posts", "100", "--seconds", "1",
                       "--out", str(out)], cluster=pg_cluster)

    report = json.loads((out / "results.json").read_text())
    assert report["machine"]["reservations"] == 2 * phase5_speed.AMENITIES * 30
    assert report["machine"]["posts"] == 2 * 100
    scenarios = phase5_speed.scenarios()
    assert [entry["scenario"] for entry in report["results"]] == [scenario.name for scenario in scenarios]
    for entry in report["results"]:
        assert entry["transactions"] >= 1, entry
        assert 0 < entry["p10"] <= entry["median"] <= entry["p90"], entry
    for scenario in scenarios:
        plan = (out / "plans" / f"{phase5_speed.slug(scenario.name)}.txt").read_text()
        assert plan.count("actual time=") >= len(scenario.explained), scenario.name
    # Every committed booking was confirmed and its fee posted through record_charge.
    bookings = next(entry for entry in report["results"] if entry["scenario"].startswith("booking insert"))
    assert report["committed_bookings"] > bookings["transactions"] >= 1
    assert report["charged_bookings"] == report["committed_bookings"]
    # The community feed returned a full page (the resident reads 80 of a community's 100 posts).
    feed = (out / "plans" / f"{phase5_speed.slug('community feed')}.txt").read_text().splitlines()
    assert "rows=50 loops=1" in feed[1], feed[1]
    printed = capsys.readouterr().out
    assert "| booking insert, committed |" in printed
    # The database the harness made in the shared cluster is gone again.
    with pg_cluster.connect() as conn:
        left = conn.execute("select datname from pg_database where datname = %s", (phase5_speed.DATABASE,)).fetchall()
    assert left == []
