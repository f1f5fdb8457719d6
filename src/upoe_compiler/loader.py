"""Stage 1 — load.

Input: a spec directory of `*.yaml` files (one domain each).
Output: `LoadedFile`s: plain Python data plus the file:line:col of every key and value.
Errors: UPOE101 YAML syntax (also: nesting too deep, an alias inside itself), UPOE102
duplicate key, UPOE103 file too large or unreadable (also: aliases expanding to too many
nodes), UPOE104 empty file.

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
# Aliases (`*name`) repeat a node wherever they are used; these bound what a small file can expand to.
MAX_YAML_NODES = 500_000
MAX_NESTING = 100

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


try:
    _CParserBase: type | None = yaml._yaml.CParser  # type: ignore[attr-defined]
except AttributeError:  # PyYAML built without libyaml
    _CParserBase = None


if _CParserBase is not None:

    class _CComposer(_CParserBase, _CoreSchemaResolver):  # type: ignore[misc,valid-type]
        """libyaml's scanner, parser and composer with our resolver: several times faster."""

        def __init__(self, stream: str) -> None:
            _CParserBase.__init__(self, stream)
            _CoreSchemaResolver.__init__(self)
else:
    _CComposer = None


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
        """Where the value at `path` is (its key, when the value itself is not there).

        A shorthand (`name: text`, `tenancy: community`, `unique: [[a, b]]`) stands for a
        mapping with one main key: the value of that key is the scalar or list written in
        the mapping's place.
        """
        if path in self.value_positions:
            return self.value_positions[path]
        depth = len(path) - 1
        while depth > 0 and path[:depth] not in self.value_positions:
            depth -= 1
        nearest, rest = path[:depth], path[depth:]
        node = self._data_at(nearest)
        if isinstance(node, list) and len(rest) > 1:
            shorthand = (*nearest, *rest[1:])
            if shorthand in self.value_positions:
                return self.value_positions[shorthand]
        if node is not None and not isinstance(node, dict) and nearest in self.value_positions:
            return self.value_positions[nearest]
        return self.position(path)

    def _data_at(self, path: Path_) -> Any:
        node = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node


def display_name(path: Path) -> str:
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


def load_spec_dir(spec_dir: Path, sink: DiagnosticSink) -> list[LoadedFile]:
    files = sorted(p for p in spec_dir.glob("*.yaml") if p.is_file())
    for stray in sorted(p for p in spec_dir.glob("*.yml") if p.is_file()):
        # A domain that is not read would vanish from the build without a word.
        sink.error("UPOE106", f"{display_name(stray)} is not read: spec files end in .yaml",
                   SourcePosition(display_name(stray), 1, 1), f"rename it to {stray.stem}.yaml")
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
        data = path.read_bytes()
    except OSError as exc:
        sink.error("UPOE103", f"cannot read spec file: {exc}", SourcePosition(name, 1, 1),
                   hint="check that the file exists and can be read")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Point at the first byte that is not UTF-8: lines and columns of the text before it.
        before = data[: exc.start].decode("utf-8")
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        sink.error("UPOE103", f"spec file is not UTF-8 text: byte 0x{data[exc.start]:02X} cannot be decoded",
                   SourcePosition(name, line, column),
                   hint="spec files must be UTF-8 text: save the file as UTF-8 in your editor")
        return None
    return load_text(text, name, path, sink)


