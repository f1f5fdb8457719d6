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
    codes = ("UPOE251", "UPOE229")
    summary = "while a column has a value, other columns must be set and/or a condition must hold"
    untested_because = ("a row breaking one condition may first meet the column's workflow or guard; "
                        "tests/db/test_constructs.py shows each kind of condition refusing rows (23514)")

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
                table.add_check(ir.NamedConstraint(
                    fit_identifier(f"{table.name}_{column_name}_{value}_check"),
                    expression=f"{ident(column_name)} is distinct from {literal(value)} or ({holds})"))

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
