"""Conditional requirements (`when:`): while a column has a value, other columns must be set
and/or a condition must hold. No template of its own: checks of the table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import model_validator

from .. import ir
from ..pgnames import fit_identifier, ident, literal
from ..spec_base import Name, SpecModel
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion


class ConditionSpec(SpecModel):
    """What a row must hold while a column has one value (a conditional requirement)."""

    require: list[Name] = []
    check: str | None = None

    @model_validator(mode="after")
    def _something(self) -> ConditionSpec:
        if not self.require and self.check is None:
            raise ValueError("give `require` (columns that must be set) and/or `check` (an expression)")
        return self


@register
class When(Construct):
    key = "when"
    model = dict[Name, dict[Name, ConditionSpec]]
    default: Any = {}

    def check(self, table: TableCheck) -> None:
        for column, cases in table.table.when.items():
            if not table.column(table.key_at("when", column), column, "UPOE251"):
                continue
            states = table.enum_of(column)
            for value, condition in cases.items():
                if states is not None:
                    table.known(table.key_at("when", column, value), value, states, "UPOE251", f"value of {column}")
                for index, required in enumerate(condition.require):
                    table.column(table.value_at("when", column, value, "require", index), required, "UPOE251")
                if condition.check is not None:
                    table.fragment(condition.check, table.value_at("when", column, value, "check"))

    def expand(self, table: TableExpansion) -> None:
        for column_name, cases in table.table.when.items():
            for value, condition in cases.items():
                required = [f"{ident(c)} is not null" for c in condition.require]
                holds = " and ".join([*required, *([f"({condition.check})"] if condition.check else [])])
                name = fit_identifier(f"{table.name}_{column_name}_{value}_check")
                table.add_check(ir.NamedConstraint(
                    name, expression=f"{ident(column_name)} is distinct from {literal(value)} or ({holds})"))
                table.conditions.append(ir.ConditionalRequirement(
                    column_name, value, tuple(condition.require), condition.check, name))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        lines = []
        for column, cases in table.table.when.items():
            for value, condition in cases.items():
                demands = [f"{', '.join(condition.require)} set" if condition.require else "",
                           condition.check or ""]
                lines.append(f"{column} = {value}: " + " and ".join(d for d in demands if d))
        if lines:
            yield ir.Behaviour("conditional requirements", "while a column has a value, the row must hold more "
                                                           "(else 23514)", tuple(lines))

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """A client's row with the value but without a column it demands breaks the condition's check
        (23514, naming the constraint). Skipped where the value is the database's to set (a guarded
        column, a workflow state clients cannot create) or a demanded column is required anyway."""
        writer = tests.member_role(table, "insert")
        if writer is None:
            return
        columns = {c.name: c for c in table.columns}
        for condition in table.conditions:
            demanded = [c for c in condition.require if c in columns]
            if not demanded or tests.guarded(table, condition.column) \
                    or not tests.may_create_in(table, condition.column, condition.value) \
                    or any(columns[c].not_null or tests.guarded(table, c) for c in demanded):
                continue
            values = {**tests.values(table, 1, fresh=True), condition.column: literal(condition.value),
                      **{column: "null" for column in demanded}}
            yield tests.probe(f"{table.name}: {writer} may not leave {', '.join(demanded)} unset when "
                              f"{condition.column} is {condition.value}", "authenticated",
                              tests.claims_for(table, writer, 1), tests.insert(table, values),
                              tests.refused(table, f"error:23514:{condition.constraint}"))
