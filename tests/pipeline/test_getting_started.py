"""The README's "Getting started" walk-through, as written: a column added to units checks and
compiles (its migration and docs carry it), and the two typos it mentions are located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from upoe_compiler.cli import app

REPO = Path(__file__).resolve().parents[2]
ANCHOR = "      unit_number: {type: text, required: true,"
COLUMN = "      intercom: {type: text, description: The unit's intercom code.}\n"


def with_column(tmp_path: Path, column: str) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    crm = spec / "crm.yaml"
    text = crm.read_text(encoding="utf-8")
    assert ANCHOR in text
    crm.write_text(text.replace(ANCHOR, column + ANCHOR, 1), encoding="utf-8")
    return spec


def test_the_walk_through_works_as_written(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert COLUMN.strip() in readme
    spec = with_column(tmp_path, COLUMN)
    assert CliRunner().invoke(app, ["check", "--spec", str(spec)]).exit_code == 0
    out = tmp_path / "build"
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec), "--out", str(out)])
    assert result.exit_code == 0 and f"docs: {out / 'docs' / 'index.html'}" in result.output
    assert "intercom text" in (out / "supabase" / "migrations" / "0002_crm.sql").read_text()
    assert "The unit&#39;s intercom code." in (out / "docs" / "crm.html").read_text() or \
        "The unit's intercom code." in (out / "docs" / "crm.html").read_text()
    assert '"units.intercom"' in (out / "docs" / "search-index.js").read_text(encoding="utf-8")
    resident = (out / "docs" / "role-resident.html").read_text(encoding="utf-8")
    assert 'href="crm.html#table-units"' in resident
    explained = CliRunner().invoke(app, ["explain", "UPOE220"])
    assert explained.exit_code == 0 and "unknown type" in explained.output.lower()
    for typo, code in (("      intercom: {type: txt}\n", "UPOE220"),
                       ("      intercom: {type: text, check: \"intercm <> ''\"}\n", "UPOE233")):
        result = CliRunner().invoke(app, ["check", "--spec", str(with_column(tmp_path / code, typo))])
        assert result.exit_code == 1 and f"error[{code}]" in result.output and "crm.yaml:" in result.output
