"""Diagnostics shared by every stage.

A stage never raises on bad input: it collects `Diagnostic`s, and the API raises
`CompileFailed` once, before anything is written.

Codes are grouped by stage: UPOE1xx load, UPOE2xx validate (schema and semantics),
UPOE3xx graph, UPOE4xx write and releases, UPOE5xx lint; `upoe explain CODE` says each in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class SourcePosition:
    """A place in a spec file; line and column are 1-based.

    `end_line` and `end_column` close the span of the node or token it names, the column just
    past its last character (as SARIF and editors count); None when only the start is known.
    They take no part in comparisons: a place is where it starts.
    """

    file: str
    line: int
    column: int
    end_line: int | None = field(default=None, compare=False)
    end_column: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def end(self) -> tuple[int, int]:
        """Where the span ends; an empty span at the start when its end is unknown."""
        if self.end_line is None or self.end_column is None:
            return (self.line, self.column)
        return (self.end_line, self.end_column)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    position: SourcePosition | None = None
    hint: str | None = None
    severity: str = "error"

    def render(self, with_snippet: bool = True) -> str:
        where = f"{self.position}: " if self.position else ""
        text = f"{where}{self.severity}[{self.code}]: {self.message}"
        if with_snippet and self.position:
            text += _snippet(self.position)
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.position.file if self.position else None,
            "line": self.position.line if self.position else None,
            "column": self.position.column if self.position else None,
            "end_line": self.position.end[0] if self.position else None,
            "end_column": self.position.end[1] if self.position else None,
            "hint": self.hint,
        }

    def check_tuple(self) -> tuple[str, str | None, int | None, int | None]:
        """The short form tests compare against: code, file name, line, column."""
        if self.position is None:
            return (self.code, None, None, None)
        return (self.code, Path(self.position.file).name, self.position.line, self.position.column)

    def sort_key(self) -> tuple[str, int, int, str]:
        pos = self.position
        return (pos.file if pos else "", pos.line if pos else 0, pos.column if pos else 0, self.code)


@dataclass
class DiagnosticSink:
    """Collects diagnostics of one stage; `failed` once any error is added."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(
        self, code: str, message: str, position: SourcePosition | None = None, hint: str | None = None
    ) -> None:
        self.diagnostics.append(Diagnostic(code, message, position, hint))

    def warning(
        self, code: str, message: str, position: SourcePosition | None = None, hint: str | None = None
    ) -> None:
        """Something probably wrong that does not stop the compile: printed beside its summary."""
        self.diagnostics.append(Diagnostic(code, message, position, hint, severity="warning"))

    def extend(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def raise_if_failed(self) -> None:
        if self.failed:
            raise CompileFailed(sorted(self.diagnostics, key=Diagnostic.sort_key))


class CompileFailed(Exception):
    """The spec has errors; nothing was written."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__(f"{len(diagnostics)} error(s) in the spec")


def _snippet(position: SourcePosition) -> str:
    try:
        lines = Path(position.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    if not 1 <= position.line <= len(lines):
        return ""
    source = lines[position.line - 1].replace("\t", " ")
    gutter = f"{position.line:>5} | "
    # The span underlined on its first line: to its end there, or to the end of the line when it goes on.
    end_line, end_column = position.end
    last = end_column if end_line == position.line else len(source.rstrip()) + 1
    width = max(1, last - position.column)
    return f"\n{gutter}{source}\n{' ' * (len(gutter) + position.column - 1)}{'^' * width}"
