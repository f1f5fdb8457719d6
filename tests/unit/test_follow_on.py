"""Follow-on errors: what uses a broken file's names is skipped, and only that — a name that
appears in prose (a description) makes nothing depend on the broken file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from upoe_compiler.api import check_project
from upoe_compiler.errors import CompileFailed

from .test_bad_specs import BUNDLED_SPEC

BROKEN = """\
domain: chores
title: Chores
description: Chores of a community.
phase: 2
tables:
  jobs:
    description: Jobs to do.
    columns: {label: text}
"""

PROSE_ONLY = """\
domain: yard
title: Yard
description: The yard, where the jobs of the chores domain are done.
phase: 2
tables:
  yard_tools:
    description: Tools for the jobs.
    tenancy: community
    columns: {weight: intger}
"""


def test_a_name_in_a_description_makes_no_entry_a_follow_on(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(BUNDLED_SPEC, spec)
    (spec / "chores.yaml").write_text(BROKEN, encoding="utf-8")
    (spec / "yard.yaml").write_text(PROSE_ONLY, encoding="utf-8")
    with pytest.raises(CompileFailed) as failure:
        check_project(spec)
    found = {(d.code, Path(d.position.file).name) for d in failure.value.diagnostics if d.position}
    # The missing tenancy of jobs, and the yard's own typo, which does not stem from it.
    assert found == {("UPOE202", "chores.yaml"), ("UPOE220", "yard.yaml")}
    broken = next(d for d in failure.value.diagnostics if d.code == "UPOE202")
    assert "yard" not in (broken.hint or "") and "foundation" not in (broken.hint or "")
