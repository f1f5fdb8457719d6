"""PostgreSQL naming, quoting and type facts: the only place SQL text is escaped."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_IDENTIFIER_BYTES = 63

SNAKE_CASE = re.compile(r"^[a-z_][a-z0-9_]*$")

# Keywords PostgreSQL reserves outright or for functions and types (docs, Appendix C):
# such names need quoting everywhere, which product people should not have to think about.
_RESERVED_TEXT = """
    all analyse analyze and any array as asc asymmetric authorization binary both case cast check
    collate collation column concurrently constraint create cross current_catalog current_date
    current_role current_schema current_time current_timestamp current_user default deferrable desc
    distinct do else end except false fetch for foreign freeze from full grant group having ilike in
    initially inner intersect into is isnull join lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
    references returning right select session_user similar some symmetric system_user table
    tablesample then to trailing true union unique user using variadic verbose when where window with
"""
RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())


def ident(name: str) -> str:
    """Quote an identifier only when PostgreSQL's quote_ident() would."""
    if SNAKE_CASE.match(name) and name not in RESERVED_WORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


def literal(value: Any) -> str:
    """A SQL literal for a Python value; strings are standard-conforming quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict | list):
        return quote_text(json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": ")))
    return quote_text(str(value))


def quote_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_array(values: list[str] | tuple[str, ...]) -> str:
    return "array[" + ", ".join(quote_text(v) for v in values) + "]"


_STRING_LITERAL = re.compile(r"('(?:[^']|'')*')")


def replace_outside_literals(expression: str, pattern: re.Pattern[str],
                             replacement: str | Callable[[re.Match[str]], str]) -> str:
    """`pattern` replaced in an SQL expression everywhere but inside its string literals."""
    parts = _STRING_LITERAL.split(expression)
    return "".join(part if part.startswith("'") else pattern.sub(replacement, part) for part in parts)


def fit_identifier(name: str) -> str:
    """Shorten a derived name to 63 bytes, keeping it unique with a stable hash suffix."""
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return name.encode()[: MAX_IDENTIFIER_BYTES - 9].decode(errors="ignore").rstrip("_") + "_" + digest


@dataclass(frozen=True)
class SqlType:
    """A parsed column type: base name, modifiers and array depth."""

    base: str
    modifiers: tuple[int, ...] = ()
    array_depth: int = 0

    @property
    def sql(self) -> str:
        text = self.base
        if self.modifiers:
            text += "(" + ",".join(str(m) for m in self.modifiers) + ")"
        return text + "[]" * self.array_depth

    @property
    def element(self) -> SqlType:
        return SqlType(self.base, self.modifiers, 0)


_TYPE_PATTERN = re.compile(
    r"^(?P<base>[a-z_][a-z0-9_]*(?: [a-z_]+)?)\s*(?:\((?P<mods>\s*[0-9]+\s*(?:,\s*[0-9]+\s*)?)\))?"
    r"(?P<array>(?:\[\])*)$"
)

TYPE_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "bool": "boolean",
    "float8": "double precision",
    "float4": "real",
    "decimal": "numeric",
    "varchar": "character varying",
}

# Base types the DSL accepts, with the kind of literal default each takes.
BASE_TYPES: dict[str, str] = {
    "text": "text",
    "character varying": "text",
    "citext": "text",
    "smallint": "integer",
    "integer": "integer",
    "bigint": "integer",
    "numeric": "number",
    "real": "number",
    "double precision": "number",
    "boolean": "boolean",
    "date": "text",
    "time": "text",
    "timestamptz": "text",
    "interval": "text",
    "jsonb": "json",
    "uuid": "text",
    "inet": "text",
    "bytea": "text",
    "regclass": "text",
    "tstzrange": "text",
    "daterange": "text",
    "int4range": "text",
    "numrange": "text",
}

# Types that exist but that this project steers away from, with the reason.
DISCOURAGED_TYPES = {
    "timestamp": "use timestamptz: instants are stored with their zone (X-08)",
    "timestamp without time zone": "use timestamptz: instants are stored with their zone (X-08)",
    "json": "use jsonb: it is indexable and compares by value",
    "serial": "primary keys are UUID v7; use bigint with a default for counters",
    "bigserial": "primary keys are UUID v7; use bigint with a default for counters",
    "money": "use the money_amount or signed_money domain (numeric(15,4))",
    "char": "use text",
    "character": "use text",
    "timetz": "use time with a community time zone (X-08)",
}

MODIFIER_COUNTS = {"numeric": (0, 1, 2), "character varying": (0, 1)}


def parse_type(text: str) -> SqlType | None:
    """Parse `numeric(15,4)`, `text[]` or a user type name; None when malformed."""
    match = _TYPE_PATTERN.match(text.strip())
    if not match:
        return None
    base = TYPE_ALIASES.get(match["base"], match["base"])
    mods = tuple(int(m) for m in match["mods"].split(",")) if match["mods"] else ()
    return SqlType(base, mods, len(match["array"]) // 2)
