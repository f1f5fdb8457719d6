"""Checks that run over the constructs: each construct module's `check` through a `TableCheck`
(or, for buckets, a `BucketCheck`), plus the checks of the core access intent (an update rule's
`check`, UPOE260), custom triggers (UPOE254) and views (UPOE257).

Construct codes: UPOE250 state machine or stamps, UPOE251 `when`, UPOE252 validity, UPOE253
ownership, UPOE255 bucket, UPOE256 exclusion, UPOE258 guarded or normalised column, UPOE259
counter, UPOE261 synced, UPOE262 realtime; every SQL expression UPOE229.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable
from typing import Any

from .constructs import DOMAIN_CONSTRUCTS, TABLE_CONSTRUCTS, ownership, stamped_columns
from .errors import DiagnosticSink, SourcePosition
from .fragments import (
    check_fragment,
    check_trigger_condition,
    fragment_problem,
    offset_in_file,
    place_in,
    query_problem,
)
from .patterns import added_columns, all_column_names, tenant_column
from .spec import TableSpec, ViewSpec
from .sql_references import SqlNames, report_unknown, statement_references
from .validated import SpecFile, ValidatedSpec
from .vocabulary import MEMBER, Command, default_roles

Path_ = tuple[str | int, ...]

# Above this many choices, a hint names none of them.
MAX_LISTED_CHOICES = 12


class ConstructChecks:
    def __init__(self, spec: ValidatedSpec, sink: DiagnosticSink) -> None:
        self.spec = spec
        self.sink = sink
        self.catalog = spec.catalog
        self.roles = spec.catalog.roles
        self.names = SqlNames.of(spec.catalog)

    def run(self) -> None:
        for file in self.spec.files:
            for name, table in file.spec.tables.items():
                TableCheck(self, file, name, table).run()
            for name, view in file.spec.views.items():
                self.view(file, name, view)
            for construct in DOMAIN_CONSTRUCTS:
                for name, item in getattr(file.spec, construct.key or "").items():
                    construct.check_item(BucketCheck(self, file, construct.key or "", name, item))

    def view(self, file: SpecFile, name: str, view: ViewSpec) -> None:
        path: Path_ = ("views", name)
        if view.query_file is not None:
            position = file.value_at(*path, "query_file")
            problem = self.query_file_problem(file, view.query_file)
            if problem is not None:
                self.sink.error("UPOE257", problem[0], position, problem[1])
            else:
                query_path = (file.spec_dir / view.query_file).resolve()
                text = query_path.read_text(encoding="utf-8")
                self.view_query(name, text, position, lambda offset: offset_in_file(str(query_path), text, offset))
        if view.query is not None:
            problem = fragment_problem(view.query)
            position = file.value_at(*path, "query")
            if problem:
                self.sink.error("UPOE257", f"view query {problem}", position,
                                "write one select statement, without a closing ';'")
            else:
                query = view.query
                self.view_query(name, query, position, lambda offset: place_in(position, query, offset))

    def view_query(self, name: str, text: str, position: SourcePosition,
                   place: Callable[[int], SourcePosition]) -> None:
        """A view's query read with PostgreSQL's grammar (UPOE229 at the token it refuses), one
        select statement (UPOE257), naming only tables and functions that exist (UPOE234/235)."""
        problem = query_problem(text)
        if problem is not None:
            message, offset, syntax = problem
            if syntax:
                self.sink.error("UPOE229", f"query of {name}: {message}", place(offset),
                                "PostgreSQL cannot read the query here: check the spelling of the statement")
            else:
                self.sink.error("UPOE257", f"query of {name}: {message}", position,
                                "a view reads rows: write one select statement")
            return
        report_unknown(statement_references(text), self.names, place, f" in the query of {name}", self.sink)

    @staticmethod
    def query_file_problem(file: SpecFile, relative: str) -> tuple[str, str] | None:
        """(message, hint) when a view's query file cannot be compiled into the view."""
        spec_dir = file.spec_dir
        path = spec_dir / relative
        if not os.path.normpath(path).startswith(os.path.normpath(spec_dir) + os.sep):
            return (f"query file '{relative}' is outside the spec folder",
                    "keep view queries in the spec folder, e.g. sql/<domain>/<view>.sql")
        if not path.is_file():
            return f"query file '{relative}' does not exist", f"paths are relative to {spec_dir}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return f"query file '{relative}' cannot be read as UTF-8: {exc}", "save the file as UTF-8 text"
        problem = fragment_problem(text)
        if problem:
            return f"query file '{relative}' {problem}", "write one select statement, without a closing ';'"
        return None

    def known(self, position: SourcePosition, name: str, choices: Iterable[str], code: str, what: str,
              fallback: str | None = None) -> bool:
        choices = sorted(choices)
        if name in choices:
            return True
        self.unknown(position, name, choices, code, what, fallback)
        return False

    def unknown(self, position: SourcePosition, name: str, choices: Iterable[str], code: str, what: str,
                fallback: str | None = None) -> None:
        choices = sorted(choices)
        close = difflib.get_close_matches(name, choices, n=1)
        if close:
            hint = f"did you mean '{close[0]}'?"
        elif fallback is not None and len(choices) > MAX_LISTED_CHOICES:
            hint = fallback
        else:
            hint = f"choose one of: {', '.join(choices)}"
        self.sink.error(code, f"unknown {what} '{name}'", position, hint)


