"""Exclusions (`exclude:`): no two active rows overlap, each column compared with its operator
(`=`, `&&`), within one tenant by default. No template of its own: a constraint of the table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from .. import ir
from ..pgnames import fit_identifier, ident
from ..spec_base import Name, SpecModel
from ..vocabulary import SOFT_DELETE_COLUMN, Tenancy
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..resolve.table import TableExpansion

# A PostgreSQL operator: one or more of these characters (`=`, `&&`, `<>`, `-|-`, …).
OPERATOR = re.compile(r"^[-+*/<>=~!@#%^&|`?]{1,63}$")


class ExclusionSpec(SpecModel):
    """No two active rows may overlap: each column is compared with its operator
    (`=` for equality, `&&` for overlapping ranges), in the same community by default."""

    columns: dict[Name, str] = Field(min_length=1)
    using: Literal["gist"] = "gist"
    where: str | None = None
    name: Name | None = None
    per_tenant: bool = True


@register
class Exclude(Construct):
    key = "exclude"
    model = list[ExclusionSpec]
    default: Any = []
    codes = ("UPOE256", "UPOE229")
    summary = "no two active rows overlap (a gist exclusion constraint, per tenant by default)"
    untested_because = ("an overlap needs two rows chosen to collide; tests/db/test_constructs.py shows "
                        "overlapping bookings refused (23P01)")

    def check(self, table: TableCheck) -> None:
        for index, exclusion in enumerate(table.table.exclude):
            for column, operator in exclusion.columns.items():
                table.column(table.key_at("exclude", index, "columns", column), column, "UPOE256")
                if not OPERATOR.match(operator):
                    table.error("UPOE256", f"'{operator}' is not an operator",
                                table.value_at("exclude", index, "columns", column),
                                "compare with `=` (the same value) or `&&` (overlapping ranges)")
            if exclusion.where is not None:
                table.fragment(exclusion.where, table.value_at("exclude", index, "where"))

    def expand(self, table: TableExpansion) -> None:
        for spec in table.table.exclude:
            operators = dict(spec.columns)
            tenant = table.tenant_column
            if spec.per_tenant and tenant and tenant != "id" and tenant not in operators \
                    and table.table.tenancy.kind != Tenancy.USER:
                operators = {tenant: "=", **operators}
            conditions = [c for c in (f"({spec.where})" if spec.where else None,
                                      f"{SOFT_DELETE_COLUMN} is null" if table.table.soft_delete else None) if c]
            name = spec.name or fit_identifier(f"{table.name}_{'_'.join(spec.columns)}_excl")
            table.add_exclusion(ir.NamedConstraint(
                name, columns=tuple(f"{ident(column)} with {operator}" for column, operator in operators.items()),
                using=spec.using, where=" and ".join(conditions) or None))
            table.depend_on("extension:btree_gist")

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for exclusion in table.exclusions:
            where = f", among rows where {exclusion.where}" if exclusion.where else ""
            yield ir.Behaviour("exclusion", f"{exclusion.name}: no two rows match on "
                                            f"{', '.join(exclusion.columns)} (using {exclusion.using}){where}")
