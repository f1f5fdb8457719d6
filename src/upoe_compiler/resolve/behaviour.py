"""Row behaviour a table's spec declares, as generated trigger functions: workflows and
stamps, guarded columns, normalised values."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import ir
from ..patterns import all_column_names, stamped_columns
from ..pgnames import fit_identifier, ident, text_array
from ..spec import CounterSpec, StampSpec, StateMachineSpec
from ..vocabulary import PATTERN_FUNCTIONS, SOFT_DELETE_COLUMN

if TYPE_CHECKING:
    from .table import TableResolver

_STRING = re.compile(r"('(?:[^']|'')*')")
_VALUE = re.compile(r"\bvalue\b", re.IGNORECASE)
_NAME = re.compile(r"(?<![.\w])([a-z_][a-z0-9_]*)\b(?!\s*\()")


def behaviour_objects(resolver: TableResolver) -> list[ir.DbObject]:
    objects: list[ir.DbObject] = []
    machine = resolver.table.state_machine
    if machine is not None:
        objects.append(_state_machine(resolver, machine.column, machine, f"enforce_{machine.column}_transitions"))
    for column, values in resolver.table.stamps.items():
        objects.append(_state_machine(resolver, column, values, f"stamp_{column}"))
    guard = _column_guard(resolver)
    if guard is not None:
        objects.append(guard)
    normalized = [(name, spec.normalize) for name, spec in resolver.table.columns.items() if spec.normalize]
    if normalized:
        objects.append(ir.Normalizer(
            f"normalizer:public.{resolver.name}", resolver.domain, (resolver.key, "schema:private"),
            resolver.position, schema="private", table=resolver.name,
            function_name=fit_identifier(f"{resolver.name}_normalize"),
            # Trigger names set the firing order: normalise first, then authorise (README).
            trigger_name="adjust_written_values", requirements=tuple(resolver.table.requirements),
            assignments=tuple((name, of_new_value(name, expression)) for name, expression in normalized)))
    for name, spec in resolver.table.columns.items():
        if spec.counts is not None:
            objects.append(_counter(resolver, name, spec.counts))
    return objects


def _counter(resolver: TableResolver, column: str, counts: CounterSpec) -> ir.Counter:
    child = resolver.owner.tables[counts.table][1]
    child_columns = set(all_column_names(child))
    conditions = [f"{SOFT_DELETE_COLUMN} is null"] if child.soft_delete else []
    if counts.where:
        conditions.append(f"({counts.where})")
    condition = " and ".join(conditions) or "true"
    return ir.Counter(
        f"counter:public.{resolver.name}.{column}", resolver.domain,
        (resolver.key, f"table:public.{counts.table}", "schema:private"),
        resolver.file.at("tables", resolver.name, "columns", column, "counts"), follows_dependencies=True,
        schema="private", table=counts.table,
        function_name=fit_identifier(f"{counts.table}_count_{resolver.name}_{column}"),
        parent_table=resolver.name, parent_column=column, via=counts.via,
        counted_old=of_row(condition, child_columns, "old"), counted_new=of_row(condition, child_columns, "new"),
        trigger_name=fit_identifier(f"count_{resolver.name}_{column}"), requirements=tuple(resolver.table.requirements),
        # Definer: the writer of a child row may have no right to update its parent.
        timing="after", events=("insert", "update", "delete"), security="definer")


def of_row(expression: str, columns: set[str], row: str) -> str:
    """The expression with the table's column names (outside string literals) read from `row`."""
    parts = _STRING.split(expression)
    return "".join(part if part.startswith("'") else
                   _NAME.sub(lambda m: f"{row}.{m.group(1)}" if m.group(1) in columns else m.group(1), part)
                   for part in parts)


def of_new_value(column: str, expression: str) -> str:
    """The expression with `value` (outside string literals) read as the new row's column."""
    parts = _STRING.split(expression)
    return "".join(part if part.startswith("'") else _VALUE.sub(f"new.{ident(column)}", part) for part in parts)


def _state_machine(resolver: TableResolver, column: str, spec: StateMachineSpec | dict[str, StampSpec],
                   trigger: str) -> ir.StateMachine:
    initial: tuple[str, ...] = ()
    if isinstance(spec, StateMachineSpec):
        transitions = tuple((source, target) for source, targets in spec.transitions.items() for target in targets)
        stamps = {state: StampSpec(at=spec.stamps.get(state), by=spec.stamp_actors.get(state))
                  for state in dict.fromkeys([*spec.stamps, *spec.stamp_actors])}
        path: tuple[str, ...] = ("tables", resolver.name, "state_machine")
        suffix = "transition"
        # Checks made sure that one of the two exists.
        initial = tuple(spec.initial) or (str(resolver.table.columns[column].default),)
    else:
        transitions, stamps, path, suffix = (), spec, ("tables", resolver.name, "stamps", column), "stamps"
    on_entry = tuple(
        (state, tuple((target, value) for target, value in ((stamp.at, "pg_catalog.now()"), (stamp.by, "auth.uid()"))
                      if target))
        for state, stamp in stamps.items())
    return ir.StateMachine(
        f"state_machine:public.{resolver.name}.{column}", resolver.domain, (resolver.key, "schema:private"),
        resolver.file.at(*path), schema="private", table=resolver.name, column=column,
        function_name=fit_identifier(f"{resolver.name}_{column}_{suffix}"), transitions=transitions,
        on_entry=on_entry, initial=initial, trigger_name=fit_identifier(trigger),
        events=("insert", f"update of {ident(column)}"),
        requirements=tuple(resolver.table.requirements))


def _column_guard(resolver: TableResolver) -> ir.ColumnGuard | None:
    """Guarded columns and stamp columns: API callers without the roles insert them as their
    defaults and never change them (42501)."""
    roles_function = resolver.owner.function_ref(PATTERN_FUNCTIONS["roles"])
    table = resolver.name
    groups = []
    for guard in resolver.table.guarded_columns:
        names = ", ".join(guard.columns)
        check = f"{roles_function}({text_array(guard.roles)})" if guard.roles else None
        message = (f"not_authorized: only {', '.join(guard.roles)} may set {names} of {table}" if guard.roles
                   else f"not_authorized: {names} of {table} change only through the database")
        groups.append(ir.GuardGroup(tuple(guard.columns), tuple(resolver.default_of(c) for c in guard.columns),
                                    tuple(guard.roles), check, message))
    stamped = stamped_columns(resolver.table)
    if stamped:
        groups.append(ir.GuardGroup(
            tuple(stamped), tuple(resolver.default_of(c) for c in stamped), (), None,
            f"not_authorized: {', '.join(stamped)} of {table} are stamped by the database"))
    if not groups:
        return None
    deps = (resolver.key, "schema:private", resolver.owner.function_key(PATTERN_FUNCTIONS["roles"]))
    path = ("tables", table, "guarded_columns") if resolver.table.guarded_columns else ("tables", table)
    return ir.ColumnGuard(
        f"column_guard:public.{table}", resolver.domain, deps, resolver.file.at(*path), schema="private",
        table=table, function_name=fit_identifier(f"{table}_guard_columns"), groups=tuple(groups),
        trigger_name="authorize_column_changes", requirements=tuple(resolver.table.requirements))
