"""Requirement IDs on both sides of the trace: those the bundled spec's objects carry, and those
hand-written tests are tagged with (`@pytest.mark.requirement("FIN-01", ...)`).

Tags are read from the source with `ast`, as the docs read them: a tag is a decorator or a
module-level `pytestmark` entry calling `pytest.mark.requirement` with string literals only.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from upoe_compiler import ir
from upoe_compiler.api import CompileFailed, analyse
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


@dataclass(frozen=True)
class Tag:
    """One `pytest.mark.requirement(...)` in a test file: where it is, what it tags (a test function
    or, for `pytestmark`, the whole module) and its arguments (None: an argument that is no string literal)."""

    path: Path
    line: int
    target: str
    ids: tuple[str | None, ...]


def _is_requirement_mark(node: ast.expr) -> bool:
    """`pytest.mark.requirement(...)`, the one shape tags are read in."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "requirement"
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "mark"
            and isinstance(node.func.value.value, ast.Name) and node.func.value.value.id == "pytest")


def _tag(path: Path, call: ast.expr, target: str) -> Tag:
    assert isinstance(call, ast.Call)
    ids = tuple(arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
                for arg in call.args)
    # A keyword argument is no ID either, whatever its value: it reads as None, like a variable.
    return Tag(path, call.lineno, target, ids + (None,) * len(call.keywords))


def requirement_tags(path: Path) -> list[Tag]:
    """The requirement tags of one test file, in source order."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    tags: list[Tag] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            marks = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            tags += [_tag(path, mark, "<module>") for mark in marks if _is_requirement_mark(mark)]
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            tags += [_tag(path, mark, node.name) for mark in node.decorator_list if _is_requirement_mark(mark)]
    return sorted(tags, key=lambda tag: tag.line)


def hand_written_tags() -> list[Tag]:
    """The requirement tags of every hand-written database test."""
    return [tag for path in sorted(HAND_WRITTEN.glob("test_*.py")) for tag in requirement_tags(path)]


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
