"""Golden case folders, one per DSL construct: tests/cases/<case>/spec is compiled on the bundled
foundation and its own part of the build is compared with tests/cases/<case>/expected.

Only the case's domain is pinned (not 0001_foundation.sql), so a change to the foundation shows up
once, in the foundation's own tests, instead of in every case.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pipeline.conftest import REPO, SpecFolder
from upoe_compiler.api import compile_project

CASES = REPO / "tests" / "cases"
CASE_FOLDERS = sorted(spec.parent for spec in CASES.glob("*/spec"))
FOUNDATION_DOMAIN = "foundation"
REVIEW_HINT = "review the change, then run `scripts/test --update-golden`"

# Expected file (relative to expected/) → its text.
CaseOutput = dict[str, str]


def case_output(case: Path, root: Path) -> CaseOutput:
    """Compile the case's spec on the foundation; return the files that belong to the case's domain."""
    spec_folder = SpecFolder(root)
    shutil.copytree(case / "spec", spec_folder.path, dirs_exist_ok=True)
    build = root / "build"
    compile_project(spec_folder.path, build)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    case_migrations = [entry for entry in manifest["migrations"] if entry["domain"]["name"] != FOUNDATION_DOMAIN]
    output: CaseOutput = {}
    for entry in case_migrations:
        stem = Path(entry["file"]).stem
        output[f"migrations/{entry['file']}"] = (build / "supabase" / "migrations" / entry["file"]).read_text(
            encoding="utf-8")
        test_file = f"{stem}.test.sql"
        output[f"tests/{test_file}"] = (build / "supabase" / "tests" / test_file).read_text(encoding="utf-8")
    output["manifest.json"] = json.dumps(case_migrations, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return output


def expected_files(case: Path) -> CaseOutput:
    expected = case / "expected"
    return {str(p.relative_to(expected)): p.read_text(encoding="utf-8")
            for p in sorted(expected.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], CaseOutput]:
    """Each case compiled once per module: the comparison and the stale-file test share the build."""
    cache: dict[Path, CaseOutput] = {}

    def build(case: Path) -> CaseOutput:
        if case not in cache:
            cache[case] = case_output(case, tmp_path_factory.mktemp(case.name))
        return cache[case]

    return build


def case_ids() -> list[str]:
    return [case.name for case in CASE_FOLDERS]


def test_there_are_cases() -> None:
    # A glob that matches nothing would make the parametrized tests vanish silently.
    assert CASE_FOLDERS, f"no case folders with a spec/ under {CASES}"


@pytest.mark.parametrize("case", CASE_FOLDERS, ids=case_ids())
def test_case_matches_its_expected_files(case: Path, built: Callable[[Path], CaseOutput],
                                         update_golden: bool) -> None:
    produced = built(case)
    expected_dir = case / "expected"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, text in produced.items():
            target = expected_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = expected_files(case)
    missing = sorted(set(produced) - set(expected))
    assert not missing, f"{case.name}: the build produces {missing} but expected/ has no such file; {REVIEW_HINT}"
    for name, text in produced.items():
        # Compared as strings so that pytest shows a line diff.
        assert text == expected[name], f"{case.name}: expected/{name} differs from the build; {REVIEW_HINT}"


@pytest.mark.parametrize("case", CASE_FOLDERS, ids=case_ids())
def test_case_has_no_stale_expected_file(case: Path, built: Callable[[Path], CaseOutput]) -> None:
    stale = sorted(set(expected_files(case)) - set(built(case)))
    assert not stale, f"{case.name}: the build no longer produces {', '.join(stale)} of expected/; {REVIEW_HINT}"


def test_every_case_folder_has_a_spec_a_readme_and_expected_files() -> None:
    # Checks every folder, not only those with spec/, so a half-made case cannot hide from the glob.
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for part in ("spec", "README.md", "expected"):
            assert (folder / part).exists(), f"tests/cases/{folder.name} has no {part}"
