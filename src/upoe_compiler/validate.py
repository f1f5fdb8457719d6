"""Stage 2 — validate.

Input: `LoadedFile`s from the loader.
Output: a `ValidatedSpec`: every file as a `DomainSpec`, with its positions kept.
Errors: UPOE201..UPOE207 for the shape of the YAML (unknown key, missing key, wrong
type, invalid value, an entry under the wrong section) and the semantic checks of `checks/`
(UPOE210 and up).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .catalog import build_catalog
from .checks import run_all
from .construct_checks import MAX_LISTED_CHOICES, check_constructs
from .errors import Diagnostic, DiagnosticSink
from .loader import LoadedFile, Path_
from .spec import DomainSpec
from .validated import SpecFile, ValidatedSpec

__all__ = ["SpecFile", "ValidatedSpec", "validate"]


def validate(loaded_files: list[LoadedFile], sink: DiagnosticSink) -> ValidatedSpec:
    """Every file's shape; then the semantic checks of the files that have the right shape. When
    some file failed to load or has the wrong shape, what depends on it is not checked (its errors
    would only stem from the broken file): the first error of that file says so."""
    files = []
    for loaded in loaded_files:
        spec = _validate_shape(loaded, sink)
        if spec is not None:
            files.append(SpecFile(loaded, spec))
    broken = sorted({d.position.file for d in sink.diagnostics if d.severity == "error" and d.position})
    healthy = tuple(file for file in files if file.name not in broken)
    validated = ValidatedSpec(healthy, build_catalog(healthy))
    checks = DiagnosticSink()
    run_all(validated, checks)
    check_constructs(validated, checks)
    if not broken:
        sink.extend(checks.diagnostics)
        return validated
    by_name = {loaded.display_name: loaded for loaded in loaded_files}
    declared = {name: _declared_names(by_name.get(name), name) for name in broken}
    # Broken file → file → what in it depends on the broken file.
    skipped: dict[str, dict[str, list[str]]] = {name: {} for name in broken}
    spans: list[tuple[str, tuple[int, int], tuple[int, int]]] = []  # file, from (line, column), before
    for file in healthy:
        for section, name, start, end, body_files, words in _entries(file):
            causes = [broken_file for broken_file in broken if words & declared[broken_file]]
            for cause in causes:
                skipped[cause].setdefault(file.name, []).append(f"{section[:-1]} {name}")
            if causes:
                spans.append((file.name, start, end))
                spans += [(body_file, (1, 1), (_NO_END, _NO_END)) for body_file in body_files]
    sink.extend([d for d in checks.diagnostics if d.position is None or not any(
        where == d.position.file and start <= (d.position.line, d.position.column) < end
        for where, start, end in spans)])
    for broken_file, dependents in skipped.items():
        if dependents:
            _note_skipped(sink, broken_file, dependents)
    return validated


_NO_END = 1 << 30
# Names and requirement IDs in keys and values of a spec entry.
_WORDS = re.compile(r"[A-Z]+-[0-9]+|[A-Za-z_][A-Za-z0-9_]*")
_DECLARING_SECTIONS = ("requirements", "roles", "enums", "types", "functions", "tables", "views", "buckets")


def _declared_names(loaded: LoadedFile | None, display_name: str) -> set[str]:
    """The names a broken file declares: from its data when it loaded, else from its text (the keys
    one level under each declaring section), as far as it can be read."""
    data = loaded.data if loaded is not None else None
    if isinstance(data, dict):
        return {str(name) for section in _DECLARING_SECTIONS if isinstance(data.get(section), dict)
                for name in data[section]}
    try:
        text = Path(display_name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    names: set[str] = set()
    section, indent = None, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if top := re.match(r"([A-Za-z_]\w*)\s*:", line):
            section, indent = top[1], None
            continue
        width = len(line) - len(line.lstrip(" "))
        indent = width if indent is None else indent
        # A name without its colon (`lockers` alone on its line) may be the very syntax error.
        entry = re.match(r"\s*[\"']?([\w-]+)[\"']?\s*(?::|$)", line)
        if section in _DECLARING_SECTIONS and width == indent and entry:
            names.add(entry[1])
    return names


def _entries(file: SpecFile) -> Iterator[tuple[str, str, tuple[int, int], tuple[int, int], list[str], set[str]]]:
    """Each named entry of a file (a table, function, view, …): its section, name, where it starts
    and where the next entry or section starts, the body and query files it names, and the words
    it is written with (theirs included)."""
    data = file.loaded.data
    starts = sorted((p.line, p.column) for path, p in file.loaded.key_positions.items()
                    if len(path) == 1 or (len(path) == 2 and path[0] in _DECLARING_SECTIONS))
    for section in _DECLARING_SECTIONS:
        for name, node in (data.get(section) or {}).items():
            key = file.loaded.key_positions.get((section, name))
            if key is None:
                continue
            start = (key.line, key.column)
            end = next((later for later in starts if later > start), (_NO_END, _NO_END))
            body_files = [str((file.spec_dir / node[k]).resolve()) for k in _BODY_FILE_KEYS
                          if isinstance(node, dict) and isinstance(node.get(k), str)]
            texts = [_text_of(node), *(_read(path) for path in body_files)]
            yield section, str(name), start, end, body_files, {w for text in texts for w in _WORDS.findall(text)}


_BODY_FILE_KEYS = ("body_file", "invoker_body_file", "query_file")


# Prose for people: a name written there uses nothing, so it makes no entry depend on a file.
_PROSE_KEYS = frozenset({"description", "title", "means", "reason"})


def _text_of(node: Any) -> str:
    """The keys and scalar values of a node, one per line, prose left out."""
    if isinstance(node, dict):
        return "\n".join(f"{key}\n{_text_of(value)}" for key, value in node.items() if key not in _PROSE_KEYS)
    if isinstance(node, list):
        return "\n".join(_text_of(item) for item in node)
    return str(node)


def _read(path: str) -> str:
    """A body or query file's text without its SQL comments (prose, like descriptions)."""
    try:
        return _SQL_COMMENT.sub(" ", Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""


# Line and block comments; one inside a string literal is cut too, which at worst reports a follow-on.
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def _note_skipped(sink: DiagnosticSink, broken_file: str, dependents: dict[str, list[str]]) -> None:
    """Say once, in the hint of the broken file's first error, what was not checked because of it."""
    first = min((d for d in sink.diagnostics if d.severity == "error" and d.position
                 and d.position.file == broken_file), key=Diagnostic.sort_key)
    listed = "; ".join(f"{file}: {', '.join(names[:MAX_LISTED_CHOICES])}"
                       + (f" and {len(names) - MAX_LISTED_CHOICES} more" if len(names) > MAX_LISTED_CHOICES else "")
                       for file, names in dependents.items())
    note = f"checks of what depends on {Path(broken_file).name} were skipped until it is fixed ({listed})"
    sink.diagnostics[sink.diagnostics.index(first)] = replace(first, hint=f"{first.hint}; {note}" if first.hint
                                                               else note)


def _validate_shape(loaded: LoadedFile, sink: DiagnosticSink) -> DomainSpec | None:
    if not isinstance(loaded.data, dict):
        sink.error(
            "UPOE203",
            "a spec file must be a mapping with `domain`, `title`, `description` and `phase`",
            loaded.position(()),
            hint="start the file with `domain: <name>`",
        )
        return None
    try:
        return DomainSpec.model_validate(loaded.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        misplaced = _report_misplaced(loaded, errors, sink)
        misspelt = _misspelt_required(errors)
        for error in errors:
            if tuple(error["loc"]) in misspelt:
                continue
            if not any(tuple(error["loc"][:len(entry)]) == entry for entry in misplaced):
                _report(loaded, error, sink)
        return None


def _misspelt_required(errors: list[Any]) -> set[Path_]:
    """Missing required keys written under a misspelt name beside them (`descriptin:` for
    `description:`): the unknown key's error already says which key was meant, so the missing
    key's error would only repeat it."""
    unknown: dict[Path_, list[str]] = {}
    for error in errors:
        if error["type"] == "extra_forbidden" and error["loc"]:
            unknown.setdefault(tuple(error["loc"][:-1]), []).append(str(error["loc"][-1]))
    misspelt: set[Path_] = set()
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc and difflib.get_close_matches(str(loc[-1]), unknown.get(loc[:-1], []),
                                                                             n=1):
            misspelt.add(loc)
    return misspelt


def _section_fields() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each section of a spec file that names its entries (`tables:`, `enums:`, `buckets:`, …):
    the keys an entry may have and those it must have (none for text entries such as roles)."""
    sections = {}
    for name, field_info in DomainSpec.model_fields.items():
        if typing.get_origin(_unwrap(field_info.annotation)) is not dict:
            continue
        entry = _unwrap(typing.get_args(_unwrap(field_info.annotation))[-1])
        if isinstance(entry, type) and issubclass(entry, BaseModel):
            sections[name] = (frozenset(entry.model_fields),
                              frozenset(key for key, info in entry.model_fields.items() if info.is_required()))
        else:
            sections[name] = (frozenset(), frozenset())
    return sections


def _report_misplaced(loaded: LoadedFile, errors: list[Any], sink: DiagnosticSink) -> list[Path_]:
    """One UPOE207 for each entry whose keys are those of another section's entries (a table under
    `buckets:`, an enum under `tables:`, a table at the top level), instead of one error per key;
    returns the entries reported."""
    sections = _section_fields()
    entries: dict[Path_, str | None] = {}  # an entry's path → the section it stands in
    for error in errors:
        loc = tuple(error["loc"])
        if len(loc) >= 2 and loc[0] in sections:
            entries.setdefault(loc[:2], str(loc[0]))
        elif len(loc) == 1 and error["type"] == "extra_forbidden":
            entries.setdefault(loc, None)
    reported = []
    for entry, section in entries.items():
        keys = loaded.data.get(entry[0]) if len(entry) == 2 else loaded.data
        keys = keys.get(entry[-1]) if isinstance(keys, dict) else None
        if not isinstance(keys, dict) or not keys:
            continue
        written = set(keys)
        telling = sorted(written - sections[section][0]) if section is not None else sorted(written)
        if not telling:
            continue  # every key belongs where it is: the error is inside it
        fitting = [name for name, (allowed, required) in sections.items()
                   if name != section and allowed and written <= allowed and required <= written]
        if not fitting:
            continue
        # Of several sections it would fit, the one whose entries have the fewest keys says most.
        target = min(fitting, key=lambda name: len(sections[name][0]))
        where = f"under `{section}:`" if section is not None else "at the top level of the file"
        sink.error("UPOE207", f"'{entry[-1]}' is {where}, but it has the keys of {_a(target[:-1])} "
                   f"({', '.join(telling)})", loaded.key_positions.get(entry) or loaded.position(entry),
                   f"move it under `{target}:`")
        reported.append(entry)
    return reported


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _report(loaded: LoadedFile, error: Any, sink: DiagnosticSink) -> None:
    loc: Path_ = tuple(error["loc"])
    kind = error["type"]
    # An error in a mapping's key (a name) comes with `[key]` after the key itself.
    on_key = bool(loc) and loc[-1] == "[key]"
    if on_key:
        loc = loc[:-1]
    field = str(loc[-1]) if loc else "file"
    # An item of a list has no name of its own: say which item of which key, as written
    # (`select: [member, ""]` stands for `select: [{roles: [member]}, {roles: [""]}]`).
    written = loc
    while len(written) > 1 and written not in loaded.value_positions:
        written = written[:-1]
    named = f"'{field}'"
    if len(written) > 1 and isinstance(written[-1], int):
        named = f"item {written[-1] + 1} of '{written[-2]}'"
    elif written == loc[:-1] and len(loc) > 1 and not isinstance(loc[-2], int):
        # A shorthand (`tenancy: community` for `{kind: community}`): name the key as written.
        named = f"'{loc[-2]}'"
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = sorted(_fields_at(loc[:-1]))
        close = difflib.get_close_matches(field, allowed, n=1)
        if " " in field.strip() and value is None:
            # Words after a comma in `{description: A, B}`: YAML read them as a key of the mapping.
            sink.error("UPOE201", f"unknown key '{field}': it looks like the rest of a text cut at a comma",
                       loaded.key_positions.get(loc) or loaded.position(loc),
                       "inside `{…}` a comma ends a value: quote the text, e.g. description: \"Who, when and why.\"")
            return
        hint = f"did you mean `{close[0]}`?" if close else None
        hint = (hint + " " if hint else "") + f"allowed keys here: {', '.join(allowed)}"
        sink.error("UPOE201", f"unknown key '{field}'", loaded.key_positions.get(loc) or loaded.position(loc),
                   hint)
    elif kind == "missing":
        hint = _MISSING_HINTS.get(field, f"add `{field}:` here")
        sink.error("UPOE202", f"missing required key '{field}'", loaded.position(loc[:-1]), hint)
    elif kind in _TYPE_ERRORS:
        expected = _TYPE_ERRORS[kind]
        # Nothing written after `key:` has no place of its own: point at the key.
        position = loaded.position(loc) if value is None else loaded.value_position(loc)
        sink.error("UPOE203", f"{named} must be {expected}, not {_describe(value)}", position,
                   _type_hint(kind, field, value))
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        sink.error("UPOE204", f"{named} has an invalid value {_describe(value)}",
                   loaded.value_position(loc), f"use one of {expected}")
    elif kind == "value_error":
        # A rule across several keys of one mapping: point at the mapping's name.
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        hint = next((h for text, h in _RULE_HINTS.items() if text in message), "change the keys named above")
        sink.error("UPOE205", message, loaded.position(loc), hint)
    elif kind == "string_pattern_mismatch" and field in _PATTERN_HINTS:
        what, hint = _PATTERN_HINTS[field]
        sink.error("UPOE204", f"'{value}' is not {what}", loaded.value_position(loc), hint)
    elif kind == "string_pattern_mismatch" and field != "file":
        sink.error("UPOE204", f"'{value}' is not a requirement ID",
                   loaded.key_positions.get(loc) or loaded.value_position(loc),
                   "requirement IDs look like FOUND-01: capital letters, a dash, two digits or more")
    elif kind == "string_too_short" and on_key:
        parent = str(loc[-2]) if len(loc) > 1 else "file"
        sink.error("UPOE206", f"a name under '{parent}' is empty", loaded.position(loc), "write a name")
    elif kind in ("too_short", "string_too_short"):
        sink.error("UPOE206", f"{named} must not be empty", loaded.value_position(loc),
                   "give at least one entry" if kind == "too_short" else "write a name")
    elif kind == "greater_than_equal":
        least = error.get("ctx", {}).get("ge")
        sink.error("UPOE204", f"{named} must be at least {least}, not {_describe(value)}",
                   loaded.value_position(loc), f"write a whole number of {least} or more")
    else:
        sink.error("UPOE204", f"{named}: {error['msg']}", loaded.value_position(loc),
                   "compare with the same key in spec/foundation.yaml")


# Fields whose pattern says something other than a requirement ID: what the value should be, and how.
_PATTERN_HINTS = {
    "drop": ("a table, column or enum value to drop",
             "write `table <name>`, `column <table>.<column>` or `value <enum>.<value>`"),
    "narrow": ("a column whose type narrows", "write `column <table>.<column>`"),
    "error": ("an error name", "write it in snake_case, as the contract names it: unbalanced_transaction"),
    "widen": ("an access widening", "write `<role> <select|insert|update|delete> <table>`, "
              "`<role> execute <schema>.<function>(<argument types>)` or `<role> upload bucket <bucket>`"),
}

_MISSING_HINTS = {
    "tenancy": "every table declares who owns its rows: `tenancy: community` (or organization, user, global)",
    "description": "describe it in a sentence: it becomes the SQL comment and the docs",
    "type": "give the column a type, e.g. `type: text`",
    "domain": "start the file with `domain: <name>`",
    "returns": "say what the function returns, e.g. `returns: uuid` or `returns: trigger`",
}

_TYPE_ERRORS = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}

_TYPE_HINTS = {
    "string_type": "write text; put it in quotes if it looks like a number or a boolean",
    "bool_type": "write true or false",
    "int_type": "write a whole number without quotes, e.g. 1",
    "float_type": "write a number without quotes, e.g. 1.5",
    "list_type": "write a list: `[a, b]`, or one `- item` per line",
}

# Rules the spec models check across keys (their `ValueError` texts), with how to fix them.
_RULE_HINTS = {
    "`body` and `body_file`": "inline short SQL under `body`, or name a .sql file under `body_file`; not both",
    "`invoker_body` only applies": "add `security: definer`, or remove `invoker_body`",
    "`invoker_body` and `invoker_body_file`": "keep one of `invoker_body` and `invoker_body_file`",
    "`callers` applies": "add `security: definer` (its public face then checks the roles), or remove `callers`",
    "`callers` (the public face": "remove `invoker_body`: with `callers` the compiler writes the public face",
    "exactly one of `drop`, `narrow` and `widen`": "write one change per entry: drop, narrow or widen",
    "`default` (a value) and `default_sql`": "use `default` for a value such as 0 or 'open', `default_sql` for "
                                             "an expression such as now(); not both",
    "generated column cannot have a default": "remove the default: the generated expression gives the value",
    "`columns` and `expression`": "index plain columns with `columns: [a, b]`, or one expression with "
                                  "`expression:`",
    "`query` and `query_file`": "write a short select under `query`, or name a .sql file under `query_file`; "
                                "not both",
    "give `require`": "list the columns that must be set, e.g. `{require: [reason]}`, and/or a `check`",
    "give `at`": "name the column to stamp, e.g. `{at: done_at}` and/or `{by: done_by}`",
}


def _type_hint(kind: str, field: str, value: Any) -> str:
    if value is None:
        return f"give '{field}' a value, or remove the key"
    if kind == "bool_type" and isinstance(value, str) and value.lower() in ("yes", "no", "on", "off", "y", "n"):
        return "write true or false; yes, no, on and off are text in YAML 1.2"
    return _TYPE_HINTS.get(kind, "write `key: value` entries indented under this key")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"'{value}'"


def _fields_at(loc: Path_) -> set[str]:
    """The keys allowed at `loc`, found by walking the spec models' annotations."""
    annotation: Any = DomainSpec
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field_info = annotation.model_fields.get(str(part))
            if field_info is None:
                return set()
            annotation = field_info.annotation
            continue
        origin = typing.get_origin(annotation)
        if origin in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return set()
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return set(annotation.model_fields)
    return set()


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0]
        else:
            return annotation
