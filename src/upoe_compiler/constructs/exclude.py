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
    from ..render.pgtap import Probe, ProbeBuilder
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

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """A client's row matching the fixture row on every excluded column collides with it (23P01,
        naming the constraint). Skipped when the exclusion has a condition of its own (the sample
        rows may not meet it) or a column clients cannot set."""
        writer = tests.member_role(table, "insert")
        if writer is None:
            return
        fixture = tests.values(table, 1)
        for exclusion in table.exclusions:
            columns = [_excluded_column(element) for element in exclusion.columns]
            if exclusion.where not in (None, f"{SOFT_DELETE_COLUMN} is null") \
                    or any(fixture.get(c, "null") == "null" or tests.guarded(table, c) for c in columns):
                continue
            values = {**tests.values(table, 1, fresh=True), **{c: fixture[c] for c in columns}}
            yield tests.probe(f"{table.name}: {writer} may not add a row overlapping another ({exclusion.name})",
                              "authenticated", tests.claims_for(table, writer, 1), tests.insert(table, values),
                              tests.refused(table, f"error:23P01:{exclusion.name}"))


def _excluded_column(element: str) -> str:
    """The column of an exclusion element (`"period" with &&` → period)."""
    return element.rsplit(" with ", 1)[0].strip('"')