class _Abort(Exception):
    """A file that cannot be loaded at all: one diagnostic, no data."""

    def __init__(self, code: str, message: str, position: SourcePosition, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.position, self.hint = code, message, position, hint


def _fast_compose(text: str) -> Node | None:
    """The node tree from libyaml when it is there and the text is valid; None otherwise, so
    that the pure-Python composer, whose errors we know how to place, reads it again."""
    if _CComposer is None:
        return None
    composer = _CComposer(text)
    try:
        return composer.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        composer.dispose()


def load_text(text: str, name: str, path: Path, sink: DiagnosticSink) -> LoadedFile | None:
    root = _fast_compose(text)
    if root is not None:
        return _construct_file(root, name, path, text, sink)
    try:
        composer = _Composer(text)
    except yaml.reader.ReaderError as exc:
        _unprintable(exc, text, name, sink)
        return None
    try:
        root = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        sink.error("UPOE101", *_syntax_error(exc, text, name))
        return None
    except yaml.reader.ReaderError as exc:
        _unprintable(exc, text, name, sink)
        return None
    except RecursionError:
        # Where the stack ran out depends on the caller: report the first node nested too deeply.
        sink.error("UPOE101", f"YAML syntax error: nested deeper than {MAX_NESTING} levels",
                   _too_deep(text, name), "a spec needs no more than a few levels of nesting")
        return None
    finally:
        composer.dispose()
    return _construct_file(root, name, path, text, sink)


def _construct_file(root: Node | None, name: str, path: Path, text: str, sink: DiagnosticSink) -> LoadedFile | None:
    if root is None or (isinstance(root, ScalarNode) and root.value == "" and not root.style
                        and root.tag == "tag:yaml.org,2002:null"):  # nothing but `---`
        sink.error("UPOE104", "spec file is empty", SourcePosition(name, 1, 1),
                   hint="start the file with `domain: <name>`")
        return None
    loaded = LoadedFile(path=path, display_name=name, data=None)
    try:
        loaded.data = _Constructor(loaded, text.splitlines(), sink).construct(root, ())
    except _Abort as abort:
        sink.error(abort.code, abort.message, abort.position, abort.hint)
        return None
    return loaded


_OPENS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
          yaml.FlowSequenceStartToken)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
_NODES = (*_OPENS, yaml.ScalarToken, yaml.AliasToken)


def _too_deep(text: str, name: str) -> SourcePosition:
    """The first value inside more than MAX_NESTING collections, found by the (iterative) scanner."""
    depth, is_key = 0, False
    try:
        for token in yaml.scan(text):
            if isinstance(token, yaml.KeyToken):
                is_key = True
            elif isinstance(token, _NODES):
                if depth > MAX_NESTING and not is_key:
                    return SourcePosition(name, token.start_mark.line + 1, token.start_mark.column + 1)
                is_key = False
            if isinstance(token, _OPENS):
                depth += 1
            elif isinstance(token, _CLOSES):
                depth -= 1
    except yaml.YAMLError:
        pass
    return SourcePosition(name, 1, 1)


def _unprintable(exc: yaml.reader.ReaderError, text: str, name: str, sink: DiagnosticSink) -> None:
    before = text[: exc.position]
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    sink.error("UPOE101", f"YAML cannot hold the control character U+{exc.character:04X}",
               SourcePosition(name, line, column), "remove the character; spec files are plain text")


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, name: str) -> tuple[str, SourcePosition, str]:
    """Message, position and hint of a YAML syntax error."""
    lines = text.splitlines()
    mark, context = exc.problem_mark, exc.context_mark
    # A construct left open (a quote, a bracket) fails at the end of the file: point at its start.
    if mark is None or (context is not None and mark.line >= len(lines)):
        mark = context
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}"
    if exc.problem and exc.context and context is not None:
        where = f"line {context.line + 1}, column {context.column + 1}"
        if exc.problem.startswith("but "):  # "expected a single document in the stream", "but found another document"
            message = f"YAML syntax error: {exc.context} (from {where}), {exc.problem}"
        else:
            message += f" ({exc.context} at {where})"
    source = lines[line - 1] if 1 <= line <= len(lines) else ""
    indentation = source[: len(source) - len(source.lstrip(" \t"))]
    if "'\\t'" in message or "tab character" in message or "\t" in indentation:
        hint = "indent with spaces; YAML does not allow tabs"
    elif "undefined alias" in message:
        hint = "set the anchor (&name) on a value above before using it as *name; check the spelling"
    elif "another document" in message or "<document start>" in message:
        hint = "a spec file is one YAML document: remove the `---` or `...`, or give the second domain its own file"
    else:
        hint = "check the indentation and quoting around this place"
    return message, SourcePosition(name, line, column), hint


