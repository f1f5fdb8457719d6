"""Stage 1 — load.

Input: a spec directory of `*.yaml` files (one domain each).
Output: `LoadedFile`s: plain Python data plus the file:line:col of every key and value.
Errors: UPOE101 YAML syntax, UPOE102 duplicate key, UPOE103 file too large or unreadable,
UPOE104 empty file.

YAML is read with the 1.2 core schema: `yes`/`no`/`on`/`off` stay strings, bare dates
stay strings, and mapping keys are always the text as written, so a column called
`no` is a column called "no".
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import DiagnosticSink, SourcePosition

MAX_SPEC_FILE_BYTES = 2_000_000

Path_ = tuple[str | int, ...]


class _CoreSchemaResolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema: no implicit timestamps, booleans only true/false."""


_CORE_RESOLVERS: list[tuple[str, str, str]] = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
]
for _tag, _pattern, _first in _CORE_RESOLVERS:
    _CoreSchemaResolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_CoreSchemaResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])


class _Composer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _CoreSchemaResolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CoreSchemaResolver.__init__(self)


@dataclass
class LoadedFile:
    """One spec file: its data and where each node stands."""

    path: Path
    display_name: str
    data: Any
    value_positions: dict[Path_, SourcePosition] = field(default_factory=dict)
    key_positions: dict[Path_, SourcePosition] = field(default_factory=dict)

    def position(self, path: Path_) -> SourcePosition:
        """Where the node at `path` is; for a missing node, its closest existing parent."""
        for depth in range(len(path), -1, -1):
            prefix = path[:depth]
            if prefix in self.key_positions:
                return self.key_positions[prefix]
            if prefix in self.value_positions:
                return self.value_positions[prefix]
        return SourcePosition(self.display_name, 1, 1)

    def value_position(self, path: Path_) -> SourcePosition:
        """Where the value at `path` is (its key, when the value itself is not there)."""
        return self.value_positions.get(path) or self.position(path)


def display_name(path: Path) -> str:
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


def load_spec_dir(spec_dir: Path, sink: DiagnosticSink) -> list[LoadedFile]:
    files = sorted(p for p in spec_dir.glob("*.yaml") if p.is_file())
    if not files:
        sink.error(
            "UPOE105",
            f"no spec files (*.yaml) in {display_name(spec_dir)}",
            hint="point --spec at the folder holding one YAML file per domain",
        )
    loaded = [load_file(path, sink) for path in files]
    return [f for f in loaded if f is not None]


def load_file(path: Path, sink: DiagnosticSink) -> LoadedFile | None:
    name = display_name(path)
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_FILE_BYTES:
            sink.error(
                "UPOE103",
                f"spec file is {size} bytes, over the limit of {MAX_SPEC_FILE_BYTES}",
                SourcePosition(name, 1, 1),
                hint="split the domain into several files",
            )
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        sink.error("UPOE103", f"cannot read spec file: {exc}", SourcePosition(name, 1, 1),
                   hint="spec files must be UTF-8 text")
        return None
    return load_text(text, name, path, sink)


def load_text(text: str, name: str, path: Path, sink: DiagnosticSink) -> LoadedFile | None:
    composer = _Composer(text)
    try:
        root = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "indent with spaces; YAML does not allow tabs" if "\\t" in problem or "tab" in problem \
            else "check the indentation and quoting around this place"
        sink.error("UPOE101", f"YAML syntax error: {problem}", SourcePosition(name, line, column), hint)
        return None
    finally:
        composer.dispose()
    if root is None:
        sink.error("UPOE104", "spec file is empty", SourcePosition(name, 1, 1),
                   hint="start the file with `domain: <name>`")
        return None
    loaded = LoadedFile(path=path, display_name=name, data=None)
    loaded.data = _construct(root, (), loaded, sink)
    return loaded


def _position(node: Node, name: str) -> SourcePosition:
    return SourcePosition(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _construct(node: Node, path: Path_, loaded: LoadedFile, sink: DiagnosticSink) -> Any:
    loaded.value_positions[path] = _position(node, loaded.display_name)
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_position = _position(key_node, loaded.display_name)
            if not isinstance(key_node, ScalarNode):
                sink.error("UPOE101", "a mapping key must be a plain name", key_position,
                           hint="write the key as a single word")
                continue
            key = key_node.value
            if key in result:
                first = loaded.key_positions[(*path, key)]
                sink.error(
                    "UPOE102",
                    f"duplicate key '{key}' (first defined at line {first.line})",
                    key_position,
                    hint="remove or rename one of the two entries",
                )
                continue
            loaded.key_positions[(*path, key)] = key_position
            result[key] = _construct(value_node, (*path, key), loaded, sink)
        return result
    if isinstance(node, SequenceNode):
        return [_construct(item, (*path, index), loaded, sink) for index, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: Node) -> Any:
    value = node.value
    tag = node.tag
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    try:
        if tag == "tag:yaml.org,2002:int":
            return int(value, 0) if value.startswith(("0o", "0x")) else int(value)
        if tag == "tag:yaml.org,2002:float":
            return _float(value)
    except ValueError:
        pass  # an explicit `!!int` on text that is no number: keep the text, validation says why
    return value


def _float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value)
