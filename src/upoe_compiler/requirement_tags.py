"""Hand-written tests tagged with requirement IDs, for the docs' traceability table.

A tag is `@pytest.mark.requirement("FIN-01", "FIN-02")` on a test function, a test class or a
method, or a module's (or class's) `pytestmark = pytest.mark.requirement(...)` (alone or in a
list). The files are read with `ast`, never imported, so reading them runs none of their code;
only string literals count as IDs.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from .errors import DiagnosticSink, SourcePosition

UNKNOWN_REQUIREMENT = "UPOE420"
UNREADABLE_TEST_FILE = "UPOE421"
PYTESTMARK = "pytestmark"


@dataclass(frozen=True, order=True)
class RequirementTag:
    """One requirement ID of a tag: in `file` (as found under the folder given), on `test`
    (`test_f`, `TestX::test_f`, or "" for a module's pytestmark), at `line`:`column` of the ID."""

    file: str
    line: int
    column: int
    requirement: str
    test: str


@dataclass(frozen=True)
class RequirementMark:
    """One `pytest.mark.requirement(...)` as written: the test it tags (as in RequirementTag) and,
    per argument, the ID with its line and column; None for an argument that is no string literal
    (a variable or a keyword), which only the test run, not the source, could tell."""

    file: str
    line: int
    test: str
    arguments: tuple[tuple[str | None, int, int], ...]

    @property
    def ids(self) -> tuple[str | None, ...]:
        return tuple(requirement for requirement, _line, _column in self.arguments)


def marks_in(path: Path) -> list[RequirementMark]:
    """The requirement marks of one Python file, in source order; raises SyntaxError or
    UnicodeDecodeError when Python cannot read it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(_marks_of(str(path), tree.body, prefix=""), key=lambda mark: (mark.line, mark.test))


def read_tags(folder: Path, sink: DiagnosticSink) -> list[RequirementTag]:
    """Every tag of the Python files under `folder`, sorted by file and line; a file Python cannot
    parse is a warning (its tests are left out of the table)."""
    tags: list[RequirementTag] = []
    for path in sorted(folder.rglob("*.py")):
        if any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(folder).parts):
            continue
        try:
            marks = marks_in(path)
        except (SyntaxError, UnicodeDecodeError) as error:
            line = getattr(error, "lineno", None) or 1
            sink.warning(UNREADABLE_TEST_FILE, f"cannot read the requirement tags of {path}: {error}",
                         SourcePosition(str(path), line, 1), "fix the file, or move it out of the --tests folder")
            continue
        tags.extend(RequirementTag(mark.file, line, column, requirement, mark.test)
                    for mark in marks for requirement, line, column in mark.arguments if requirement is not None)
    return sorted(tags)


def check_tags(tags: Iterable[RequirementTag], declared: Iterable[str], sink: DiagnosticSink) -> None:
    """A warning at each tag naming a requirement no domain of the spec declares: the traceability
    table has no row for it, so the test would trace to nothing."""
    names = sorted(set(declared))
    for tag in tags:
        if tag.requirement in names:
            continue
        close = difflib.get_close_matches(tag.requirement, names, n=1)
        sink.warning(UNKNOWN_REQUIREMENT,
                     f"{tag.test or 'the module'} is tagged with requirement '{tag.requirement}', which no domain "
                     "of the spec declares", SourcePosition(tag.file, tag.line, tag.column),
                     f"did you mean '{close[0]}'?" if close else
                     "tag tests with the IDs the spec's domains declare under `requirements:`")


def _marks_of(file: str, body: list[ast.stmt], prefix: str) -> Iterator[RequirementMark]:
    for node in body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == PYTESTMARK for t in node.targets):
            marks = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            yield from _marks(file, marks, prefix.removesuffix("::"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _marks(file, node.decorator_list, f"{prefix}{node.name}")
            if isinstance(node, ast.ClassDef):
                yield from _marks_of(file, node.body, f"{prefix}{node.name}::")


def _marks(file: str, marks: list[ast.expr], test: str) -> Iterator[RequirementMark]:
    for mark in marks:
        if _is_requirement_mark(mark):
            arguments = tuple(
                (argument.value if isinstance(argument, ast.Constant) and isinstance(argument.value, str) else None,
                 argument.lineno, argument.col_offset + 1)
                for argument in (*mark.args, *(keyword.value for keyword in mark.keywords)))
            yield RequirementMark(file, mark.lineno, test, arguments)


def _is_requirement_mark(node: ast.expr) -> TypeGuard[ast.Call]:
    """`pytest.mark.requirement(...)`."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "requirement"
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "mark"
            and isinstance(node.func.value.value, ast.Name) and node.func.value.value.id == "pytest")
