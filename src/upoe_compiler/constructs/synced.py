"""Synced tables (`synced: true`): clients keep an offline copy and ask for what changed since
their last sync (X-11, X-14), so (tenant, updated_at) is indexed. No template of its own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import ir
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..resolve.table import TableExpansion


@register
class Synced(Construct):
    key = "synced"
    model = bool
    default = False
    ir_types = (ir.Index,)
    untested_because = "it adds an index, which changes no outcome a probe could see"

    def check(self, table: TableCheck) -> None:
        if table.table.synced and not table.table.audit:
            table.error("UPOE261", "a synced table needs audit columns (clients ask by updated_at)",
                        table.value_at("synced"), "drop `audit: false`, or `synced: true`")

    def expand(self, table: TableExpansion) -> None:
        """Clients of a synced table ask for what changed since their last sync (X-11)."""
        if table.table.synced:
            table.add_index(table.scoped(["updated_at"], True), ("synced",))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        if table.table.synced:
            yield ir.Behaviour("synced", "clients fetch the rows changed since their last sync by updated_at "
                                         "(indexed with the tenant key)")
