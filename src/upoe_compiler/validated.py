"""What validation hands to the later stages: every spec file as its pydantic model, where
each node was written, and the catalog of every name the spec declares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SourcePosition
from .loader import LoadedFile

if TYPE_CHECKING:
    from .catalog import Catalog
    from .spec import DomainSpec


@dataclass(frozen=True)
class SpecFile:
    """One validated domain file; `at(...)` finds where a node of it was written."""

    loaded: LoadedFile
    spec: DomainSpec

    @property
    def name(self) -> str:
        return self.loaded.display_name

    @property
    def spec_dir(self) -> Path:
        return self.loaded.path.parent

    def at(self, *path: str | int) -> SourcePosition:
        return self.loaded.position(tuple(path))

    def value_at(self, *path: str | int) -> SourcePosition:
        return self.loaded.value_position(tuple(path))


@dataclass(frozen=True)
class ValidatedSpec:
    files: tuple[SpecFile, ...]
    catalog: Catalog
