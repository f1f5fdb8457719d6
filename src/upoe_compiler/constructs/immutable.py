"""Append-only tables (`immutable: true`): rows are never updated, deleted or truncated, for
every role (X-06); clients get no update or delete privilege at all. The triggers call the
foundation's prevent_mutation(); no template of its own (sql/trigger.sql.j2)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import ir
from ..pgnames import ident, quote_text
from ..vocabulary import PATTERN_FUNCTIONS, Command
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion


@register
class Immutable(Construct):
    key = "immutable"
    model = bool
    default = False
    ir_types = (ir.Trigger,)

    def check(self, table: TableCheck) -> None:
        """Nothing to check: update and delete rules of an append-only table are simply never granted."""

    def withheld_commands(self, spec: Any) -> tuple[str, ...]:
        return (Command.UPDATE, Command.DELETE) if spec.immutable else ()

    def expand(self, table: TableExpansion) -> None:
        if not table.table.immutable:
            return
        function = PATTERN_FUNCTIONS["immutable"]
        for name, events, level in (("prevent_mutation", ("update", "delete"), "row"),
                                    ("prevent_truncate", ("truncate",), "statement")):
            table.trigger(name, "before", events, level, function)

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        if table.table.immutable:
            yield ir.Behaviour("append-only", "updates, deletes and truncates are rejected for every role "
                                              "(P0001 immutable_table)")

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        if not table.immutable:
            return
        row = quote_text(tests.row_id(table, 1))
        for statement in (f"update public.{ident(table.name)} set updated_at = now() where id = {row}",
                          f"delete from public.{ident(table.name)} where id = {row}"):
            yield tests.probe(f"{table.name}: append-only, even for service_role ({statement.split()[0]})",
                              "service_role", json.dumps({"role": "service_role"}), statement, "error:P0001")
