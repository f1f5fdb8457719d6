"""Validity windows (`validity:`): a row counts from `starts` until `ends` (null: forever); the
end must come after the start, and current rows are found through an index on the end.
No template of its own: a check of the table and an index (sql/index.sql.j2)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import ir
from ..pgnames import fit_identifier, ident
from ..spec_base import Name, SpecModel
from ..vocabulary import SOFT_DELETE_COLUMN
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion

# Two valid values per type, the first later than the second.
_LATER_EARLIER = {
    "date": ("'2026-01-05'", "'2026-01-01'"),
    "timestamptz": ("'2026-01-05 12:00+00'", "'2026-01-01 12:00+00'"),
    "timestamp": ("'2026-01-05 12:00'", "'2026-01-01 12:00'"),
}


class ValiditySpec(SpecModel):
    """A validity window: rows count from `starts` (optional) until `ends` (null = forever)."""

    ends: Name
    starts: Name | None = None
    # Inclusive windows (`ends >= starts`) suit dates: a one-day occupancy starts and ends the same day.
    inclusive: bool = False


@register
class Validity(Construct):
    key = "validity"
    model = ValiditySpec | None
    ir_types = (ir.Index,)

    def check(self, table: TableCheck) -> None:
        window = table.table.validity
        if window is None:
            return
        for key in ("starts", "ends"):
            column = getattr(window, key)
            if column is not None:
                table.column(table.value_at("validity", key), column, "UPOE252")

    def expand(self, table: TableExpansion) -> None:
        window = table.table.validity
        if window is None:
            return
        table.validity = ir.ValidityWindow(window.ends, window.starts, window.inclusive)
        if window.starts:
            table.add_check(ir.NamedConstraint(
                _order_check(table.name, table.validity),
                expression=f"{ident(window.ends)} {'>=' if window.inclusive else '>'} {ident(window.starts)}"))
        # Lookups of current rows filter on the end of their window within one tenant.
        table.add_index(table.scoped([window.ends], True), ("validity",),
                        where=f"{SOFT_DELETE_COLUMN} is null" if table.table.soft_delete else None)

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        window = table.validity
        if window is None:
            return
        if window.starts is None:
            yield ir.Behaviour("validity", f"a row is valid until {window.ends} (null: without end)")
            return
        inclusive = " or equal" if window.inclusive else ""
        yield ir.Behaviour("validity", f"a row is valid from {window.starts} to {window.ends}; "
                                       f"{window.ends} must be later{inclusive}")

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """A client's row whose window ends before it starts breaks the table's check (23514)."""
        window = table.validity
        writer = tests.member_role(table, "insert")
        if window is None or window.starts is None or writer is None:
            return
        columns = {c.name: c for c in table.columns}
        kinds = {columns[window.starts].type, columns[window.ends].type}
        if len(kinds) != 1 or next(iter(kinds)) not in _LATER_EARLIER or tests.guarded(table, window.starts) \
                or tests.guarded(table, window.ends):
            return
        later, earlier = _LATER_EARLIER[next(iter(kinds))]
        values = {**tests.values(table, 1, fresh=True), window.starts: later, window.ends: earlier}
        yield tests.probe(f"{table.name}: {writer} may not end a row's window before it starts", "authenticated",
                          tests.claims_for(table, writer, 1), tests.insert(table, values),
                          tests.refused(table, f"error:23514:{_order_check(table.name, window)}"))


def _order_check(table: str, window: ir.ValidityWindow) -> str:
    """The name of the check that a window ends after it starts."""
    return fit_identifier(f"{table}_{window.ends}_after_{window.starts}_check")
