"""What the differ refuses, with a diagnostic naming the object and what to do, and how long an
acknowledgement counts: a change that may lose values, a tenancy change, a backfill of rows that
cannot change, and an acknowledgement left behind from an earlier release."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.pipeline.conftest import SpecFolder
from upoe_compiler.api import compile_project, plan_project, release_project
from upoe_compiler.cli import app
from upoe_compiler.errors import CompileFailed

PARCELS = """\
domain: parcels
title: Parcels
phase: 90
description: Parcels received at the gate.
tables:
  parcels:
    description: A parcel held for a resident.
    tenancy: community
    columns:
      carrier: {type: text, required: true, description: Who delivered it.}
      shelf: {type: text, description: Where it is kept.}
      weight_grams: {type: integer, description: Its weight.}
    access:
      select: [admin, guard]
      insert: [admin, guard]
"""


def released(root: Path, text: str = PARCELS, step: int = 0) -> Path:
    folder = SpecFolder(root)
    folder.add("parcels.yaml", text)
    release_project(folder.path, "initial", datetime(2026, 12, 7, 12, step, tzinfo=UTC))
    return folder.path


def change(spec: Path, old: str, new: str) -> None:
    path = spec / "parcels.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def acknowledge(spec: Path, entry: str) -> None:
    path = spec / "parcels.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"acknowledge:\n  - {entry}\n", encoding="utf-8")


def refusal(spec: Path) -> tuple[str, str]:
    with pytest.raises(CompileFailed) as failed:
        compile_project(spec, None)
    [diagnostic] = failed.value.diagnostics
    assert diagnostic.code == "UPOE414"
    assert diagnostic.position is not None and diagnostic.position.file.endswith("parcels.yaml")
    return diagnostic.message, diagnostic.hint or ""


def test_a_narrowing_type_change_is_refused_until_acknowledged(tmp_path: Path) -> None:
    spec = released(tmp_path)
    change(spec, "shelf: {type: text,", "shelf: {type: integer, using: shelf::integer,")
    message, hint = refusal(spec)
    assert message == "the spec changes the type (text → integer) of column public.parcels.shelf"
    assert 'acknowledge: [{narrow: "column parcels.shelf", reason: "..."}]' in hint
    # The CLI exits 1 and writes nothing.
    out = tmp_path / "build"
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec), "--out", str(out)])
    assert result.exit_code == 1 and "column public.parcels.shelf" in result.output and not out.exists()
    acknowledge(spec, "{narrow: column parcels.shelf, reason: shelves are numbered}")
    assert "alter column shelf type integer using (shelf::integer)" in plan_project(spec).migrations[0]


def test_a_widening_type_change_needs_no_acknowledgement(tmp_path: Path) -> None:
    spec = released(tmp_path)
    change(spec, "weight_grams: {type: integer,", "weight_grams: {type: bigint,")
    result = plan_project(spec)
    assert "alter column weight_grams type bigint;" in result.migrations[0]
    assert result.flags == ("rewrite: column parcels.weight_grams changes type integer → bigint: the table and its "
                            "indexes are rewritten under an exclusive lock",)


def test_a_tenancy_change_is_refused(tmp_path: Path) -> None:
    spec = released(tmp_path)
    change(spec, "    tenancy: community\n", "    tenancy: user\n")
    message, hint = refusal(spec)
    assert message == ("the spec changes the tenancy (community by community_id → user by user_id) of "
                       "table public.parcels")
    assert "make a new table with the new tenancy" in hint


def test_a_required_column_without_default_or_backfill_is_refused(tmp_path: Path) -> None:
    spec = released(tmp_path)
    change(spec, "      weight_grams:", "      size: {type: text, required: true}\n      weight_grams:")
    message, hint = refusal(spec)
    assert message == "the spec adds a required column without a default or backfill: column public.parcels.size"
    assert "`backfill:`" in hint


def test_an_append_only_table_cannot_be_backfilled(tmp_path: Path) -> None:
    immutable = PARCELS.replace("    tenancy: community\n", "    tenancy: community\n    immutable: true\n")
    spec = released(tmp_path, immutable)
    change(spec, "shelf: {type: text,", "shelf: {type: text, required: true, backfill: \"'A1'\",")
    message, hint = refusal(spec)
    assert message == "the spec backfills a column of an append-only table: column public.parcels.shelf"
    assert "give the column a default" in hint


def test_an_acknowledgement_counts_for_one_release_only(tmp_path: Path) -> None:
    spec = released(tmp_path)
    change(spec, "      shelf: {type: text, description: Where it is kept.}\n", "")
    acknowledge(spec, "{drop: column parcels.shelf, reason: nobody reads it}")
    assert plan_project(spec).flags == ("destructive: column parcels.shelf dropped with its values (nobody reads it)",)
    release_project(spec, "drop_shelf", datetime(2026, 12, 7, 13, tzinfo=UTC))
    # Left in the spec, the acknowledgement is listed as stale and acknowledges nothing more.
    assert plan_project(spec).stale == ["spec/parcels.yaml: column parcels.shelf"]
    output = CliRunner().invoke(app, ["plan", "--spec", str(spec)]).output
    assert output.endswith("left from the last release (they no longer count; remove them):\n"
                           "  spec/parcels.yaml: column parcels.shelf\n")
    shelf = "      shelf: {type: text, description: Where it is kept.}\n"
    change(spec, "      weight_grams:", shelf + "      weight_grams:")
    release_project(spec, "shelf_again", datetime(2026, 12, 7, 14, tzinfo=UTC))
    change(spec, "      shelf: {type: text, description: Where it is kept.}\n", "")
    message, _ = refusal(spec)
    assert message == "the spec drops column public.parcels.shelf"


def test_an_enum_value_removed_is_refused_until_acknowledged(tmp_path: Path) -> None:
    with_enum = PARCELS.replace("tables:\n", "enums:\n  parcel_size: {description: How big., values: [small, big]}\n"
                                "tables:\n").replace("      shelf: {type: text,", "      size: parcel_size\n"
                                                       "      shelf: {type: text,")
    spec = released(tmp_path, with_enum)
    change(spec, "values: [small, big]", "values: [small]")
    message, hint = refusal(spec)
    assert message == "the spec removes big from type public.parcel_size"
    assert 'acknowledge: [{drop: "value parcel_size.big", reason: "..."}]' in hint


def test_a_cast_counts_for_one_release_only(tmp_path: Path) -> None:
    spec = released(tmp_path)
    change(spec, "shelf: {type: text,", "shelf: {type: integer, using: \"nullif(shelf, '')::integer\",")
    acknowledge(spec, "{narrow: column parcels.shelf, reason: shelves are numbered}")
    assert "using (nullif(shelf, '')::integer)" in plan_project(spec).migrations[0]
    release_project(spec, "numbered_shelves", datetime(2026, 12, 7, 13, tzinfo=UTC))
    assert plan_project(spec).stale == ["spec/parcels.yaml: narrow column parcels.shelf",
                                        "spec/parcels.yaml: using of parcels.shelf"]
    # A later widening uses PostgreSQL's own cast, not the cast left from the last release.
    change(spec, "shelf: {type: integer,", "shelf: {type: bigint,")
    assert "alter column shelf type bigint;" in plan_project(spec).migrations[0]
