"""Semantic checks of the behaviour constructs: each names columns, states, functions and
tables that must exist and fit.

Codes: UPOE250 state machine or stamps, UPOE251 conditional requirement (`when`), UPOE252
validity window, UPOE253 ownership (`own`, `owned_by`), UPOE254 custom trigger, UPOE255 bucket,
UPOE256 exclusion, UPOE257 view, UPOE258 guarded or normalised column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .checks import fragment_problem
from .errors import DiagnosticSink
from .patterns import all_column_names, tenant_column
from .pgnames import parse_type
from .spec import FunctionSpec, TableSpec, ViewSpec
from .validate import SpecFile, ValidatedSpec

Path_ = tuple[str | int, ...]


class ConstructChecks:
    def __init__(self, spec: ValidatedSpec, sink: DiagnosticSink) -> None:
        self.spec = spec
        self.sink = sink
        self.tables = {name: table for f in spec.files for name, table in f.spec.tables.items()}
        self.functions: dict[str, FunctionSpec] = {
            name: function for f in spec.files for name, function in f.spec.functions.items()}
        self.enums = {name: list(enum.values) for f in spec.files for name, enum in f.spec.enums.items()}
        self.roles = sorted({role for f in spec.files for role in f.spec.roles})

    def run(self) -> None:
        for file in self.spec.files:
            for name, table in file.spec.tables.items():
                TableConstructs(self, file, name, table).run()
            for name, view in file.spec.views.items():
                self.view(file, name, view)
            for name, bucket in file.spec.buckets.items():
                path: Path_ = ("buckets", name)
                for key, target in (("table", bucket.table), ("entity", bucket.entity)):
                    self.known_table(file, (*path, key), target)
                if bucket.table in self.tables:
                    columns = all_column_names(self.tables[bucket.table])
                    self.known(file, (*path, "path_column"), bucket.path_column, columns, "UPOE255",
                               f"column of {bucket.table}")

    def view(self, file: SpecFile, name: str, view: ViewSpec) -> None:
        path: Path_ = ("views", name)
        if view.query_file is not None and not (file.spec_dir / view.query_file).is_file():
            self.sink.error("UPOE257", f"query file '{view.query_file}' does not exist",
                            file.value_at(*path, "query_file"), f"paths are relative to {file.spec_dir}")
        if view.query is not None:
            problem = fragment_problem(view.query)
            if problem:
                self.sink.error("UPOE257", f"view query {problem}", file.value_at(*path, "query"),
                                "write one select statement, without a closing ';'")

    def known_table(self, file: SpecFile, path: Path_, name: str) -> bool:
        if name in self.tables:
            return True
        self.unknown(file, path, name, self.tables, "UPOE255", "table")
        return False

    def known(self, file: SpecFile, path: Path_, name: str, choices: Iterable[str], code: str, what: str) -> bool:
        choices = list(choices)
        if name in choices:
            return True
        self.unknown(file, path, name, choices, code, what)
        return False

    def unknown(self, file: SpecFile, path: Path_, name: str, choices: Iterable[str], code: str, what: str) -> None:
        close = difflib.get_close_matches(name, sorted(choices), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"choose one of: {', '.join(sorted(choices))}"
        self.sink.error(code, f"unknown {what} '{name}'", file.value_at(*path), hint)


class TableConstructs:
    def __init__(self, checks: ConstructChecks, file: SpecFile, name: str, table: TableSpec) -> None:
        self.checks = checks
        self.file = file
        self.name = name
        self.table = table
        self.path: Path_ = ("tables", name)
        self.columns = all_column_names(table)

    def column(self, path: Path_, name: str, code: str) -> bool:
        return self.checks.known(self.file, path, name, self.columns, code, f"column of {self.name}")

    def enum_of(self, column: str) -> list[str] | None:
        spec = self.table.columns.get(column)
        parsed = parse_type(spec.type) if spec else None
        return self.checks.enums.get(parsed.base) if parsed and not parsed.array_depth else None

    def run(self) -> None:
        self.state_machine()
        self.conditions()
        self.validity()
        self.ownership()
        self.triggers()
        self.stamps()
        self.guards()
        for index, exclusion in enumerate(self.table.exclude):
            for column in exclusion.columns:
                self.column((*self.path, "exclude", index, "columns", column), column, "UPOE256")

    def state_machine(self) -> None:
        machine = self.table.state_machine
        if machine is None:
            return
        path = (*self.path, "state_machine")
        if not self.column((*path, "column"), machine.column, "UPOE250"):
            return
        states = self.enum_of(machine.column)
        if states is None:
            self.checks.sink.error("UPOE250", f"state machine column '{machine.column}' is not an enum",
                                   self.file.value_at(*path, "column"), "give the column an enum type")
            return
        for source, targets in machine.transitions.items():
            self.checks.known(self.file, (*path, "transitions", source), source, states, "UPOE250",
                              f"state of {machine.column}")
            for index, target in enumerate(targets):
                self.checks.known(self.file, (*path, "transitions", source, index), target, states, "UPOE250",
                                  f"state of {machine.column}")
        for key in ("stamps", "stamp_actors"):
            for state, column in getattr(machine, key).items():
                self.checks.known(self.file, (*path, key, state), state, states, "UPOE250",
                                  f"state of {machine.column}")
                self.column((*path, key, state), column, "UPOE250")

    def conditions(self) -> None:
        for column, cases in self.table.when.items():
            path = (*self.path, "when", column)
            if not self.column(path, column, "UPOE251"):
                continue
            states = self.enum_of(column)
            for value, condition in cases.items():
                if states is not None:
                    self.checks.known(self.file, (*path, value), value, states, "UPOE251", f"value of {column}")
                for index, required in enumerate(condition.require):
                    self.column((*path, value, "require", index), required, "UPOE251")

    def validity(self) -> None:
        window = self.table.validity
        if window is None:
            return
        for key in ("starts", "ends"):
            column = getattr(window, key)
            if column is not None:
                self.column((*self.path, "validity", key), column, "UPOE252")

    def ownership(self) -> None:
        if self.table.owned_by is not None:
            self.owner_function((*self.path, "owned_by"), self.table.owned_by)
        for command in ("select", "insert", "update", "delete"):
            for index, rule in enumerate(getattr(self.table.access, command) or []):
                if rule.own is not None:
                    self.own((*self.path, "access", command, index, "own"), rule.own)

    def owner_function(self, path: Path_, name: str) -> None:
        function = self.checks.functions.get(name)
        if function is None:
            self.checks.unknown(self.file, path, name, self.checks.functions, "UPOE253", "function")
        elif function.returns.replace(" ", "") not in ("uuid", "uuid[]") or function.args:
            self.checks.sink.error("UPOE253", f"owned_by function '{name}' must take no arguments and return "
                                   "uuid or uuid[]", self.file.value_at(*path),
                                   "return the ids of the rows the caller owns")

    def own(self, path: Path_, column: str) -> None:
        if column != "id" and not self.column(path, column, "UPOE253"):
            return
        if self.table.tenancy.kind == "user" and column == tenant_column(self.table):
            return
        spec = self.table.columns.get(column)
        target = self.name if column == "id" else (spec.references if spec else None)
        if target is None:
            self.checks.sink.error("UPOE253", f"'{column}' references nothing the caller could own",
                                   self.file.value_at(*path),
                                   "own through a column that references auth.users or a table with owned_by")
        elif target in self.checks.tables and self.checks.tables[target].owned_by is None:
            self.checks.sink.error("UPOE253", f"table '{target}' declares no owned_by, so '{column}' cannot "
                                   "be owned", self.file.value_at(*path),
                                   f"give {target} `owned_by: <function returning the caller's {target} ids>`")

    def stamps(self) -> None:
        machine = self.table.state_machine
        for column, values in self.table.stamps.items():
            path = (*self.path, "stamps", column)
            if not self.column(path, column, "UPOE250"):
                continue
            if machine is not None and machine.column == column:
                self.checks.sink.error("UPOE250", f"'{column}' has a state machine; put its stamps there",
                                       self.file.at(*path), "move them under state_machine: stamps / stamp_actors")
            states = self.enum_of(column)
            for value, stamp in values.items():
                if states is not None:
                    self.checks.known(self.file, (*path, value), value, states, "UPOE250", f"value of {column}")
                for key in ("at", "by"):
                    target = getattr(stamp, key)
                    if target is not None:
                        self.column((*path, value, key), target, "UPOE250")

    def guards(self) -> None:
        for index, guard in enumerate(self.table.guarded_columns):
            for column_index, column in enumerate(guard.columns):
                self.column((*self.path, "guarded_columns", index, "columns", column_index), column, "UPOE258")
            for role_index, role in enumerate(guard.roles):
                self.checks.known(self.file, (*self.path, "guarded_columns", index, "roles", role_index), role,
                                  self.checks.roles, "UPOE258", "role")
        for name, column in self.table.columns.items():
            if column.normalize is None:
                continue
            # checks.py reads the expression itself, as every column expression.
            path = (*self.path, "columns", name, "normalize")
            if column.generated is not None:
                self.checks.sink.error("UPOE258", f"'{name}' is generated; it cannot also be normalised",
                                       self.file.value_at(*path), "drop one of `generated` and `normalize`")

    def triggers(self) -> None:
        for index, trigger in enumerate(self.table.triggers):
            path = (*self.path, "triggers", index, "function")
            function = self.checks.functions.get(trigger.function)
            if function is None:
                self.checks.unknown(self.file, path, trigger.function, self.checks.functions, "UPOE254", "function")
            elif function.returns != "trigger":
                self.checks.sink.error("UPOE254", f"function '{trigger.function}' does not return trigger",
                                       self.file.value_at(*path), "a trigger calls a function with `returns: trigger`")
            if trigger.when is not None:
                problem = fragment_problem(trigger.when)
                if problem:
                    self.checks.sink.error("UPOE254", f"trigger condition {problem}",
                                           self.file.value_at(*self.path, "triggers", index, "when"),
                                           "write one expression of new and old, e.g. new.status = 'open'")


def check_constructs(spec: ValidatedSpec, sink: DiagnosticSink) -> None:
    ConstructChecks(spec, sink).run()
