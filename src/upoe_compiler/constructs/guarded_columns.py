"""Guarded columns (`guarded_columns:`): columns only some roles (or only the platform) may set;
other API callers insert them as their defaults and never change them. The same trigger keeps
every column another construct stamps (workflow stamps, `stamps:`) for the database.
Template: sql/column_guard.sql.j2."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from .. import ir
from ..pgnames import fit_identifier, ident, quote_text, text_array
from ..spec_base import Name, SpecModel
from ..vocabulary import MEMBER, PATTERN_FUNCTIONS, PLATFORM_ROLE, VOLATILE_FUNCTIONS
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion


class ColumnGuardSpec(SpecModel):
    """Columns that only these roles (and the platform: service_role, jobs, security-definer
    functions) may set: other API callers create rows with the columns' defaults and never
    change them. With no roles, only the platform may."""

    columns: list[Name] = Field(min_length=1)
    roles: list[Name] = []


@register
class GuardedColumns(Construct):
    key = "guarded_columns"
    model = list[ColumnGuardSpec]
    default: Any = []
    template = "sql/column_guard.sql.j2"
    ir_types = (ir.ColumnGuard,)

    def check(self, table: TableCheck) -> None:
        stamped = table.stamped
        for index, guard in enumerate(table.table.guarded_columns):
            for column_index, column in enumerate(guard.columns):
                position = table.value_at("guarded_columns", index, "columns", column_index)
                if not table.column(position, column, "UPOE258"):
                    continue
                if column in stamped:
                    table.error("UPOE258", f"'{column}' is stamped; only the database writes it",
                                position, "remove it: stamp columns are guarded already")
                elif column in table.added:
                    table.error("UPOE258", f"'{column}' is added by the table's patterns", position,
                                "ids, tenant keys, audit and soft-delete columns are kept by triggers and policies")
                elif _calls_volatile(table.table.columns[column].default_sql):
                    table.error("UPOE258", f"'{column}' is guarded but its default changes from one call to the next",
                                position, "a guarded column's default is what other callers must leave in place: "
                                          "give it a stable default (a value, now(), the caller's id)")
            for role_index, role in enumerate(guard.roles):
                position = table.value_at("guarded_columns", index, "roles", role_index)
                if role == MEMBER:
                    # Roles come from app_metadata.role; `member` is no role, but every user of the tenant.
                    table.error("UPOE258", "'member' is no role a guard can check", position,
                                "name the roles that may change the columns, or none for the platform")
                elif role not in table.roles:
                    table.unknown(position, role, table.roles, "UPOE258", "role", "declare it under `roles:`")

    def expand(self, table: TableExpansion) -> None:
        """Guarded columns and stamp columns: API callers without the roles insert them as their
        defaults and never change them (42501)."""
        roles_function = table.owner.function_ref(PATTERN_FUNCTIONS["roles"])
        name = table.name
        groups = []
        for guard in table.table.guarded_columns:
            names = ", ".join(guard.columns)
            check = f"{roles_function}({text_array(guard.roles)})" if guard.roles else None
            message = (f"not_authorized: only {', '.join(guard.roles)} may set {names} of {name}" if guard.roles
                       else f"not_authorized: {names} of {name} change only through the database")
            groups.append(ir.GuardGroup(tuple(guard.columns), tuple(table.default_of(c) for c in guard.columns),
                                        tuple(guard.roles), check, message))
        stamped = table.stamped
        if stamped:
            groups.append(ir.GuardGroup(
                tuple(stamped), tuple(table.default_of(c) for c in stamped), (), None,
                f"not_authorized: {', '.join(stamped)} of {name} are stamped by the database"))
        if not groups:
            return
        deps = (table.key, "schema:private", table.owner.function_key(PATTERN_FUNCTIONS["roles"]))
        path = ("guarded_columns",) if table.table.guarded_columns else ()
        table.add(ir.ColumnGuard(
            f"column_guard:public.{name}", table.domain, deps, table.at(*path), schema="private",
            table=name, function_name=fit_identifier(f"{name}_guard_columns"), groups=tuple(groups),
            trigger_name="authorize_column_changes", requirements=tuple(table.table.requirements)))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for guard in emitted:
            assert isinstance(guard, ir.ColumnGuard)
            yield ir.Behaviour("guarded columns", "a before-insert-or-update trigger rejects other API callers "
                                                  "who set them (42501)",
                               tuple(group.message.removeprefix("not_authorized: ") for group in guard.groups))

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """A role the guard does not name sets each column on insert and on update (42501)."""
        for guard in tests.objects(ir.ColumnGuard, table.name):
            for group in guard.groups:
                # has_any_role() holds for the platform role whatever the guard names.
                unguarded = (*group.roles, PLATFORM_ROLE) if group.roles else ()
                writer = tests.member_role(table, "insert", unguarded)
                updater = None if table.immutable else tests.member_role(table, "update", unguarded)
                for column_name, default in zip(group.columns, group.defaults, strict=True):
                    column = next(c for c in table.columns if c.name == column_name)
                    yield from _column_probes(table, column, default, writer, updater, tests)


def _column_probes(table: ir.Table, column: ir.Column, default: str, writer: str | None, updater: str | None,
                   tests: ProbeBuilder) -> Iterable[Probe]:
    for command, role in (("insert", writer), ("update", updater)):
        if role is None:
            continue
        value = tests.other_value(table, column, default, role, fresh=command == "insert")
        if value is None:
            continue
        if command == "insert":
            sql = tests.insert(table, {**tests.values(table, 1, fresh=True), column.name: value})
        else:
            sql = (f"update public.{ident(table.name)} set {ident(column.name)} = {value} "
                   f"where id = {quote_text(tests.row_id(table, 1))}")
        yield tests.probe(f"{table.name}: {role} may not {command} with its own {column.name}",
                          "authenticated", tests.claims_for(table, role, 1), sql, "error:42501")


def _calls_volatile(expression: str | None) -> bool:
    return expression is not None and any(f"{name}(" in expression.replace(" ", "") for name in VOLATILE_FUNCTIONS)
