"""Balanced groups (`balanced:` on a table): the rows sharing a key must sum to zero, checked at
commit by a deferrable constraint trigger, so a transaction may write its rows in any order (the
entries of one ledger transaction: debits and credits). Template: sql/balanced.sql.j2."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import ir
from ..pgnames import BASE_TYPES, fit_identifier, parse_type
from ..spec_base import ErrorName, Name, SpecModel
from ..vocabulary import SOFT_DELETE_COLUMN
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..resolve.table import TableExpansion

class BalancedSpec(SpecModel):
    """`balanced: {group: transaction_id, sum: amount, error: unbalanced_transaction}`: the rows
    with the same `group` value must have `sum` values adding up to zero when the transaction
    commits; otherwise it fails with P0001 and the message `error`."""

    group: Name
    sum: Name
    error: ErrorName = "unbalanced_group"
    # The trigger function's name in schema private, when a contract names it.
    function: Name | None = None


@dataclass(frozen=True)
class BalancedGroup(ir.GeneratedTrigger):
    """Rows of `table` sharing `group_column` sum to zero in `sum_column`, checked at commit."""

    group_column: str
    sum_column: str
    error: str
    active: str | None  # SQL true for the rows that count (not soft-deleted), or None: all
    # The rows of a group share their tenant: the sum reads the (tenant, group) index.
    tenant_column: str | None = None


@register
class Balanced(Construct):
    key = "balanced"
    model = BalancedSpec | None
    template = "sql/balanced.sql.j2"
    ir_types = (BalancedGroup,)
    untested_because = ("it is checked at commit, which the pgTAP transaction never reaches; "
                        "tests/db/test_ledger_constructs.py commits balanced and unbalanced groups")

    def check(self, table: TableCheck) -> None:
        spec = table.table.balanced
        if spec is None:
            return
        for field in ("group", "sum"):
            table.column(table.value_at("balanced", field), getattr(spec, field), "UPOE263")
        summed = table.table.columns.get(spec.sum)
        if summed is not None:
            parsed = parse_type(summed.type)
            kind = (BASE_TYPES.get(parsed.base) or table.catalog.type_kinds.get(parsed.base)) if parsed else None
            if kind not in ("integer", "number") or (parsed and parsed.array_depth):
                table.error("UPOE263", f"'{spec.sum}' is not a number, so it cannot sum to zero",
                            table.value_at("balanced", "sum"), "name a numeric column, such as a signed amount")

    def expand(self, table: TableExpansion) -> None:
        spec = table.table.balanced
        if spec is None:
            return
        table.add(BalancedGroup(
            f"balanced:public.{table.name}", table.domain, (table.key, "schema:private"),
            table.at("balanced"), follows_dependencies=True, schema="private", table=table.name,
            function_name=spec.function or fit_identifier(f"{table.name}_check_balance"),
            trigger_name=fit_identifier(f"check_{spec.group}_balance"), timing="after",
            events=("insert", "update", "delete"), deferred=True,
            # Definer: the sum counts every row of the group, whatever the writer may read.
            security="definer", requirements=tuple(table.table.requirements),
            group_column=spec.group, sum_column=spec.sum, error=spec.error,
            active=f"{SOFT_DELETE_COLUMN} is null" if table.table.soft_delete else None,
            tenant_column=table.tenant_column))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for group in emitted:
            assert isinstance(group, BalancedGroup)
            yield ir.Behaviour("balanced groups", f"the rows sharing {group.group_column} sum to zero in "
                               f"{group.sum_column}, checked at commit (P0001 {group.error})")
