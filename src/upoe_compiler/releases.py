"""Released migrations: what `upoe release` froze in `<spec>/migrations/`, checked on every compile.

The first release freezes the baseline as the build has always written it, one file per domain
(`0001_foundation.sql`, ...), byte for byte what a deployed project already ran; each later one is
`<version>_<name>.sql`, the version a UTC timestamp as the Supabase CLI names migrations, so
released files interleave with a project's own. Every release also keeps
`<version>_<name>.model.json`, the resolved model it was made from. `upoe.sum` chains a hash
over every released file: each line's hash covers the previous line's, so two branches that
release at once conflict in git instead of interleaving silently, and a released file edited or
deleted afterwards is found.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import ir
from .errors import Diagnostic, SourcePosition
from .graph import Plan
from .manifest import read_manifest, render_manifest

MIGRATIONS_DIR = "migrations"
SUM_FILE = "upoe.sum"
RELEASE_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
RELEASE_FILE = re.compile(r"^(\d+)_([a-z0-9_]+)\.sql$")
MODEL_SUFFIX = ".model.json"
SUM_LINE = re.compile(r"^(\S+) h1:(\S+)$")


@dataclass(frozen=True)
class Release:
    """One released migration file."""

    file_name: str
    sql: str


@dataclass(frozen=True)
class Released:
    """The releases of a spec, in order, and the plan of the last one (None before the first)."""

    releases: tuple[Release, ...]
    snapshot: Plan | None
    # Every file upoe.sum records, in release order: each release's migrations, then its model.
    recorded: tuple[str, ...] = ()

    @property
    def model(self) -> ir.Model | None:
        """The resolved model the last release was made from."""
        return None if self.snapshot is None else self.snapshot.model

    def next_version(self) -> str:
        """The version just after every released file's, as wide (0004 after 0003): where the
        pending migration goes."""
        versions = [RELEASE_FILE.match(r.file_name)[1] for r in self.releases]  # type: ignore[index]
        return following(max(versions, key=int, default="0"), 1)


def following(version: str, steps: int) -> str:
    """The version `steps` after `version`, as wide (0004 after 0003)."""
    return str(int(version) + steps).zfill(len(version))


def _hash(previous: str, name: str, content: bytes) -> str:
    digest = hashlib.sha256(previous.encode() + b"\0" + name.encode() + b"\0" + content).digest()
    return base64.b64encode(digest).decode()


def sum_text(files: list[tuple[str, bytes]]) -> str:
    """`upoe.sum` for released files in order: `h1:<hash of the chain>`, then `<file> h1:<hash>`
    per file, each hash covering the one before."""
    lines, previous = [], ""
    for name, content in files:
        previous = _hash(previous, name, content)
        lines.append(f"{name} h1:{previous}")
    return "\n".join([f"h1:{previous}", *lines]) + "\n"


def read_released(spec_dir: Path) -> tuple[Released, list[Diagnostic]]:
    """The releases under `<spec>/migrations/`, with a diagnostic for every released file edited,
    deleted or added by hand since `upoe.sum` recorded it."""
    folder = spec_dir / MIGRATIONS_DIR
    sum_path = folder / SUM_FILE
    if not sum_path.is_file():
        strays = sorted(p.name for p in folder.glob("*.sql")) if folder.is_dir() else []
        return Released((), None), [_stray(folder / name) for name in strays]
    problems: list[Diagnostic] = []
    lines = sum_path.read_text(encoding="utf-8").splitlines()
    previous, recorded = "", []
    for number, line in enumerate(lines[1:], start=2):
        match = SUM_LINE.match(line)
        at = SourcePosition(str(sum_path), number, 1)
        if match is None:
            problems.append(Diagnostic("UPOE413", f"{SUM_FILE} line {number} is not `<file> h1:<hash>`", at,
                                       "restore upoe.sum from version control; upoe release writes it"))
            continue
        name, expected = match.groups()
        recorded.append(name)
        path = folder / name
        if not path.is_file():
            problems.append(Diagnostic("UPOE411", f"released migration {name} was deleted", at,
                                       "restore it from version control: databases already ran it"))
            previous = expected
            continue
        previous = _hash(previous, name, path.read_bytes())
        if previous != expected:
            problems.append(Diagnostic(
                "UPOE410", f"released migration {name} was edited after its release",
                SourcePosition(str(path), 1, 1),
                "restore it from version control and change the spec instead: the next release carries the change"))
            previous = expected
    if not lines or lines[0] != f"h1:{previous}":
        problems.append(Diagnostic("UPOE413", f"{SUM_FILE} does not add up: its first line is not the chain's hash",
                                   SourcePosition(str(sum_path), 1, 1),
                                   "restore upoe.sum from version control; upoe release writes it"))
    problems += [_stray(path) for path in sorted(folder.glob("*.sql")) if path.name not in recorded]
    releases = tuple(Release(name, (folder / name).read_text(encoding="utf-8"))
                     for name in recorded if RELEASE_FILE.match(name) and (folder / name).is_file())
    models = [name for name in recorded if name.endswith(MODEL_SUFFIX)]
    snapshot = None
    if models and not problems:
        snapshot = read_manifest((folder / models[-1]).read_text(encoding="utf-8"))
    return Released(releases, snapshot, tuple(recorded)), problems


def creating_files(folder: Path, released: Released) -> dict[str, str]:
    """The released migration file that first created each object (by key): in the baseline
    release, its domain's file; in a later one, that release's first file. Read from each
    release's model snapshot as plain JSON (the keys only, which is quick)."""
    created: dict[str, str] = {}
    files: list[str] = []
    for name in released.recorded:
        if not name.endswith(MODEL_SUFFIX):
            files.append(name)
            continue
        baseline = not created
        snapshot = json.loads((folder / name).read_text(encoding="utf-8"))
        for migration in snapshot["migrations"]:
            # The baseline freezes the per-domain files under their own names; a later release
            # is one migration (and its validation) for every domain it touches.
            home = migration["file"] if baseline else files[0]
            for obj in migration["objects"]:
                created.setdefault(obj["key"], home)
        files = []
    return created


def _stray(path: Path) -> Diagnostic:
    return Diagnostic("UPOE412", f"{path.name} is in {MIGRATIONS_DIR}/ but was never released",
                      SourcePosition(str(path), 1, 1),
                      "only upoe release writes there; move hand-written SQL into a spec function or view")


def new_version(released: Released, now: datetime | None = None) -> str:
    """A UTC timestamp, after every released file's version."""
    version = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return max(version, released.next_version(), key=int)


def write_release(spec_dir: Path, released: Released, new: list[Release], model_name: str,
                  ordered: Plan) -> list[Path]:
    """Write the new released files, the model they were made from and the extended `upoe.sum`;
    returns what was written."""
    folder = spec_dir / MIGRATIONS_DIR
    folder.mkdir(exist_ok=True)
    sum_path = folder / SUM_FILE
    recorded = [line.split(" ", 1)[0] for line in sum_path.read_text(encoding="utf-8").splitlines()[1:]] \
        if sum_path.is_file() else []
    written = []
    for release in new:
        written.append(folder / release.file_name)
        written[-1].write_text(release.sql, encoding="utf-8")
    written.append(folder / model_name)
    written[-1].write_text(render_manifest(ordered), encoding="utf-8")
    names = recorded + [path.name for path in written]
    sum_path.write_text(sum_text([(name, (folder / name).read_bytes()) for name in names]), encoding="utf-8")
    return [*written, sum_path]
