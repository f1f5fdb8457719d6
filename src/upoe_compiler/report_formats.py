"""Diagnostics for tools: GitHub workflow commands (annotations on a pull request) and SARIF
2.1.0 (code scanning, editors). Text and JSON are the diagnostics' own (`errors.Diagnostic`).

Places are printed relative to the current folder with `/`, as a CI job checked out at the
repository's root names its files; ends are the column past the span's last character.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from . import __version__
from .errors import Diagnostic, SourcePosition
from .explanations import explanations

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def relative_file(position: SourcePosition) -> str:
    """The file as a path from the current folder, `/`-separated; absolute when it lies outside."""
    path = Path(position.file)
    try:
        relative = os.path.relpath(path.resolve(), Path.cwd().resolve()) if path.is_absolute() else position.file
    except ValueError:  # another drive
        return path.as_posix()
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


# GitHub's escaping of workflow commands: the data, and (stricter) the values of properties.
_DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, ":": "%3A", ",": "%2C"}


def _escape(text: str, escapes: dict[str, str]) -> str:
    return "".join(escapes.get(char, char) for char in text)


def github_command(diagnostic: Diagnostic) -> str:
    """`::error file=F,line=L,col=C,endLine=..,endColumn=..,title=CODE::message` (`::warning` for a warning)."""
    properties: list[tuple[str, object]] = []
    position = diagnostic.position
    if position is not None:
        properties += [("file", relative_file(position)), ("line", position.line), ("col", position.column)]
        if position.end_line is not None and position.end_column is not None:
            properties += [("endLine", position.end_line), ("endColumn", position.end_column)]
    properties.append(("title", diagnostic.code))
    listed = ",".join(f"{name}={_escape(str(value), _PROPERTY_ESCAPES)}" for name, value in properties)
    return f"::{diagnostic.severity} {listed}::{_escape(_message(diagnostic), _DATA_ESCAPES)}"


def _message(diagnostic: Diagnostic) -> str:
    return diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")


def sarif_log(diagnostics: list[Diagnostic]) -> dict[str, object]:
    """One run of upoe-compiler: every code it knows as a rule, each diagnostic as a result."""
    known = explanations()
    rules = [
        {
            "id": code,
            "shortDescription": {"text": explanation.title},
            "fullDescription": {"text": f"{explanation.meaning} Why it matters: {explanation.why}"},
            "help": {"text": f"Run `upoe explain {code}` for the whole explanation with an example."},
            "defaultConfiguration": {"level": explanation.severity},
            "properties": {"stage": explanation.stage},
        }
        for code, explanation in known.items()
    ]
    index = {code: number for number, code in enumerate(known)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "upoe-compiler", "version": __version__, "rules": rules}},
            "results": [_sarif_result(d, index) for d in diagnostics],
        }],
    }


def _sarif_result(diagnostic: Diagnostic, index: dict[str, int]) -> dict[str, object]:
    result: dict[str, object] = {"ruleId": diagnostic.code, "level": diagnostic.severity,
                                 "message": {"text": _message(diagnostic)}}
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    position = diagnostic.position
    if position is not None:
        end_line, end_column = position.end
        result["locations"] = [{"physicalLocation": {
            "artifactLocation": {"uri": quote(relative_file(position))},
            "region": {"startLine": position.line, "startColumn": position.column,
                       "endLine": end_line, "endColumn": end_column},
        }}]
    return result


def sarif_text(diagnostics: list[Diagnostic]) -> str:
    return json.dumps(sarif_log(diagnostics), indent=2)
