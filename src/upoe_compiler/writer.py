"""Stage 6 — write.

Input: the rendered files (relative path → text).
Output: the output folder holding exactly those files, or, on any failure, the folder
as it was before.
Errors: UPOE402 the output folder holds files upoe did not write; UPOE403 the
filesystem refused.

The files are written to a sibling temporary folder, which then replaces the output
folder in two renames, so a reader never sees a half-written build.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .errors import Diagnostic

MARKER = "manifest.json"


def ownership_problem(out_dir: Path) -> Diagnostic | None:
    """A non-empty folder without our manifest is somebody else's: never replace it."""
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and
                                                      not (out_dir / MARKER).is_file())):
        return Diagnostic(
            "UPOE402",
            f"output folder {out_dir} exists and was not written by upoe (no {MARKER})",
            hint="choose an empty or new folder with --out, or remove this one yourself",
        )
    return None


def write_tree(out_dir: Path, files: dict[str, str]) -> None:
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for relative, text in sorted(files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        previous = None
        if out_dir.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            previous.rmdir()
            out_dir.rename(previous)
        try:
            staging.rename(out_dir)
        except OSError:
            if previous is not None:
                previous.rename(out_dir)
            raise
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