class CheckContext:
    """What a construct's checks see: the catalog, where their node was written (`path` in
    `file`), and helpers that report at the spec node that is wrong, with a hint."""

    def __init__(self, checks: ConstructChecks, file: SpecFile, path: Path_) -> None:
        self.checks = checks
        self.catalog = checks.catalog
        self.roles = checks.roles
        self.file = file
        self.path = path

    def error(self, code: str, message: str, position: SourcePosition, hint: str) -> None:
        self.checks.sink.error(code, message, position, hint)

    def warn(self, code: str, message: str, position: SourcePosition, hint: str) -> None:
        self.checks.sink.warning(code, message, position, hint)

    def fragment(self, text: str, position: SourcePosition) -> None:
        """Report an SQL expression that cannot be embedded in a statement (UPOE229)."""
        check_fragment(text, position, self.checks.sink, self.checks.names)

    def known(self, position: SourcePosition, name: str, choices: Iterable[str], code: str, what: str,
              fallback: str | None = None) -> bool:
        return self.checks.known(position, name, choices, code, what, fallback)

    def unknown(self, position: SourcePosition, name: str, choices: Iterable[str], code: str, what: str,
                fallback: str | None = None) -> None:
        self.checks.unknown(position, name, choices, code, what, fallback)

    def key_at(self, *path: str | int) -> SourcePosition:
        """Where a key (a name written before `:`) below this node stands."""
        return self.file.at(*self.path, *path)

    def value_at(self, *path: str | int) -> SourcePosition:
        return self.file.value_at(*self.path, *path)

    def columns_of(self, table: str) -> list[str]:
        return all_column_names(self.catalog.tables[table][1])

    def tenant_column_of(self, table: str) -> str | None:
        return tenant_column(self.catalog.tables[table][1])

    def rule_roles(self, table: str, command: str) -> list[list[str]]:
        return _rule_roles(self.catalog.tables[table][1], command)

    def own(self, table: str, position: SourcePosition, column: str) -> None:
        """Check an ownership path as an access rule of `table` would."""
        ownership.check_path(self, table, position, column)


class TableCheck(CheckContext):
    """What a construct's checks see of one table: its spec and its columns, those the patterns
    add and those other constructs stamp included."""

    def __init__(self, checks: ConstructChecks, file: SpecFile, name: str, table: TableSpec) -> None:
        super().__init__(checks, file, ("tables", name))
        self.name = name
        self.table = table
        self.columns = all_column_names(table)
        self.added = added_columns(table)
        self.stamped = stamped_columns(table)

    def column(self, position: SourcePosition, name: str, code: str) -> bool:
        return self.known(position, name, self.columns, code, f"column of {self.name}")

    def enum_of(self, column: str) -> list[str] | None:
        return self.catalog.enum_of(self.table, column)

    def run(self) -> None:
        self.update_checks()
        self.triggers()
        for construct in TABLE_CONSTRUCTS:
            construct.check(self)

    def update_checks(self) -> None:
        """`check` belongs to update rules; a `member` update rule cannot inherit the insert
        conditions of single roles, so it states its own when they exist."""
        for command in (Command.SELECT, Command.INSERT, Command.DELETE):
            for index, rule in enumerate(getattr(self.table.access, command) or []):
                if rule.check is not None:
                    self.checks.sink.error("UPOE260", f"a {command} rule takes no `check`",
                                           self.key_at("access", command, index, "check"),
                                           "`check` says what an updated row must hold; narrow rows with `where`")
        conditional_inserts = [rule for rule in self.table.access.insert or [] if rule.own or rule.where]
        for index, rule in enumerate(self.table.access.update or []):
            if rule.check is not None:
                check_fragment(rule.check, self.value_at("access", "update", index, "check"), self.checks.sink,
                               self.checks.names)
            elif MEMBER in rule.roles and conditional_inserts:
                self.checks.sink.error(
                    "UPOE260", "an update rule for 'member' cannot inherit the conditions of the insert rules",
                    self.value_at("access", "update", index),
                    "say with `check:` what an updated row must hold, or name the roles")

    def triggers(self) -> None:
        for index, trigger in enumerate(self.table.triggers):
            position = self.value_at("triggers", index, "function")
            function = self.catalog.function(trigger.function)
            if function is None:
                self.checks.unknown(position, trigger.function, self.catalog.functions, "UPOE254", "function",
                                    "declare it under `functions:` with `returns: trigger`")
            elif function.returns != "trigger":
                self.checks.sink.error("UPOE254", f"function '{trigger.function}' does not return trigger",
                                       position, "a trigger calls a function with `returns: trigger`")
            if trigger.when is not None:
                problem = fragment_problem(trigger.when)
                if problem:
                    self.checks.sink.error("UPOE254", f"trigger condition {problem}",
                                           self.value_at("triggers", index, "when"),
                                           "write one expression of new and old, e.g. new.status = 'open'")
                else:
                    check_trigger_condition(trigger.when, self.value_at("triggers", index, "when"),
                                            self.checks.sink, self.checks.names)




class BucketCheck(CheckContext):
    """What a domain-level construct's checks see of one named item (a bucket): its spec."""

    def __init__(self, checks: ConstructChecks, file: SpecFile, section: str, name: str, spec: Any) -> None:
        super().__init__(checks, file, (section, name))
        self.name = name
        self.spec = spec


def _rule_roles(table: TableSpec, command: str) -> list[list[str]]:
    """The roles of each rule of a command, the tenancy's defaults when the spec says nothing."""
    declared = getattr(table.access, command)
    if declared is None:
        return [[role] for role in default_roles(table.tenancy.kind, command)]
    return [rule.roles for rule in declared]


def check_constructs(spec: ValidatedSpec, sink: DiagnosticSink) -> None:
    ConstructChecks(spec, sink).run()
