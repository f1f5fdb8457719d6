"""The evolution corpus (tests/evolution/<case>/): each case's spec released as `before/`, then
changed to `after/`, compiled at both steps."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.pipeline.conftest import SpecFolder
from upoe_compiler.api import compile_project, release_project

CORPUS = Path(__file__).resolve().parents[1] / "evolution"
CASES = sorted(path.parent for path in CORPUS.glob("*/case.yaml"))
RELEASED_AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Evolved:
    spec: Path        # the changed spec, its first release in migrations/
    old_build: Path   # the build of the release
    new_build: Path   # the build of the changed spec: the release + the pending migrations

    @property
    def pending(self) -> list[Path]:
        return migrations(self.new_build, "*pending*.sql")


def with_files(root: Path, *parts: Path) -> Path:
    """A spec folder: the bundled foundation plus the files of `parts`, later ones replacing."""
    spec = SpecFolder(root).path
    for part in parts:
        shutil.copytree(part, spec, dirs_exist_ok=True)
    return spec


def evolve(case: Path, root: Path) -> Evolved:
    spec = with_files(root / "spec", case / "before")
    release_project(spec, "initial", RELEASED_AT)
    compile_project(spec, root / "old")
    for file in spec.glob("*.yaml"):
        if file.name != "foundation.yaml":
            file.unlink()
    shutil.copytree(case / "after", spec, dirs_exist_ok=True)
    compile_project(spec, root / "new")
    return Evolved(spec, root / "old", root / "new")


def migrations(build: Path, pattern: str = "*.sql") -> list[Path]:
    return sorted((build / "supabase" / "migrations").glob(pattern))
