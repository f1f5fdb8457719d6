"""`build/manifest.json`: the resolved model as versioned data for docs, tests and tools.

Everything here is derived from the IR dataclasses and their type hints (never from a list of
fields written by hand), so the writer, the reader and the JSON Schema follow the IR when it
changes. An object is written as its fields plus `kind`, the name of its class in `ir`;
positions in the spec are not written (they name files on the compiling machine) and read back
as None.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import json
import re
import types
import typing
from typing import Any

from . import ir
from .errors import SourcePosition
from .graph import MigrationPlan, Plan

SCHEMA_VERSION = 1
# The versions `read_manifest` understands; a new format version adds itself here with its reader.
READABLE_SCHEMA_VERSIONS = (1,)
GENERATOR = "upoe-compiler"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
KIND = "kind"
MIGRATION_FILE = re.compile(r"(?P<number>[0-9]{4,})_(?P<domain>.+)\.sql")
# Names of the manifest's own definitions in the JSON Schema, beside those of the IR classes.
MIGRATION_DEFINITION = "Migration"
OBJECT_DEFINITION = "Object"


# --- writing -------------------------------------------------------------------------------


def manifest(plan: Plan) -> dict[str, Any]:
    """The manifest's data. Objects are dicts (their written fields plus `kind`); the values in
    them are still IR values (dataclasses, enums, tuples), which `json_text` writes as JSON."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": GENERATOR,
        "migrations": [
            {"file": migration.file_name, "domain": migration.domain,
             "objects": [_object(obj) for obj in migration.objects]}
            for migration in plan.migrations
        ],
    }


def _object(obj: ir.DbObject) -> dict[str, Any]:
    data: dict[str, Any] = {KIND: type(obj).__name__}
    data.update((item.name, getattr(obj, item.name)) for item in _written_fields(type(obj)))
    return data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in _written_fields(type(value))}
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def render_manifest(plan: Plan) -> str:
    return json_text(manifest(plan)) + "\n"


def json_text(value: Any) -> str:
    """`value` as `json.dumps(_plain(value), indent=2, sort_keys=True, ensure_ascii=False)` writes it.

    Written here because json.dumps with an indent runs the pure-Python encoder (a generator per
    container; CPython's C encoder takes no indent before 3.13), which made encoding the largest
    part of a compile; appending to one list, with each dataclass's keys sorted once, is several
    times faster and writes the same bytes.
    """
    out: list[str] = []
    _write(value, "\n", out)
    return "".join(out)


# ensure_ascii=False: escape only quotes, backslashes and control characters, as json.dumps does.
_string = json.encoder.encode_basestring


