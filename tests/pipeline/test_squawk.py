"""squawk, the PostgreSQL migration linter, over the pending migrations of the bundled spec changed
in many ways at once and of every case of the evolution corpus: nothing but the rules the compiler
waives, with its reasons, and each waiver still needed."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.db.test_evolution import change
from tests.support.evolution import CASES, evolve
from upoe_compiler.api import compile_project, release_project
from upoe_compiler.render.diff import SQUAWK_WAIVERS

REPO = Path(__file__).resolve().parents[2]
SQUAWK = REPO / ".venv" / "bin" / "squawk"


@pytest.fixture(scope="module")
def pending(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("squawk")
    spec = root / "spec"
    shutil.copytree(REPO / "spec", spec)
    release_project(spec, "initial", datetime(2026, 12, 7, tzinfo=UTC))
    change(spec)
    compile_project(spec, root / "build")
    files = sorted((root / "build" / "supabase" / "migrations").glob("*pending*.sql"))
    assert len(files) == 2
    for case in CASES:
        # Each case's files under a name of its own, so a finding names its case.
        for path in evolve(case, root / case.name).pending:
            files.append(path.rename(path.with_name(f"{case.name}_{path.name}")))
    return files


def findings(files: list[Path], *excluded: str) -> list[str]:
    assert SQUAWK.is_file(), "squawk is missing: run scripts/test, which installs it"
    options = ["--assume-in-transaction", "--pg-version", "15.0", "--reporter", "gitlab"]
    if excluded:
        options.append("--exclude=" + ",".join(excluded))
    run = subprocess.run([str(SQUAWK), *options, *map(str, files)], capture_output=True, text=True, check=False)
    return [f"{f['check_name']} at {Path(f['location']['path']).name}:{f['location']['lines']['begin']}"
            for f in json.loads(run.stdout or "[]")]


def test_only_waived_rules_fire(pending: list[Path]) -> None:
    assert len(pending) > len(CASES)
    assert findings(pending, *SQUAWK_WAIVERS) == []


def test_every_waiver_is_still_needed(pending: list[Path]) -> None:
    raised = {finding.split(" at ")[0] for finding in findings(pending)}
    assert set(SQUAWK_WAIVERS) <= raised, set(SQUAWK_WAIVERS) - raised
