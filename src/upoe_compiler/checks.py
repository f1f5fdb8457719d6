"""Semantic checks of a validated spec: names, types, references, defaults, SQL fragments.

Each check reports at the spec node that is wrong, with a hint on how to fix it.
Codes: UPOE210 duplicate domain, UPOE211 duplicate name, UPOE212 not snake_case,
UPOE213 over 63 bytes, UPOE214 reserved word, UPOE220 unknown type, UPOE221 discouraged
type, UPOE222 unknown reference, UPOE223 bad default, UPOE224 tenancy, UPOE225 unknown
column, UPOE226 column the patterns add, UPOE227 unknown requirement, UPOE228 unknown
role, UPOE229 unsafe SQL fragment, UPOE230 missing or unusable body file, UPOE232 duplicate
enum value, UPOE234 unknown table or view and UPOE235 unknown function named in SQL (bodies,
expressions; view queries in construct_checks).
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .errors import DiagnosticSink, SourcePosition
from .fragments import (
    BODY_DOLLAR_TAG,
    body_problem,
    check_expression,
    check_fragment,
    check_trigger_condition,
    offset_in_file,
    place_in,
)
from .patterns import added_columns, all_column_names, tenant_column
from .pgnames import (
    BASE_TYPES,
    DISCOURAGED_TYPES,
    MAX_IDENTIFIER_BYTES,
    MODIFIER_COUNTS,
    RESERVED_WORDS,
    SNAKE_CASE,
    parse_type,
)
from .spec import FunctionSpec, TableSpec
from .sql_references import SqlNames, plpgsql_references, report_unknown, statement_references
from .validated import SpecFile, ValidatedSpec
from .vocabulary import COMMANDS, EXTERNAL_TABLES, MEMBER, Command, Tenancy


def run_all(spec: ValidatedSpec, sink: DiagnosticSink) -> None:
    catalog = spec.catalog
    names = SqlNames.of(catalog)
    _check_unique_names(spec, sink)
    for file in spec.files:
        _check_names(file, sink)
        _check_requirements(file, catalog, sink)
        _check_types(file, catalog, names, sink)
        _check_functions(file, catalog, names, sink)
        for table_name, table in file.spec.tables.items():
            _check_table(file, table_name, table, catalog, names, sink)


def _check_unique_names(spec: ValidatedSpec, sink: DiagnosticSink) -> None:
    domains: dict[str, SpecFile] = {}
    type_names: dict[str, SourcePosition] = {}
    function_names: dict[str, SourcePosition] = {}
    bucket_names: dict[str, SourcePosition] = {}
    # A name declared twice is reported where it is declared the second time in migration order
    # (by phase), where PostgreSQL would fail: not in an earlier domain that was fine on its own.
    for file in sorted(spec.files, key=lambda f: (f.spec.phase, f.name)):
        name = file.spec.domain
        if name in domains:
            sink.error("UPOE210", f"domain '{name}' is also declared in {domains[name].name}",
                       file.value_at("domain"), "give each spec file its own domain name")
        domains[name] = file
        # Tables, views, enums and domain types share PostgreSQL's type namespace.
        for section, names in (("tables", file.spec.tables), ("views", file.spec.views),
                               ("enums", file.spec.enums), ("types", file.spec.types)):
            for object_name in names:
                _unique_name(type_names, object_name, file.at(section, object_name), sink,
                             "names of tables, views, enums and types are shared by all domains: rename one")
        for function_name in file.spec.functions:
            _unique_name(function_names, function_name, file.at("functions", function_name), sink,
                         "function names are shared by all domains: rename one")
        for bucket_name in file.spec.buckets:
            _unique_name(bucket_names, bucket_name, file.at("buckets", bucket_name), sink,
                         "bucket names are shared by all domains: rename one")


def _unique_name(seen: dict[str, SourcePosition], name: str, position: SourcePosition,
                 sink: DiagnosticSink, hint: str) -> None:
    if name in seen:
        first = seen[name]
        sink.error("UPOE211", f"'{name}' is already declared at {first}", position, hint)
    else:
        seen[name] = position


def _named_nodes(file: SpecFile) -> Iterator[tuple[str, SourcePosition, str]]:
    spec = file.spec
    yield spec.domain, file.value_at("domain"), "domain"
    for section in ("enums", "types", "functions", "tables", "views", "roles"):
        for name in getattr(spec, section):
            yield name, file.at(section, name), section[:-1]
    for table_name, table in spec.tables.items():
        for column_name in table.columns:
            yield column_name, file.at("tables", table_name, "columns", column_name), "column"
        for check_name in table.checks:
            yield check_name, file.at("tables", table_name, "checks", check_name), "check"
        # Names given to generated constraints, indexes and triggers.
        for section, what in (("unique", "unique key"), ("indexes", "index"), ("exclude", "exclusion"),
                              ("triggers", "trigger")):
            for index, item in enumerate(getattr(table, section)):
                if item.name is not None:
                    yield item.name, file.value_at("tables", table_name, section, index, "name"), what
    for enum_name, enum in spec.enums.items():
        for index, value in enumerate(enum.labels):
            if len(value.encode()) > MAX_IDENTIFIER_BYTES:
                yield value, file.value_at("enums", enum_name, "values", index), "enum value"


def _check_names(file: SpecFile, sink: DiagnosticSink) -> None:
    for name, position, what in _named_nodes(file):
        if len(name.encode()) > MAX_IDENTIFIER_BYTES:
            sink.error("UPOE213", f"{what} name '{name[:40]}…' is {len(name.encode())} bytes; "
                       f"PostgreSQL keeps only {MAX_IDENTIFIER_BYTES}", position,
                       "shorten the name; abbreviate words that repeat the table name")
        elif what == "enum value":
            continue
        elif not SNAKE_CASE.match(name):
            sink.error("UPOE212", f"{what} name '{name}' is not snake_case", position,
                       "use lower-case ASCII letters, digits and underscores, starting with a letter")
        elif name in RESERVED_WORDS:
            sink.error("UPOE214", f"{what} name '{name}' is a reserved word in PostgreSQL", position,
                       f"pick another name, e.g. '{name}_name' or a more specific word")


def _check_requirements(file: SpecFile, catalog: Catalog, sink: DiagnosticSink) -> None:
    for path, requirement in _requirement_refs(file):
        if requirement not in catalog.requirements:
            sink.error("UPOE227", f"requirement '{requirement}' is not declared by any domain",
                       file.value_at(*path), "list it under `requirements:` of its domain file")


def _requirement_refs(file: SpecFile) -> Iterator[tuple[tuple[str | int, ...], str]]:
    spec = file.spec
    for section in ("enums", "types", "functions", "tables", "views", "buckets"):
        for name, node in getattr(spec, section).items():
            for index, requirement in enumerate(node.requirements):
                yield (section, name, "requirements", index), requirement
    for table_name, table in spec.tables.items():
        for column_name, column in table.columns.items():
            for index, requirement in enumerate(column.requirements):
                yield ("tables", table_name, "columns", column_name, "requirements", index), requirement


def _check_types(file: SpecFile, catalog: Catalog, names: SqlNames, sink: DiagnosticSink) -> None:
    for enum_name, enum in file.spec.enums.items():
        seen: set[str] = set()
        for index, value in enumerate(enum.labels):
            if value in seen:
                sink.error("UPOE232", f"enum '{enum_name}' lists '{value}' twice",
                           file.value_at("enums", enum_name, "values", index), "remove the repeated value")
            seen.add(value)
    for type_name, domain_type in file.spec.types.items():
        path = ("types", type_name)
        _check_type_name(domain_type.type, file.value_at(*path, "type"), catalog, sink, base_only=True)
        if domain_type.check is not None:
            check_fragment(domain_type.check, file.value_at(*path, "check"), sink, names)


def _check_type_name(text: str, position: SourcePosition, catalog: Catalog, sink: DiagnosticSink,
                     base_only: bool = False) -> str | None:
    """Report an unknown or discouraged type; return its literal kind when known."""
    parsed = parse_type(text)
    if parsed is None:
        sink.error("UPOE220", f"'{text}' is not a type", position,
                   "write a type such as text, integer, numeric(15,4), text[] or an enum name")
        return None
    if parsed.base in DISCOURAGED_TYPES:
        sink.error("UPOE221", f"type '{parsed.base}' is not used in this project", position,
                   DISCOURAGED_TYPES[parsed.base])
        return None
    if parsed.base in BASE_TYPES:
        allowed = MODIFIER_COUNTS.get(parsed.base, (0,))
        if len(parsed.modifiers) not in allowed:
            sink.error("UPOE220", f"type '{parsed.base}' takes no such modifiers: '{text}'", position,
                       "numeric takes (precision, scale); most other types take none")
            return None
        kind = BASE_TYPES[parsed.base]
    elif parsed.base in catalog.type_kinds and not base_only:
        kind = catalog.type_kinds[parsed.base]
    else:
        known = sorted(set(BASE_TYPES) | (set() if base_only else set(catalog.type_kinds)))
        close = difflib.get_close_matches(parsed.base, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "declare it under `enums:` or `types:`"
        if base_only:
            hint = f"a domain type is built on a base type; {hint}"
        sink.error("UPOE220", f"unknown type '{parsed.base}'", position, hint)
        return None
    return "array" if parsed.array_depth else kind


def _check_functions(file: SpecFile, catalog: Catalog, names: SqlNames, sink: DiagnosticSink) -> None:
    for function_name, function in file.spec.functions.items():
        path = ("functions", function_name)
        for index, argument in enumerate(function.args):
            if len(argument.name.encode()) > MAX_IDENTIFIER_BYTES:
                sink.error("UPOE213", f"argument name '{argument.name[:40]}…' is {len(argument.name.encode())} "
                           f"bytes; PostgreSQL keeps only {MAX_IDENTIFIER_BYTES}",
                           file.value_at(*path, "args", index, "name"), "shorten the name")
            elif not SNAKE_CASE.match(argument.name):
                sink.error("UPOE212", f"argument name '{argument.name}' is not snake_case",
                           file.value_at(*path, "args", index, "name"), "name arguments like p_table")
            if argument.type.strip() not in catalog.tables and argument.type.strip() not in catalog.views:
                # A table's or view's name is its row type, e.g. a trigger helper taking the row.
                _check_type_name(argument.type, file.value_at(*path, "args", index, "type"), catalog, sink)
            if argument.default is not None:
                check_fragment(argument.default, file.value_at(*path, "args", index, "default"), sink, names)
        _check_returns(function.returns, file.value_at(*path, "returns"), catalog, sink)
        readable: set[str] = set()  # body files that may be read and parsed
        for key in ("body_file", "invoker_body_file"):
            relative = getattr(function, key)
            problem = _body_file_problem(file.spec_dir, relative) if relative is not None else None
            if problem is not None:
                sink.error(*problem[:2], file.value_at(*path, key), problem[2])
            elif relative is not None:
                readable.add(key)
        for key in ("body", "invoker_body"):
            text = getattr(function, key)
            if text is not None and BODY_DOLLAR_TAG in text:
                sink.error("UPOE229", f"a function body must not contain {BODY_DOLLAR_TAG}",
                           file.value_at(*path, key), "use another dollar-quote tag inside the body")
        _check_bodies(file, path, function, readable, names, sink)
        for index, fires in enumerate(function.fires_on):
            if fires.table not in catalog.tables:
                close = difflib.get_close_matches(fires.table, sorted(catalog.tables), n=1)
                sink.error("UPOE222", f"'{fires.table}' is no table of the spec",
                           file.value_at(*path, "fires_on", index, "table"),
                           f"did you mean '{close[0]}'?" if close else "name a declared table")
            if fires.when is not None:
                check_trigger_condition(fires.when, file.value_at(*path, "fires_on", index, "when"), sink, names)
        for index, role in enumerate(function.callers or []):
            _check_role(role, file.value_at(*path, "callers", index), catalog, sink)
        for index, dependency in enumerate(function.depends_on):
            if dependency not in catalog.functions and dependency not in catalog.tables:
                sink.error("UPOE222", f"'{dependency}' is neither a function nor a table of the spec",
                           file.value_at(*path, "depends_on", index), "name a declared function or table")


def _check_bodies(file: SpecFile, path: tuple[str | int, ...], function: FunctionSpec, readable: set[str],
                  names: SqlNames, sink: DiagnosticSink) -> None:
    """Each body of the function, inline or in its file, parsed with PostgreSQL's grammar
    (UPOE229 at the line and column of the error: in the spec, or in the body file), then the
    tables and functions it names (UPOE234, UPOE235 where each is written)."""
    arguments = ", ".join(f"{a.name} {a.type}" for a in function.args)
    faces = (("body", "body_file", function.language), ("invoker_body", "invoker_body_file", function.language))
    for inline_key, file_key, language in faces:
        inline, relative = getattr(function, inline_key), getattr(function, file_key)
        if inline is not None:
            text, position = inline, file.value_at(*path, inline_key)
        elif file_key in readable:
            body_path = (file.spec_dir / relative).resolve()
            text, position = body_path.read_text(encoding="utf-8"), SourcePosition(str(body_path), 1, 1)
        else:
            continue
        if BODY_DOLLAR_TAG in text:
            continue

        def place(offset: int, text: str = text, position: SourcePosition = position,
                  in_file: bool = inline is None) -> SourcePosition:
            return offset_in_file(position.file, text, offset) if in_file else place_in(position, text, offset)

        # A body that parses is read once, for its names; one that does not, again for its error.
        found = statement_references(text) if language == "sql" else plpgsql_references(
            text, arguments, function.returns, names.scalar_types)
        problem = body_problem(text, language, arguments, function.returns) if found is None else None
        if problem is not None:
            message, offset = problem
            sink.error("UPOE229", f"function body: {message}", place(offset),
                       "PostgreSQL cannot read the body here: check the spelling of the statement")
            continue
        report_unknown(found, names, place, f" in the body of {path[-1]}", sink)


# What a function may return besides a type: nothing, a trigger's row, any row.
_PSEUDO_RETURN_TYPES = frozenset({"void", "trigger", "event_trigger", "record"})


def _check_returns(text: str, position: SourcePosition, catalog: Catalog, sink: DiagnosticSink) -> None:
    returned = text.strip()
    if returned.lower().startswith("setof "):
        returned = returned[len("setof "):].strip()
    if returned.lower() in _PSEUDO_RETURN_TYPES or re.match(r"(?i)table\s*\(", returned):
        return
    parsed = parse_type(returned)
    if parsed is not None and parsed.base in catalog.tables:
        return  # a table's row type
    _check_type_name(returned, position, catalog, sink)


def _body_file_problem(spec_dir: Path, relative: str) -> tuple[str, str, str] | None:
    """(code, message, hint) when a body file cannot be compiled into its function."""
    path = spec_dir / relative
    inside = os.path.normpath(path).startswith(os.path.normpath(spec_dir) + os.sep)
    if not inside:
        return ("UPOE230", f"body file '{relative}' is outside the spec folder",
                "keep function bodies in the spec folder, e.g. sql/<domain>/<function>.sql")
    if not path.is_file():
        return "UPOE230", f"body file '{relative}' does not exist", f"paths are relative to {spec_dir}"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return "UPOE230", f"body file '{relative}' cannot be read as UTF-8: {exc}", "save the file as UTF-8 text"
    if BODY_DOLLAR_TAG in text:
        return ("UPOE229", f"body file '{relative}' contains {BODY_DOLLAR_TAG}",
                "use another dollar-quote tag inside the body")
    return None


def _check_table(file: SpecFile, table_name: str, table: TableSpec, catalog: Catalog, names: SqlNames,
                 sink: DiagnosticSink) -> None:
    path: tuple[str | int, ...] = ("tables", table_name)
    added = added_columns(table)
    known_columns = set(all_column_names(table))
    tenant = tenant_column(table)
    if table.tenancy.column is not None and table.tenancy.column not in table.columns \
            and table.tenancy.column != "id":
        sink.error("UPOE224", f"tenancy column '{table.tenancy.column}' is not a column of '{table_name}'",
                   file.value_at(*path, "tenancy"), "declare the column or drop `column:` to use the default")
    for column_name, column in table.columns.items():
        column_path = (*path, "columns", column_name)
        # Only a tenant column the tenancy names (`column:`) is declared by the spec itself.
        declared_tenant = column_name == tenant and table.tenancy.column is not None and column_name != "id"
        if column_name in added and not declared_tenant:
            sink.error("UPOE226", f"column '{column_name}' is added by the table's patterns",
                       file.at(*column_path), "remove it: ids, tenant keys and audit columns are generated")
            continue
        kind = _check_type_name(column.type, file.value_at(*column_path, "type"), catalog, sink)
        _check_reference(file, column_path, column.references, catalog, sink)
        for key in ("check", "default_sql", "generated", "using", "backfill"):
            text = getattr(column, key)
            if text is not None:
                # A default cannot read the row; the other expressions read the table's columns.
                check_expression(text, file.value_at(*column_path, key), sink,
                                 None if key == "default_sql" else known_columns, f" in {key} of {column_name}", names)
        if column.default is not None and kind is not None:
            problem = _default_problem(column.default, kind, column.type, catalog)
            if problem:
                sink.error("UPOE223", f"default of '{column_name}' {problem}",
                           file.value_at(*column_path, "default"),
                           "give a value of the column's type, or an SQL expression under `default_sql`")
        if column.on_delete == "set null" and column.required:
            sink.error("UPOE224", f"'{column_name}' is required but its foreign key sets it to null",
                       file.value_at(*column_path, "on_delete"),
                       "use restrict or cascade, or drop `required`")
    for index, unique in enumerate(table.unique):
        for column_index, column_name in enumerate(unique.columns):
            _known_column(file, (*path, "unique", index, "columns", column_index), column_name,
                          known_columns, sink)
        if unique.where:
            check_expression(unique.where, file.value_at(*path, "unique", index, "where"), sink, known_columns,
                             f" of {table_name}", names)
    for index, index_spec in enumerate(table.indexes):
        for column_index, element in enumerate(index_spec.columns):
            column_name = element.split()[0] if element.split() else element
            _known_column(file, (*path, "indexes", index, "columns", column_index), column_name,
                          known_columns, sink)
        for key in ("expression", "where"):
            text = getattr(index_spec, key)
            if text is not None:
                check_expression(text, file.value_at(*path, "indexes", index, key), sink, known_columns,
                                 f" of {table_name}", names)
    for check_name, check in table.checks.items():
        check_expression(check.expression, file.value_at(*path, "checks", check_name, "expression"), sink,
                         known_columns, f" in check {check_name} of {table_name}", names)
    _check_access(file, path, table, catalog, names, sink)


def _check_reference(file: SpecFile, column_path: tuple[str | int, ...], reference: str | None,
                     catalog: Catalog, sink: DiagnosticSink) -> None:
    if reference is None or reference in catalog.tables or reference in EXTERNAL_TABLES:
        return
    close = difflib.get_close_matches(reference, list(catalog.tables), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "reference a table declared in some spec file"
    sink.error("UPOE222", f"unknown table '{reference}'", file.value_at(*column_path, "references"), hint)


def _known_column(file: SpecFile, path: tuple[str | int, ...], column: str, known: set[str],
                  sink: DiagnosticSink) -> None:
    if column not in known:
        close = difflib.get_close_matches(column, sorted(known), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"columns: {', '.join(sorted(known))}"
        sink.error("UPOE225", f"unknown column '{column}'", file.value_at(*path), hint)


def _check_role(role: str, position: SourcePosition, catalog: Catalog, sink: DiagnosticSink) -> None:
    if role != MEMBER and role not in catalog.roles:
        close = difflib.get_close_matches(role, sorted(catalog.roles | {MEMBER}), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "declare it under `roles:`"
        sink.error("UPOE228", f"unknown role '{role}'", position, hint)


def _check_access(file: SpecFile, path: tuple[str | int, ...], table: TableSpec, catalog: Catalog,
                  names: SqlNames, sink: DiagnosticSink) -> None:
    for command in COMMANDS:
        rules = getattr(table.access, command)
        for index, rule in enumerate(rules or []):
            for role_index, role in enumerate(rule.roles):
                _check_role(role, file.value_at(*path, "access", command, index, "roles", role_index), catalog, sink)
            if rule.where is not None:
                check_expression(rule.where, file.value_at(*path, "access", command, index, "where"), sink,
                                 all_column_names(table), f" in a {command} rule of {path[-1]}", names)
        if rules and table.tenancy.kind == Tenancy.GLOBAL and command != Command.SELECT:
            sink.error("UPOE224", f"a global table is written only by service_role; no {command} rules",
                       file.value_at(*path, "access", command), "remove the rule or change the tenancy")


def _default_problem(value: Any, kind: str, type_text: str, catalog: Catalog) -> str | None:
    parsed = parse_type(type_text)
    enum_values = catalog.enum_values.get(parsed.base) if parsed else None
    if kind == "array":
        if not isinstance(value, list):
            return f"must be a list for type {type_text}"
        if parsed is None:
            return None
        # Each element has the type with one `[]` less (null elements are fine).
        depth = parsed.array_depth - 1
        element_text = parsed.element.sql + "[]" * depth
        element_kind = "array" if depth else BASE_TYPES.get(parsed.base, catalog.type_kinds.get(parsed.base))
        for index, item in enumerate(value):
            problem = None if item is None or element_kind is None else \
                _default_problem(item, element_kind, element_text, catalog)
            if problem:
                return f"item {index + 1} {problem}"
        return None
    if enum_values is not None:
        return None if value in enum_values else (f"'{value}' is not a value of enum {parsed.base} "
                                                  f"({', '.join(enum_values)})")
    if kind == "json":
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"must be true or false, not {value!r}"
    if kind == "integer":
        return None if isinstance(value, int) and not isinstance(value, bool) else f"{value!r} is no integer"
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else f"{value!r} is no number"
    return None if isinstance(value, str) else f"must be text for type {type_text}, not {value!r}"
