"""Helpers for DB-free pipeline tests: build small spec folders on the fly."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"


class SpecFolder:
    """The foundation domain of the bundled spec in a temp folder, plus domain files a test
    adds: tests of the pipeline stay independent of the domains the product adds."""

    def __init__(self, root: Path) -> None:
        self.path = root / "spec"
        shutil.copytree(SPEC / "sql" / "foundation", self.path / "sql" / "foundation")
        shutil.copy(SPEC / "foundation.yaml", self.path / "foundation.yaml")

    def add(self, name: str, text: str) -> Path:
        target = self.path / name
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return target


@pytest.fixture
def spec_folder(tmp_path: Path) -> SpecFolder:
    return SpecFolder(tmp_path)