def _write(value: Any, newline: str, out: list[str]) -> None:
    """Append `value`'s JSON to `out`; `newline` is a line break and the indent of its line."""
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif kind is bool:
        out.append("true" if value else "false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is dict:
        # Sorted by the keys themselves, as json does: escaping a key can change its order.
        _write_members([(_string(key), item) for key, item in sorted(value.items())], newline, out)
    elif kind is tuple or kind is list:
        _write_items(value, newline, out)
    elif (layout := _layout(kind)) is not None:
        _write_members([(key, getattr(value, name)) for name, key in layout], newline, out)
    elif isinstance(value, enum.Enum):
        _write(value.value, newline, out)
    elif isinstance(value, tuple | list):
        _write_items(value, newline, out)
    else:  # a float, or a subclass of str or int: exactly as json writes it
        out.append(json.dumps(value, ensure_ascii=False))


def _write_items(items: tuple[Any, ...] | list[Any], newline: str, out: list[str]) -> None:
    if not items:
        out.append("[]")
        return
    inner = newline + "  "
    separator = "[" + inner
    for item in items:
        out.append(separator)
        _write(item, inner, out)
        separator = "," + inner
    out.append(newline + "]")


def _write_members(members: list[tuple[str, Any]], newline: str, out: list[str]) -> None:
    """Members in key order, each key as its JSON text (quoted and escaped)."""
    if not members:
        out.append("{}")
        return
    inner = newline + "  "
    separator = "{" + inner
    for key, item in members:
        out.append(separator + key + ": ")
        _write(item, inner, out)
        separator = "," + inner
    out.append(newline + "}")


@functools.cache
def _layout(cls: type) -> tuple[tuple[str, str], ...] | None:
    """A dataclass's written fields in key order, each with its key as JSON text; None for a
    class that is not a dataclass. Cached: a large spec writes tens of thousands of values."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple((item.name, _string(item.name)) for item in sorted(_written_fields(cls), key=lambda f: f.name))


# --- the shape of the IR, from its type hints ----------------------------------------------


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    """The resolved type of each field; `ir` postpones annotations, so they are strings until resolved."""
    hints = typing.get_type_hints(cls)
    return {item.name: hints[item.name] for item in dataclasses.fields(cls)}


def _is_position(hint: Any) -> bool:
    members = typing.get_args(hint) if _is_union(hint) else (hint,)
    return SourcePosition in members and all(m in (SourcePosition, type(None)) for m in members)


@functools.cache
def _written_fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    # Cached: the writer asks once per object, and a large spec has tens of thousands.
    types_of = _field_types(cls)
    return tuple(item for item in dataclasses.fields(cls) if not _is_position(types_of[item.name]))


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def object_kinds() -> dict[str, type[ir.DbObject]]:
    """The IR classes an object of the manifest may be, by `kind`: every concrete IR type
    (`ir.object_types()`), construct modules' own included; a shared base (DbObject, the base of
    generated triggers) is never an object of its own."""
    from . import constructs  # noqa: F401 - construct modules may declare IR types of their own

    kinds = {cls.__name__: cls for cls in ir.object_types()
             if dataclasses.is_dataclass(cls) and not inspect.isabstract(cls)}
    return dict(sorted(kinds.items()))


# --- reading -------------------------------------------------------------------------------


def read_manifest(text: str) -> Plan:
    """Rebuild the `Plan` that `render_manifest` wrote; positions read back as None.

    Raises ValueError, naming the place in the manifest, for anything the writer would not
    have written: an unsupported schema_version, an unknown kind, a missing or extra field, a
    value of the wrong type. A field with a default may be missing (it was added after the
    manifest was written) and reads as its default.
    """
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"manifest: expected a JSON object, got {_json_type(data)}")
    version = data.get("schema_version")
    if type(version) is not int or version not in READABLE_SCHEMA_VERSIONS:
        readable = ", ".join(str(v) for v in READABLE_SCHEMA_VERSIONS)
        raise ValueError(f"manifest: schema_version {json.dumps(version)} is not supported; "
                         f"this reader reads schema_version {readable}")
    _expect_keys(data, ("schema_version", "generator", "migrations"), "manifest")
    _expect(isinstance(data["generator"], str), "manifest.generator", "a string", data["generator"])
    migrations = data["migrations"]
    _expect(isinstance(migrations, list), "manifest.migrations", "an array", migrations)
    kinds = object_kinds()
    return Plan(tuple(_read_migration(item, f"migrations[{i}]", kinds) for i, item in enumerate(migrations)))


def _read_migration(data: Any, where: str, kinds: dict[str, type[ir.DbObject]]) -> MigrationPlan:
    _expect(isinstance(data, dict), where, "an object", data)
    _expect_keys(data, ("file", "domain", "objects"), where)
    domain = _read_value(ir.DomainInfo, data["domain"], f"{where}.domain")
    file_name = data["file"]
    _expect(isinstance(file_name, str), f"{where}.file", "a string", file_name)
    match = MIGRATION_FILE.fullmatch(file_name)
    if match is None or match["domain"] != domain.name:
        raise ValueError(f"{where}.file: expected NNNN_{domain.name}.sql, got {json.dumps(file_name)}")
    objects = data["objects"]
    _expect(isinstance(objects, list), f"{where}.objects", "an array", objects)
    read = tuple(_read_object(item, f"{where}.objects[{i}]", kinds) for i, item in enumerate(objects))
    migration = MigrationPlan(int(match["number"]), domain, read)
    # The number is only written inside the file name, so the name must come back the same.
    _expect(migration.file_name == file_name, f"{where}.file", f"{migration.file_name}", file_name)
    return migration


def _read_object(data: Any, where: str, kinds: dict[str, type[ir.DbObject]]) -> ir.DbObject:
    _expect(isinstance(data, dict), where, "an object", data)
    if KIND not in data:
        raise ValueError(f"{where}: the object has no field 'kind'")
    kind = data[KIND]
    if not isinstance(kind, str) or kind not in kinds:
        raise ValueError(f"{where}: unknown kind {json.dumps(kind)}; known kinds: {', '.join(kinds)}")
    label = f"{where} ({kind} {data.get('key', '?')})"
    fields = {name: value for name, value in data.items() if name != KIND}
    return _read_dataclass(kinds[kind], fields, label)


def _read_dataclass(cls: type, data: Any, where: str) -> Any:
    _expect(isinstance(data, dict), where, f"an object ({cls.__name__})", data)
    # A class whose fields changed shape reads what older manifests wrote through `upgrade_written`.
    if (upgrade := getattr(cls, "upgrade_written", None)) is not None:
        data = upgrade(data)
    types_of = _field_types(cls)
    written = {item.name for item in _written_fields(cls)}
    extra = sorted(set(data) - written)
    if extra:
        raise ValueError(f"{where}: {cls.__name__} has no field {', '.join(repr(e) for e in extra)}")
    # A field with a default may be absent: manifests written before it existed (a release's
    # model snapshot, say) read as if they had written the default.
    defaulted = {item.name for item in dataclasses.fields(cls)
                 if item.default is not dataclasses.MISSING or item.default_factory is not dataclasses.MISSING}
    missing = [name for name in types_of if name in written and name not in data and name not in defaulted]
    if missing:
        raise ValueError(f"{where}: {cls.__name__} lacks field {', '.join(repr(m) for m in missing)}")
    arguments: dict[str, Any] = {}
    computed: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        if item.name not in written:
            if item.init:
                arguments[item.name] = None  # a position: not written, so unknown
            continue
        if item.name not in data:
            continue
        value = _read_value(types_of[item.name], data[item.name], f"{where}.{item.name}")
        (arguments if item.init else computed)[item.name] = value
    result = cls(**arguments)
    # A field the constructor does not take (init=False) is written all the same: it must agree.
    for name, value in computed.items():
        _expect(getattr(result, name) == value, f"{where}.{name}", repr(getattr(result, name)), value)
    return result


def _read_value(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if hint is type(None):
        _expect(value is None, where, "null", value)
        return None
    if _is_union(hint):
        return _read_union(typing.get_args(hint), value, where)
    if origin is typing.Literal:
        _expect(value in typing.get_args(hint), where, f"one of {typing.get_args(hint)}", value)
        return value
    if origin is tuple or origin is list:
        return _read_sequence(hint, value, where)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _read_dataclass(hint, value, where)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            allowed = ", ".join(json.dumps(member.value) for member in hint)
            raise ValueError(f"{where}: expected one of {allowed}, got {json.dumps(value)}") from None
    if hint is bool:
        _expect(isinstance(value, bool), where, "true or false", value)
        return value
    if hint is int:
        _expect(isinstance(value, int) and not isinstance(value, bool), where, "an integer", value)
        return value
    if hint is float:
        _expect(isinstance(value, int | float) and not isinstance(value, bool), where, "a number", value)
        return float(value)
    if hint is str:
        _expect(isinstance(value, str), where, "a string", value)
        return value
    raise TypeError(f"{where}: the manifest cannot hold a value of type {hint!r}")


def _read_union(members: tuple[Any, ...], value: Any, where: str) -> Any:
    if value is None and type(None) in members:
        return None
    problems = []
    for member in members:
        if member is type(None):
            continue
        try:
            return _read_value(member, value, where)
        except ValueError as problem:
            problems.append(str(problem))
    if len(problems) == 1:
        raise ValueError(problems[0])
    raise ValueError(f"{where}: matches none of its types: " + "; ".join(problems))


def _read_sequence(hint: Any, value: Any, where: str) -> tuple[Any, ...] | list[Any]:
    _expect(isinstance(value, list), where, "an array", value)
    arguments = typing.get_args(hint)
    if typing.get_origin(hint) is list:
        return [_read_value(arguments[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        return tuple(_read_value(arguments[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    _expect(len(value) == len(arguments), where, f"an array of {len(arguments)}", value)
    return tuple(_read_value(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(arguments, value, strict=True)))


def _expect_keys(data: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [key for key in keys if key not in data]
    if missing:
        raise ValueError(f"{where}: missing field {', '.join(repr(m) for m in missing)}")
    extra = sorted(set(data) - set(keys))
    if extra:
        raise ValueError(f"{where}: unknown field {', '.join(repr(e) for e in extra)}")


def _expect(condition: bool, where: str, expected: str, value: Any) -> None:
    if not condition:
        shown = json.dumps(value, ensure_ascii=False, default=repr)
        if len(shown) > 80:
            shown = f"{_json_type(value)} {shown[:77]}..."
        raise ValueError(f"{where}: expected {expected}, got {shown}")


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


# --- the JSON Schema -----------------------------------------------------------------------


def manifest_json_schema() -> str:
    """The JSON Schema (draft 2020-12) of `build/manifest.json`, generated from the IR classes."""
    builder = _SchemaBuilder()
    builder.reserve(MIGRATION_DEFINITION, OBJECT_DEFINITION)
    kinds = object_kinds()
    builder.definitions[OBJECT_DEFINITION] = {
        "description": "One database object of the resolved model; `kind` names its IR class.",
        "oneOf": [{"$ref": builder.define(cls, kind=True)} for cls in kinds.values()],
    }
    builder.definitions[MIGRATION_DEFINITION] = {
        "description": "One migration file: the domain it creates and its objects in creation order.",
        "type": "object",
        "properties": {
            "file": {"type": "string", "pattern": f"^{MIGRATION_FILE.pattern}$",
                     "description": "The migration's file name: its number, then the domain's name."},
            "domain": {"$ref": builder.define(ir.DomainInfo)},
            "objects": {"type": "array", "items": {"$ref": f"#/$defs/{OBJECT_DEFINITION}"}},
        },
        "required": ["file", "domain", "objects"],
        "additionalProperties": False,
    }
    schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "UPOE build manifest",
        "description": ("build/manifest.json: the resolved model of a spec, per migration in order. "
                        "Read it back with upoe_compiler.manifest.read_manifest."),
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "generator": {"type": "string"},
            "migrations": {"type": "array", "items": {"$ref": f"#/$defs/{MIGRATION_DEFINITION}"}},
        },
        "required": ["schema_version", "generator", "migrations"],
        "additionalProperties": False,
        "$defs": builder.definitions,
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class _SchemaBuilder:
    def __init__(self) -> None:
        self.definitions: dict[str, Any] = {}
        self.owners: dict[str, object] = {}

    def reserve(self, *names: str) -> None:
        for name in names:
            self.owners[name] = name

    def define(self, cls: type, kind: bool = False) -> str:
        """Add the definition of a dataclass or enum once; return the reference to it."""
        name = cls.__name__
        owner = self.owners.setdefault(name, cls)
        if owner is not cls:
            raise ValueError(f"two types are both named {name} in the manifest schema: {owner!r} and {cls!r}")
        reference = f"#/$defs/{name}"
        if name in self.definitions:
            return reference
        self.definitions[name] = {}  # taken before the fields, so a type that refers to itself ends
        definition: dict[str, Any] = {}
        description = _description(cls)
        if description:
            definition["description"] = description
        if issubclass(cls, enum.Enum):
            definition["enum"] = [_plain(member.value) for member in cls]
            self.definitions[name] = definition
            return reference
        types_of = _field_types(cls)
        properties: dict[str, Any] = {}
        if kind:
            properties[KIND] = {"const": name}
        for item in _written_fields(cls):
            if kind and item.name == KIND:
                raise ValueError(f"{name}.{KIND}: a field named '{KIND}' collides with the manifest's kind tag")
            properties[item.name] = self.schema_of(types_of[item.name])
        definition.update({
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        })
        self.definitions[name] = definition
        return reference

    def schema_of(self, hint: Any) -> dict[str, Any]:
        origin = typing.get_origin(hint)
        arguments = typing.get_args(hint)
        if hint is Any:
            return {}
        if hint is type(None):
            return {"type": "null"}
        if _is_union(hint):
            members = [self.schema_of(member) for member in arguments]
            # `str | None` reads best as one list of JSON types; unions of anything richer stay anyOf.
            if all(set(member) == {"type"} and isinstance(member["type"], str) for member in members):
                return {"type": [member["type"] for member in members]}
            return {"anyOf": members}
        if origin is typing.Literal:
            return {"enum": [_plain(a) for a in arguments]}
        if origin is list or (origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis):
            return {"type": "array", "items": self.schema_of(arguments[0])}
        if origin is tuple:
            return {"type": "array", "prefixItems": [self.schema_of(a) for a in arguments],
                    "minItems": len(arguments), "maxItems": len(arguments), "items": False}
        if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or issubclass(hint, enum.Enum)):
            return {"$ref": self.define(hint)}
        # bool before int: a bool is an int in Python, never in JSON.
        for python_type, json_type in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string")):
            if hint is python_type:
                return {"type": json_type}
        raise TypeError(f"the manifest cannot hold a value of type {hint!r}")


def _description(cls: type) -> str:
    """The first paragraph of the class's own docstring, on one line."""
    doc = cls.__dict__.get("__doc__") or ""
    # dataclass() makes a docstring of the signature for classes without one: that says nothing new.
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}(") and doc.rstrip().endswith(")"):
        return ""
    # Some Python versions give every Enum without a docstring this one.
    if issubclass(cls, enum.Enum) and doc == "An enumeration.":
        return ""
    first = inspect.cleandoc(doc).split("\n\n", 1)[0]
    return " ".join(first.split())
