"""The tables and functions SQL of the spec names (view queries, function bodies, expressions),
found with PostgreSQL's own parser (pglast), and whether each exists: a table or view of the spec,
a CTE of the statement, a system relation, a function of the spec, a PostgreSQL 15 built-in or a
function of an extension the migrations create. Unknown names are UPOE234 (a table or view) and
UPOE235 (a function), located where the name is written, with the closest known name.

The built-in names come from a real server: `pg15_names.txt`, made by scripts/pg_names.py.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pglast import parser

from .errors import DiagnosticSink, SourcePosition
from .vocabulary import ENABLED_EXTENSIONS

if TYPE_CHECKING:
    from .catalog import Catalog

NAMES_FILE = Path(__file__).with_name("pg15_names.txt")

# Supabase's own objects a spec may read or call (tests/support/supabase_bootstrap.sql stands in for them).
SUPABASE_RELATIONS = {"auth": {"users"}, "storage": {"objects", "buckets"},
                      "vault": {"secrets", "decrypted_secrets"}, "cron": {"job", "job_run_details"}}
SUPABASE_FUNCTIONS = {"auth": {"uid", "jwt", "role", "email"}, "storage": {"foldername", "filename", "extension"},
                      "vault": {"create_secret", "update_secret"}, "cron": {"schedule", "unschedule"}}
# The system catalog's own schemas: their relations are listed in pg15_names.txt.
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")

# PL/pgSQL's parse modes of an embedded expression (PostgreSQL's RawParseMode).
_STATEMENT, _EXPRESSION = 0, 2
_ASSIGNMENT = re.compile(r"^\s*[\w.\"\[\]]+?\s*:?=")


@dataclass(frozen=True)
class Reference:
    """A table (or view) or function an SQL text names, and where its name starts in the text."""

    kind: Literal["table", "function"]
    schema: str | None
    name: str
    offset: int

    @property
    def written(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True)
class SqlNames:
    """What SQL of the spec may name: per schema (None: written without one), the relations and
    the functions that exist."""

    relations: dict[str | None, frozenset[str]]
    functions: dict[str | None, frozenset[str]]
    # The spec's enums and domain types: scalars, which PL/pgSQL's parser alone takes for rows.
    scalar_types: frozenset[str] = frozenset()

    @classmethod
    def of(cls, catalog: Catalog) -> SqlNames:
        builtin = _builtin_names()
        spec_relations = frozenset(catalog.tables) | frozenset(catalog.views)
        public_functions = {name for name, (_, f) in catalog.functions.items()
                            if f.exposed and not (f.security == "definer" and f.returns == "trigger")}
        private_functions = {name for name, (_, f) in catalog.functions.items()
                             if not f.exposed or f.security == "definer"}
        extension_functions = frozenset().union(*(builtin.get(("function", e), set()) for e in ENABLED_EXTENSIONS))
        pg_functions = frozenset(builtin.get(("function", "pg_catalog"), set()))
        relations: dict[str | None, frozenset[str]] = {
            None: spec_relations | builtin.get(("relation", "pg_catalog"), frozenset()),
            "public": spec_relations,
            **{schema: frozenset(names) for schema, names in SUPABASE_RELATIONS.items()},
            **{schema: frozenset(builtin.get(("relation", schema), set())) for schema in _SYSTEM_SCHEMAS},
        }
        functions: dict[str | None, frozenset[str]] = {
            None: pg_functions | extension_functions | frozenset(catalog.functions),
            "pg_catalog": pg_functions,
            "information_schema": frozenset(builtin.get(("function", "information_schema"), set())),
            "extensions": extension_functions,
            "public": frozenset(public_functions),
            "private": frozenset(private_functions),
            **{schema: frozenset(names) for schema, names in SUPABASE_FUNCTIONS.items()},
        }
        return cls(relations, functions, frozenset(catalog.type_keys))

    def problem(self, reference: Reference, ctes: frozenset[str]) -> tuple[str, str, str] | None:
        """(code, message, hint) when the reference names nothing that exists; None when it does."""
        if reference.kind == "table":
            if reference.schema is None and reference.name in ctes:
                return None
            known, code, what = self.relations, "UPOE234", "table or view"
            fallback = "name a table or view of the spec, a CTE of the statement, or a system relation (auth.users)"
        else:
            known, code, what = self.functions, "UPOE235", "function"
            fallback = "name a function of the spec (under `functions:`) or a PostgreSQL built-in"
        if reference.name in known.get(reference.schema, frozenset()):
            return None
        if reference.schema is None:
            # The spec's own tables are what a misspelt unqualified table was meant to be, not pg_locks.
            choices = sorted(self.relations["public"] | ctes if reference.kind == "table" else known[None])
        else:
            choices = sorted(f"{schema}.{name}" for schema, names in known.items() if schema for name in names)
        close = difflib.get_close_matches(reference.written, choices, n=1)
        return code, f"unknown {what} '{reference.written}'", f"did you mean '{close[0]}'?" if close else fallback


def report_unknown(found: tuple[list[Reference], frozenset[str]] | None, names: SqlNames,
                   place: Callable[[int], SourcePosition], where: str, sink: DiagnosticSink) -> None:
    """UPOE234/UPOE235 for each table or function `found` in an SQL text that does not exist, at
    `place(offset)`; `where` says which text, e.g. " in the body of close_period"."""
    if found is None:
        return
    references, ctes = found
    reported: set[tuple[str, int]] = set()
    for reference in references:
        problem = names.problem(reference, ctes)
        if problem is None or (reference.written, reference.offset) in reported:
            continue
        reported.add((reference.written, reference.offset))
        code, message, hint = problem
        at = place(reference.offset)
        if reference.schema is not None:
            # The span covers the whole qualified name, not only its schema's token.
            end = place(reference.offset + len(reference.written))
            if end.line == at.line and end.column > at.column:
                at = replace(at, end_line=end.line, end_column=end.column)
        sink.error(code, message + where, at, hint)


@cache
def _builtin_names() -> dict[tuple[str, str], frozenset[str]]:
    """(kind, schema or extension) → names, from pg15_names.txt."""
    found: dict[tuple[str, str], set[str]] = {}
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, home, name = line.split(" ")
            found.setdefault((kind, home), set()).add(name)
    return {key: frozenset(names) for key, names in found.items()}


def statement_references(text: str) -> tuple[list[Reference], frozenset[str]] | None:
    """The tables and functions SQL statements name (offsets in `text`) and the CTEs they define;
    None when the text does not parse (its syntax error is reported elsewhere)."""
    try:
        tree = parser.parse_sql_json(text)
    except parser.ParseError:
        return None
    return tree_references(tree)


def tree_references(tree: str) -> tuple[list[Reference], frozenset[str]]:
    """The tables and functions a pglast parse tree (its JSON text) names, in the order they are
    written, and the CTEs it defines."""
    found: list[Reference] = []
    ctes: set[str] = set()

    def note(node: dict[str, Any]) -> dict[str, Any]:
        # Called for every object as the JSON is decoded: cheaper than walking the tree after.
        if "relname" in node:
            found.append(Reference("table", node.get("schemaname"), node["relname"], int(node.get("location", 0))))
        elif "funcformat" in node and "funcname" in node:
            names = [part["String"]["sval"] for part in node["funcname"] if "String" in part]
            if names:
                found.append(Reference("function", names[-2] if len(names) > 1 else None, names[-1],
                                       int(node.get("location", 0))))
        elif "ctename" in node:
            ctes.add(node["ctename"])
        return node

    json.loads(tree, object_hook=note)
    return sorted(found, key=lambda reference: reference.offset), frozenset(ctes)


def expression_references(text: str) -> tuple[list[Reference], frozenset[str]] | None:
    """As `statement_references`, for one SQL expression."""
    wrap = "select "
    found = statement_references(f"{wrap}{text}\n")
    if found is None:
        return None
    references, ctes = found
    return [_shifted(r, -len(wrap)) for r in references], ctes


def plpgsql_references(body: str, arguments: str, returns: str, scalar_types: frozenset[str] = frozenset()
                       ) -> tuple[list[Reference], frozenset[str]] | None:
    """As `statement_references`, for a PL/pgSQL body: each SQL statement and expression in it is
    parsed again, and its names are placed at their first occurrence in the body from the line the
    statement starts on. Without the catalog, the parser takes a variable of an enum or domain type
    for a row (and refuses `select … into` it): then the body is read again with those types
    written as text."""
    expressions: list[dict[str, Any]] = []  # in the order they are written
    lines: dict[int, int] = {}  # id of an expression → line of the statement holding it

    def note(node: dict[str, Any]) -> dict[str, Any]:
        # Called for every object as the JSON is decoded, children first.
        if "query" in node and "parseMode" in node:
            expressions.append(node)
        elif "lineno" in node:
            for value in node.values():
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict) and "PLpgSQL_expr" in item:
                        lines[id(item["PLpgSQL_expr"])] = int(node["lineno"])
        return node

    source = f"create function f({arguments}) returns {returns} language plpgsql as $upoe_body${body}$upoe_body$"
    try:
        tree = parser.parse_plpgsql_json(source)
    except parser.ParseError as error:
        if str(error.args[0]).startswith(("syntax error", "unterminated")) or not scalar_types:
            return None
        try:
            tree = parser.parse_plpgsql_json(_as_text(source, scalar_types))
        except parser.ParseError:
            return None
    json.loads(tree, object_hook=note)
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
    references: list[Reference] = []
    ctes: set[str] = set()
    for expression in expressions:
        query, mode = expression["query"], int(expression["parseMode"])
        if mode not in (_STATEMENT, _EXPRESSION) and (assignment := _ASSIGNMENT.match(query)):
            query = query[assignment.end():]
        found = statement_references(query) if mode == _STATEMENT else expression_references(query)
        if found is None:
            continue
        ctes |= found[1]
        start = line_starts[min(max(lines.get(id(expression), 1), 1), len(line_starts)) - 1]
        references += [_shifted(r, _find(body, r, start) - r.offset) for r in found[0]]
    return references, frozenset(ctes)


def _as_text(source: str, types: frozenset[str]) -> str:
    """`source` with each of `types` (qualified or not) written as text, padded with spaces so that
    every offset stays where it was."""
    pattern = re.compile(r"(?<![\w.])(?:public\.)?(?:" + "|".join(map(re.escape, sorted(types))) + r")(?![\w.])")
    return pattern.sub(lambda match: "text".ljust(len(match[0])), source)


def _find(body: str, reference: Reference, start: int) -> int:
    """Where the reference's name is first written in `body` from `start` (else `start`)."""
    parts = [re.escape(part) for part in reference.written.split(".")]
    pattern = r"(?<![\w$.])\"?" + r"\"?\s*\.\s*\"?".join(parts) + r"\"?(?![\w$])"
    match = re.compile(pattern, re.IGNORECASE).search(body, start)
    return match.start() if match else start


def _shifted(reference: Reference, by: int) -> Reference:
    return Reference(reference.kind, reference.schema, reference.name, max(0, reference.offset + by))
