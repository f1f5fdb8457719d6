"""Requirement IDs on both sides of the trace: those the bundled spec's objects carry, and those
hand-written tests are tagged with (`@pytest.mark.requirement("FIN-01", ...)`).

Tags are read from the source with `ast`, as the docs read them: a tag is a decorator or a
module-level `pytestmark` entry calling `pytest.mark.requirement` with string literals only.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from upoe_compiler import ir
from upoe_compiler.api import CompileFailed, analyse
from upoe_compiler.requirement_tags import RequirementMark, marks_in
from upoe_compiler.spec_base import RequirementId

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"
HAND_WRITTEN = REPO / "tests" / "db"

_REQUIREMENT_ID = TypeAdapter(RequirementId)


def is_requirement_id(text: str) -> bool:
    """Whether the text is written as the spec writes a requirement ID (`FIN-03`)."""
    try:
        _REQUIREMENT_ID.validate_python(text)
    except ValidationError:
        return False
    return True


@functools.cache
def spec_requirements() -> dict[str, tuple[str, ...]]:
    """Each requirement ID an object (or a column) of the bundled spec carries → the keys of those objects."""
    model, _plan, _diagnostics = analyse(SPEC, run_lint=False)
    carriers: dict[str, set[str]] = {}
    for obj in model.objects:
        for requirement in getattr(obj, "requirements", ()):
            carriers.setdefault(requirement, set()).add(obj.key)
    for table in model.of_type(ir.Table):
        for column in table.columns:
            for requirement in column.requirements:
                carriers.setdefault(requirement, set()).add(f"{table.key}.{column.name}")
    return {requirement: tuple(sorted(keys)) for requirement, keys in sorted(carriers.items())}


@functools.cache
def spec_phases() -> dict[str, int]:
    """Each requirement ID the bundled spec's domains declare → the phase of its domain."""
    model, _plan, _diagnostics = analyse(SPEC, run_lint=False)
    return {requirement: domain.phase for domain in model.domains for requirement, _title in domain.requirements}


def hand_written_tags() -> list[RequirementMark]:
    """The requirement tags of every hand-written database test."""
    return [tag for path in sorted(HAND_WRITTEN.glob("test_*.py")) for tag in marks_in(path)]


def carried_requirements() -> Collection[str] | None:
    """The requirement IDs the bundled spec carries; None while spec/ does not compile (its own
    tests say why, and tests/pipeline/test_traceability.py fails until it does)."""
    try:
        return spec_requirements()
    except CompileFailed:
        return None


def mark_problem(ids: tuple[object, ...], carried: Collection[str] | None) -> str | None:
    """What is wrong with the arguments of one requirement mark (None: nothing); whether the spec
    carries each ID is checked only when `carried` is known."""
    if not ids:
        return "names no requirement: write @pytest.mark.requirement(\"FIN-01\", ...)"
    for requirement in ids:
        if not isinstance(requirement, str):
            return "takes the IDs as string literals only (no variables, no keywords), e.g. \"FIN-01\""
        if not is_requirement_id(requirement):
            return f"'{requirement}' is not written as a requirement ID (AAA-NN, e.g. FIN-01)"
        if carried is not None and requirement not in carried:
            return (f"'{requirement}' is carried by no object of the bundled spec (spec/): tag the test with the "
                    f"requirement it proves, or give the requirement to the objects that implement it")
    return None