def _position(node: Node, name: str, lines: list[str]) -> SourcePosition:
    """Where the node starts and ends (the end is the column past its last character)."""
    end_line, end_column = _end(node, lines)
    return SourcePosition(name, node.start_mark.line + 1, node.start_mark.column + 1, end_line, end_column)


def _end(node: Node, lines: list[str]) -> tuple[int, int]:
    """The 1-based end of a node's own text. A block mapping or list ends where its last item
    does, and a block scalar (`|`, `>`) on its last line of text: their end marks stand at the
    next token, past blank lines and comments."""
    seen: set[int] = set()  # an alias inside its own anchor makes the chain a loop
    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value and id(node) not in seen:
        seen.add(id(node))
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    line, column = node.end_mark.line, node.end_mark.column  # 0-based
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        last = line + 1 if column else line  # 1-based: the line the mark stands on, or the one before it
        while last > node.start_mark.line + 1 and (last > len(lines) or not lines[last - 1].strip()):
            last -= 1
        return last, len(lines[last - 1].rstrip()) + 1 if last <= len(lines) else 1
    return line + 1, column + 1


class _Constructor:
    """Builds plain data from the node tree, recording the position of every key and value."""

    def __init__(self, loaded: LoadedFile, lines: list[str], sink: DiagnosticSink) -> None:
        self.loaded = loaded
        self.lines = lines
        self.sink = sink
        self.nodes = 0
        self.open: set[int] = set()  # the nodes being built, to spot an alias inside itself

    def construct(self, node: Node, path: Path_) -> Any:
        position = _position(node, self.loaded.display_name, self.lines)
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise _Abort("UPOE103", f"spec file expands to over {MAX_YAML_NODES} YAML nodes", position,
                         "aliases (*name) repeat their anchor's content; write the repeated parts out")
        if len(path) > MAX_NESTING:
            raise _Abort("UPOE101", f"YAML syntax error: nested deeper than {MAX_NESTING} levels", position,
                         "a spec needs no more than a few levels of nesting")
        if id(node) in self.open:
            # The alias has no node of its own: point at the key it is the value of.
            raise _Abort("UPOE101", f"YAML syntax error: an alias refers to the node that contains it "
                         f"(anchored at line {position.line})", self.loaded.key_positions.get(path, position),
                         "an anchor (&name) cannot be used (*name) inside its own value")
        self.loaded.value_positions[path] = position
        if not isinstance(node, SequenceNode | MappingNode):
            if "\x00" in node.value:
                # A double-quoted "\0" loads as NUL, which no PostgreSQL text can hold.
                self.sink.error("UPOE101", "text cannot contain the NUL character (\\0)", position,
                                "remove the \\0 escape from the quoted text")
            return _scalar(node)
        self.open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.construct(item, (*path, index)) for index, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: MappingNode, path: Path_) -> dict[str, Any]:
        loaded, sink = self.loaded, self.sink
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_position = _position(key_node, loaded.display_name, self.lines)
            if not isinstance(key_node, ScalarNode):
                sink.error("UPOE101", "a mapping key must be a plain name", key_position,
                           hint="write the key as a single word")
                continue
            key = key_node.value
            if key == "<<" and not key_node.style:  # plain, not quoted: None in PyYAML, "" in libyaml
                sink.error("UPOE101", "YAML merge keys (<<) are not supported", key_position,
                           hint="YAML 1.2 has no merge keys: write the keys out (an alias *name can stand "
                                "for a whole value)")
                continue
            if key in result:
                first = loaded.key_positions[(*path, key)]
                sink.error(
                    "UPOE102",
                    f"duplicate key '{key}' (first defined at line {first.line}, column {first.column})",
                    key_position,
                    hint="remove or rename one of the two entries",
                )
                continue
            loaded.key_positions[(*path, key)] = key_position
            result[key] = self.construct(value_node, (*path, key))
        return result


def _scalar(node: Node) -> Any:
    value = node.value
    tag = node.tag
    # An explicit `!!null` or `!!bool` on other text keeps the text: validation says why.
    if tag == "tag:yaml.org,2002:null":
        return None if value in ("", "~", "null", "Null", "NULL") else value
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true" if value.lower() in ("true", "false") else value
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
